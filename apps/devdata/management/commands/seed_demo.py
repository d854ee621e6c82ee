from typing import Any

from django.core.management.base import BaseCommand

from apps.clinics.models import User
from apps.devdata.demo import DEMO_PASSWORD, DEMO_TEMPLATE, seed_demo
from apps.patients.auth import personal_link_url
from apps.patients.models import Patient
from apps.programs.models import Program


class Command(BaseCommand):
    help = "Create the demo clinics, staff and patients (idempotent) and print how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        clinics = seed_demo()
        out = self.stdout
        out.write(
            self.style.SUCCESS("\nDemo sign-ins (staff password for all: " + DEMO_PASSWORD + ")")
        )
        for clinic in clinics:
            out.write(f"\n  {clinic.name}")
            for user in User.objects.filter(
                clinic=clinic, role__in=["admin", "therapist"]
            ).order_by("role", "email"):
                out.write(f"    {user.get_role_display():<13} {user.email}")
            for patient in Patient.objects.filter(clinic=clinic).order_by("full_name"):
                who = f"{patient.full_name} (year of birth {patient.year_of_birth})"
                out.write(f"    Patient       {who}: {personal_link_url(patient)}")
        if Program.objects.filter(is_template=True, name=DEMO_TEMPLATE).exists():
            out.write(
                f"\n  Each patient has a program that started a week ago; template: {DEMO_TEMPLATE}"
            )
        else:
            out.write(
                "\n  No demo programs: load the exercise library first (manage.py load_library)."
            )
        out.write("")

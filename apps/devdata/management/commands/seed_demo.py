from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.clinics.models import User
from apps.devdata.demo import DEMO_OPERATOR, DEMO_PASSWORD, DEMO_TEMPLATE, seed_demo
from apps.patients.auth import personal_link_url
from apps.patients.models import Patient
from apps.programs.models import Program

# `make run` prints the sign-ins just before the worker and beat start, whose banners and the
# demo's staff emails push them out of sight at once: they are kept here too (development
# data under var/, like the database whose links they are).
SIGN_INS_FILE = "demo-sign-ins.txt"


class Command(BaseCommand):
    help = "Create the demo clinics, staff and patients (idempotent) and print how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            # Every demo account's password is in the README, the operator's included.
            raise CommandError("seed_demo is for development: DJANGO_ENV is production")
        clinics = seed_demo()
        lines = ["Demo sign-ins (staff password for all: " + DEMO_PASSWORD + ")"]
        lines.append(
            f"\n  Operator      {DEMO_OPERATOR}: Django admin at {settings.SITE_URL}/ops/admin/"
        )
        for clinic in clinics:
            lines.append(f"\n  {clinic.name}")
            for user in User.objects.filter(
                clinic=clinic, role__in=["admin", "therapist"]
            ).order_by("role", "email"):
                lines.append(f"    {user.get_role_display():<13} {user.email}")
            for patient in Patient.objects.filter(clinic=clinic).order_by("full_name"):
                who = f"{patient.full_name} (year of birth {patient.year_of_birth})"
                lines.append(f"    Patient       {who}: {personal_link_url(patient)}")
        if Program.objects.filter(is_template=True, name=DEMO_TEMPLATE).exists():
            lines.append(
                f"\n  Each patient has a program that started a week ago; template: {DEMO_TEMPLATE}"
            )
        else:
            lines.append(
                "\n  No demo programs: load the exercise library first (manage.py load_library)."
            )
        path = settings.VAR_DIR / SIGN_INS_FILE
        # Readable by the developer only: it holds working patient links and the password.
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text("\n".join(lines) + "\n")
        out = self.stdout
        out.write(self.style.SUCCESS("\n" + lines[0]))
        for line in lines[1:]:
            out.write(line)
        out.write(f"\n  These sign-ins are also in {self._shown(path)}.")
        out.write("")

    @staticmethod
    def _shown(path: Path) -> str:
        """The file from the project's folder (var/...) when it is under it."""
        return (
            str(path.relative_to(settings.BASE_DIR))
            if path.is_relative_to(settings.BASE_DIR)
            else str(path)
        )

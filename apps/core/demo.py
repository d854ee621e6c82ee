"""The demo installation `make run` starts with: two clinics, their staff and patients."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from apps.clinics.models import Clinic, Role, User
from apps.patients.models import Patient
from apps.patients.services import patient_create

# Printed by seed_demo for the demo clinics only.
DEMO_PASSWORD = "clamshell-demo"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class DemoPatient:
    name: str
    year_of_birth: int
    time_zone: str
    email: str


@dataclass(frozen=True)
class DemoClinic:
    name: str
    domain: str
    time_zone: str
    therapists: tuple[str, str]
    patients: tuple[DemoPatient, ...] = field(default_factory=tuple)


DEMO_CLINICS = (
    DemoClinic(
        name="Riverside Physiotherapy",
        domain="riverside.example",
        time_zone="Europe/London",
        therapists=("Alex Morgan", "Priya Shah"),
        patients=(
            DemoPatient("Sam Taylor", 1961, "Europe/London", "sam@patients.example"),
            DemoPatient("Jordan Lee", 1985, "Europe/London", "jordan@patients.example"),
            DemoPatient("Maria Garcia", 1974, "Europe/Madrid", "maria@patients.example"),
            DemoPatient("Chris Obi", 1992, "Europe/London", "chris@patients.example"),
        ),
    ),
    DemoClinic(
        name="Hilltop Sports Clinic",
        domain="hilltop.example",
        time_zone="America/New_York",
        therapists=("Dana Brooks", "Kim Nguyen"),
        patients=(
            DemoPatient("Pat Rivera", 1958, "America/New_York", "pat@patients.example"),
            DemoPatient("Robin Chen", 1990, "America/Los_Angeles", "robin@patients.example"),
            DemoPatient("Ali Hassan", 1979, "America/Chicago", "ali@patients.example"),
        ),
    ),
)


def _staff(clinic: Clinic, email: str, name: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=name, clinic=clinic, role=role
        )
    return user


@transaction.atomic
def seed_demo() -> list[Clinic]:
    """Create the demo clinics if missing; running it again changes nothing."""
    clinics = []
    for spec in DEMO_CLINICS:
        clinic, _ = Clinic.objects.get_or_create(
            name=spec.name, defaults={"time_zone": spec.time_zone}
        )
        _staff(clinic, f"admin@{spec.domain}", f"{spec.name} admin", Role.ADMIN)
        therapists = [
            _staff(clinic, f"{name.split()[0].lower()}@{spec.domain}", name, Role.THERAPIST)
            for name in spec.therapists
        ]
        for index, person in enumerate(spec.patients):
            if not Patient.objects.filter(clinic=clinic, email=person.email).exists():
                patient_create(
                    therapist=therapists[index % 2],
                    full_name=person.name,
                    year_of_birth=person.year_of_birth,
                    email=person.email,
                    time_zone=person.time_zone,
                )
        clinics.append(clinic)
    return clinics

"""The authentication backend: Django's ModelBackend, whose signed-in user arrives with what
every page asks for next.

``get_user`` runs once per request (AuthenticationMiddleware). Loading the user's clinic and,
for a patient, their patient record (with its clinic) in the same query saves a query on every
staff page (``user.clinic``) and on every patient page (``own_patient``): on Today, served
from its page cache, that query was most of the time left (bench/README.md, today page).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from apps.clinics.models import User

BACKEND = "apps.patients.backends.SignedInUserBackend"
# The path sessions signed in before this backend carry (migration patients 0008).
DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class SignedInUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        users = User._default_manager.select_related("clinic", "patient__clinic")
        try:
            user = users.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

"""Django's model backend with the signed-in user read by a precompiled, prepared query.

Every signed-in request reads its user once (``request.user``); through the ORM that read's
SQL was compiled anew each time, a third of what reading the session and user cost
(bench/README.md, "Ninth session"). Signing in, permissions and ``user_can_authenticate``
are Django's own.

The user comes with their clinic (one join, no second query): every staff request asks
whether the clinic requires two-factor sign-in (``TwoFactorRequiredMiddleware``), and most
staff pages read the clinic anyway.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from apps.clinics.models import User
from apps.core.precompiled import PrecompiledQuery

# What a session signed in through this app names as its backend (``login(backend=...)``).
# Sessions signed in before it existed named Django's ModelBackend; clinics migration 0007
# renamed them.
SIGN_IN_BACKEND = "apps.clinics.backends.ClinicUserBackend"

_USER_BY_PK: PrecompiledQuery[User] = PrecompiledQuery(
    lambda pk: User.objects.filter(pk=pk).select_related("clinic").order_by()
)


class ClinicUserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = _USER_BY_PK.first(int(user_id))
        except (TypeError, ValueError):
            return None  # not a user id at all: no such user, as ModelBackend's lookup
        return user if user is not None and self.user_can_authenticate(user) else None

"""What every staff page's menu shows of the inbox: how many items wait there."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.notifications import selectors


def inbox_waiting(request: HttpRequest) -> dict[str, Any]:
    """``inbox_waiting``: the count of the signed-in staff member's waiting prompts and pain
    alerts, read (one query) only when a page's menu shows it: the patient's pages, the API
    and pages without the menu never pay for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_clinic_staff:
        return {}
    return {"inbox_waiting": SimpleLazyObject(lambda: selectors.inbox_waiting_count(user=user))}

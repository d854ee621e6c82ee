"""While its clinic is suspended, every request of its staff and patients is refused: a page
in the app's layout saying so (403), the API a 403 in JSON saying the same, by session or by
API token. Signing out, static files and the health check still open. Resuming brings every
session and token back; another clinic never notices. The check reads the clinic already
joined to the signed-in user (or to the token): no query more on any request."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from apps.clinics.models import Clinic, User
from apps.clinics.services import clinic_resume, clinic_suspend
from apps.clinics.suspension import (
    NOT_SAVED_CARRIED_FOR,
    NOT_SAVED_SESSION_KEY,
    SUSPENDED_CODE,
)
from apps.clinics.tokens import api_token_create
from tests.conftest import signed_in
from tests.factories import ExerciseItemFactory, ProgramFactory
from tests.portal.me_api import log_body

pytestmark = pytest.mark.django_db

SUSPENDED = "Your clinic's Clamshell account is suspended; contact "

STAFF_PAGES = ["/", "/dashboard/", "/patients/", "/library/", "/programs/", "/inbox/"]
ADMIN_PAGES = ["/clinic/settings/", "/clinic/staff/", "/clinic/api-tokens/", "/audit/"]
PATIENT_PAGES = ["/today/", "/history/", "/reminders/"]
STAFF_API = ["/api/v1/whoami/", "/api/v1/patients/", "/api/v1/exercises/"]
PATIENT_API = ["/api/v1/me/today/", "/api/v1/me/reminders/"]


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser("ops@example.org", "a long operator password")


@pytest.fixture
def suspended(clinic_a: Clinic, operator: User) -> Clinic:
    clinic_suspend(clinic=clinic_a, actor=operator, reason="Unpaid")
    return clinic_a


def _page_refused(response) -> str:
    assert response.status_code == 403
    body = html.unescape(response.content.decode())
    assert SUSPENDED in body
    assert '<nav aria-label="Main">' in body  # the app's layout
    return body


def _api_refused(response) -> None:
    assert response.status_code == 403
    payload = response.json()
    assert payload["message"].startswith(SUSPENDED)
    assert (payload["errors"], payload["code"]) == ({}, SUSPENDED_CODE)


def _bearer(admin: User, acting_as: User) -> Client:
    _, secret = api_token_create(admin=admin, user=acting_as, name="EHR")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- The matrix: pages and API, each role ---------------------------------------------------


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_therapists_pages_are_refused(suspended, therapist_a, path):
    body = _page_refused(signed_in(therapist_a).get(path))

    assert "Sign out" in body
    assert 'href="/patients/"' not in body  # no menu of pages that would be refused too


@pytest.mark.parametrize("path", STAFF_PAGES + ADMIN_PAGES)
def test_an_admins_pages_are_refused(suspended, admin_a, path):
    _page_refused(signed_in(admin_a).get(path))


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_a_patients_pages_are_refused(suspended, patient_a, path):
    _page_refused(signed_in(patient_a.user).get(path))


def test_the_patients_page_gives_the_clinics_phone(suspended, patient_a):
    Clinic.objects.filter(pk=suspended.pk).update(phone="01632 960 123")

    body = _page_refused(signed_in(patient_a.user).get("/today/"))

    assert "contact your clinic on 01632 960 123" in body


@pytest.mark.parametrize("path", STAFF_API)
def test_the_api_refuses_staff_sessions(suspended, therapist_a, path):
    _api_refused(signed_in(therapist_a).get(path))


@pytest.mark.parametrize("path", STAFF_API)
def test_the_api_refuses_api_tokens(suspended, admin_a, therapist_a, path):
    _api_refused(_bearer(admin_a, therapist_a).get(path))


@pytest.mark.parametrize("path", PATIENT_API)
def test_the_api_refuses_patient_sessions(suspended, patient_a, path):
    _api_refused(signed_in(patient_a.user).get(path))


def test_the_api_docs_page_is_the_suspended_page_not_json(suspended, therapist_a):
    # /api/docs/ lives under /api/ but is a page opened in a browser: JSON there read as a
    # broken page. Its schema, which the docs read, stays the API's JSON refusal.
    client = signed_in(therapist_a)

    docs = client.get("/api/docs/")
    schema = client.get("/api/schema/")

    _page_refused(docs)
    assert docs["Content-Type"].startswith("text/html")
    _api_refused(schema)


def test_the_api_docs_page_is_judged_by_its_session_not_a_token(suspended, admin_a, therapist_a):
    # A page reads no token: one sent to the docs page changes nothing.
    _, secret = api_token_create(admin=admin_a, user=therapist_a, name="EHR")

    response = signed_in(therapist_a).get("/api/docs/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    _page_refused(response)


def test_a_set_sent_while_suspended_is_refused_and_not_saved(suspended, patient_a):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program)
    client = signed_in(patient_a.user)

    one = client.post("/api/v1/me/logs/", log_body(item), content_type="application/json")
    batch = client.post(
        "/api/v1/me/logs/batch/", {"logs": [log_body(item)]}, content_type="application/json"
    )

    _api_refused(one)
    _api_refused(batch)
    assert not patient_a.set_logs.exists()


def test_a_set_sent_from_today_without_its_script_says_it_was_not_saved(suspended, patient_a):
    # The phone's script keeps a refused set and sends it later; a plain form cannot, so the
    # page must not leave "nothing you logged is lost" as the last word on it.
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program)

    response = signed_in(patient_a.user).post("/today/log/", log_body(item))

    body = _page_refused(response)
    assert "What you just sent was not saved: send it again once the account is resumed." in body
    assert not patient_a.set_logs.exists()


def test_a_page_only_opened_says_nothing_about_a_loss(suspended, patient_a):
    body = _page_refused(signed_in(patient_a.user).get("/today/"))

    assert "not saved" not in body


def test_a_write_is_refused_before_it_is_looked_at(suspended, admin_a):
    response = signed_in(admin_a).post("/clinic/settings/", {"pain_alert_level": "9"})

    _page_refused(response)
    assert Clinic.objects.get(pk=suspended.pk).pain_alert_level == 7


def test_a_part_of_a_page_has_the_browser_reload_it(suspended, therapist_a):
    response = signed_in(therapist_a).get("/patients/", HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"


NOT_SAVED_SUMMARY = (
    '<div class="form-errors" role="alert" tabindex="-1"><p>What you just sent was not saved: '
    "send it again once the account is resumed.</p></div>"
)


def test_a_form_sent_by_htmx_says_on_the_reloaded_page_that_it_was_not_saved(
    suspended, therapist_a
):
    # htmx swaps nothing on a 403 and reloads the page: the reload, a plain GET, must still
    # say what the refused request lost, in the summary the page's script focuses.
    program = ProgramFactory(patient__therapist=therapist_a)
    client = signed_in(therapist_a)

    sent = client.post(f"/programs/{program.public_id}/items/add-exercise/", HTTP_HX_REQUEST="true")
    reloaded = client.get(f"/programs/{program.public_id}/")
    again = client.get(f"/programs/{program.public_id}/")

    assert (sent.status_code, sent["HX-Refresh"]) == (403, "true")
    assert NOT_SAVED_SUMMARY in html.unescape(_page_refused(reloaded))
    assert "not saved" not in _page_refused(again)  # said once, by the reload


def test_a_part_of_a_page_only_asked_for_says_nothing_about_a_loss(suspended, therapist_a):
    client = signed_in(therapist_a)

    client.get("/patients/", HTTP_HX_REQUEST="true")

    assert "not saved" not in _page_refused(client.get("/patients/"))


def test_a_reload_that_never_came_leaves_no_word_on_a_page_opened_later(suspended, therapist_a):
    client = signed_in(therapist_a)
    client.post("/inbox/", HTTP_HX_REQUEST="true")
    session = client.session
    session[NOT_SAVED_SESSION_KEY] -= NOT_SAVED_CARRIED_FOR + 1  # as if sent a while ago
    session.save()

    assert "not saved" not in _page_refused(client.get("/inbox/"))


def test_an_operator_who_works_at_the_clinic_is_its_staff_in_django_admin_too(suspended):
    from tests.factories import AdminFactory

    own = AdminFactory(clinic=suspended, is_staff=True, is_superuser=True)

    _page_refused(signed_in(own).get("/ops/admin/"))


# --- What still opens -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/sw.js", "/manifest.webmanifest", "/offline/"])
def test_what_is_no_page_of_the_clinic_still_opens(suspended, patient_a, path):
    assert signed_in(patient_a.user).get(path).status_code in (200, 503)


def test_the_reminder_opt_out_link_still_works(suspended, patient_a):
    """An unsubscribe must keep working (a mail app's one-click unsubscribe, RFC 8058, posts
    it without anyone opening a page): it only sends less, and shows nothing of the clinic."""
    from apps.notifications.links import opt_out_url

    url = opt_out_url(patient_a).removeprefix(settings.SITE_URL)

    assert Client().get(url).status_code == 200
    assert Client().post(url).status_code == 200
    patient_a.refresh_from_db()
    assert not patient_a.reminders_enabled


def test_staff_can_still_sign_out(suspended, therapist_a):
    client = signed_in(therapist_a)

    assert client.post("/sign-out/")["Location"] == "/sign-in/"
    assert client.get("/patients/")["Location"].startswith("/sign-in/")


def test_an_operator_of_no_clinic_suspends_and_resumes_in_django_admin(suspended, operator):
    page = signed_in(operator).get(f"/ops/admin/clinics/clinic/{suspended.pk}/change/")

    assert page.status_code == 200


# --- Resuming, and other clinics ------------------------------------------------------------


def test_resuming_brings_back_every_session_and_token(suspended, operator, admin_a, patient_a):
    staff = signed_in(admin_a)
    patient = signed_in(patient_a.user)
    bearer = _bearer(admin_a, admin_a)
    assert staff.get("/patients/").status_code == 403

    clinic_resume(clinic=suspended, actor=operator)

    assert staff.get("/patients/").status_code == 200
    assert staff.get("/clinic/settings/").status_code == 200
    assert patient.get("/today/").status_code == 200
    assert patient.get("/api/v1/me/today/").status_code == 200
    assert bearer.get("/api/v1/whoami/").status_code == 200


def test_another_clinics_people_are_not_affected(suspended, admin_b, therapist_b, patient_b):
    assert signed_in(therapist_b).get("/patients/").status_code == 200
    assert signed_in(admin_b).get("/clinic/settings/").status_code == 200
    assert signed_in(patient_b.user).get("/today/").status_code == 200
    assert _bearer(admin_b, therapist_b).get("/api/v1/whoami/").status_code == 200


# --- No query more ---------------------------------------------------------------------------

# The clinic's own row read on its own (not joined to the user or the token).
CLINIC_READ = re.compile(r'FROM "clinics_clinic"')
WITHOUT_CHECK = [
    m for m in settings.MIDDLEWARE if m != "apps.clinics.middleware.SuspendedClinicMiddleware"
]


def _same_session(client: Client) -> Client:
    """A client of ``client``'s session whose middleware is loaded afresh (a client keeps the
    chain it loaded first, whatever settings change after)."""
    fresh = Client()
    fresh.cookies = client.cookies
    return fresh


def _queries(client: Client, method: str, path: str, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, **kwargs)
    assert response.status_code < 300, response.content
    return [query["sql"] or "" for query in captured.captured_queries]


@pytest.fixture
def one_tap(patient_a):
    program = ProgramFactory(patient=patient_a, start_date=date(2026, 1, 1))
    item = ExerciseItemFactory(program=program, per_side=False)

    def send(client: Client) -> list[str]:
        body = log_body(item, side="both")
        return _queries(
            client, "post", "/api/v1/me/logs/", data=body, content_type="application/json"
        )

    return send


def test_the_one_tap_log_makes_no_query_more_for_the_check(patient_a, one_tap):
    client = signed_in(patient_a.user)
    one_tap(client)  # the first set of the day plans what later ones reuse

    checked = one_tap(client)
    with override_settings(MIDDLEWARE=WITHOUT_CHECK):
        unchecked = one_tap(_same_session(client))

    assert len(checked) == len(unchecked)
    assert not [sql for sql in checked if CLINIC_READ.search(sql)]


@pytest.mark.parametrize("path", ["/patients/", "/api/v1/whoami/"])
def test_a_staff_request_makes_no_query_more_for_the_check(therapist_a, path):
    client = signed_in(therapist_a)
    client.get(path)

    checked = _queries(client, "get", path)
    with override_settings(MIDDLEWARE=WITHOUT_CHECK):
        unchecked = _queries(_same_session(client), "get", path)

    assert len(checked) == len(unchecked)


def test_a_token_request_reads_the_clinic_with_the_token(admin_a):
    client = _bearer(admin_a, admin_a)

    queries = _queries(client, "get", "/api/v1/whoami/")

    assert not [sql for sql in queries if CLINIC_READ.search(sql)]
    [token_read] = [sql for sql in queries if 'FROM "clinics_apitoken"' in sql]
    assert 'JOIN "clinics_clinic"' in token_read


def test_a_clinic_requiring_two_factor_tells_its_staff_it_is_suspended_first(
    suspended, therapist_a
):
    Clinic.objects.filter(pk=suspended.pk).update(require_two_factor=True)

    _page_refused(signed_in(therapist_a).get("/patients/"))
    _api_refused(signed_in(therapist_a).get("/api/v1/whoami/"))

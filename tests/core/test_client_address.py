"""The client address comes from X-Forwarded-For only through the trusted proxies."""

import pytest
from django.test import Client, RequestFactory, override_settings

from apps.audit.models import AuditEntry
from apps.core.ratelimit import client_address
from apps.patients import auth
from tests.factories import STAFF_PASSWORD, PatientFactory

PROXY = "172.18.0.5"  # the reverse proxy as the app sees it


def address(forwarded: str | None, remote: str = PROXY) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


@pytest.fixture
def low_limit(monkeypatch):
    """Two link attempts per address: short tests, and no link locks before the limit."""
    monkeypatch.setattr("apps.portal.views.signin.LINK_FAILURES_PER_IP_PER_HOUR", 2)


def test_without_trusted_proxies_the_header_is_ignored():
    assert address("203.0.113.9", remote="198.51.100.1") == "198.51.100.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        # Whatever the client wrote itself stays left of what the proxy appended.
        ("6.6.6.6, 203.0.113.9", "203.0.113.9"),
        ("6.6.6.6,203.0.113.9", "203.0.113.9"),
        ("2001:db8::7", "2001:db8::7"),
        (None, PROXY),
        ("", PROXY),
        ("not-an-address", PROXY),
    ],
)
def test_one_trusted_proxy_vouches_for_the_last_entry(forwarded, expected):
    assert address(forwarded) == expected


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_trusted_proxies_vouch_for_the_second_entry_from_the_right():
    assert address("6.6.6.6, 203.0.113.9, 10.0.0.2") == "203.0.113.9"
    # Shorter than the chain of proxies: the request skipped one, so only the peer counts.
    assert address("203.0.113.9") == PROXY


@pytest.mark.django_db
def test_a_client_cannot_pick_its_bucket_by_writing_the_header(therapist_a, low_limit):
    patient = PatientFactory(therapist=therapist_a)
    statuses = []
    for n in range(3):
        client = Client(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        path = auth.personal_link_path(patient)
        statuses.append(client.post(path, {"year_of_birth": 1900}).status_code)

    assert statuses == [400, 400, 429]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_client_has_its_own_bucket(therapist_a, low_limit):
    patients = PatientFactory.create_batch(2, therapist=therapist_a)
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for n in range(3):
        attacker.post(auth.personal_link_path(patients[n % 2]), {"year_of_birth": 1900})
    neighbour = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    other = PatientFactory(therapist=therapist_a, year_of_birth=1970)

    response = neighbour.post(auth.personal_link_path(other), {"year_of_birth": 1970})

    assert attacker.post(auth.personal_link_path(patients[0]), {}).status_code == 429
    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_attacker_behind_the_proxy_does_not_lock_the_staff_member_out(therapist_a):
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(6):
        attacker.post("/sign-in/", {"username": therapist_a.email, "password": "wrong"})
    therapist = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")

    response = therapist.post(
        "/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD}
    )

    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_audit_log_records_the_client_not_the_proxy(therapist_a):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20")

    client.post("/sign-in/", {"username": therapist_a.email, "password": STAFF_PASSWORD})

    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert entry.ip_address == "198.51.100.20"

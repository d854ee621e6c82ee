import pytest


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script(client):
    response = client.get("/sign-in/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_session_store_keeps_only_a_hash_of_the_session_id(client, therapist_a):
    from django.contrib.sessions.models import Session

    client.force_login(therapist_a)
    cookie = client.cookies["sessionid"].value

    assert not Session.objects.filter(session_key=cookie).exists()
    assert Session.objects.count() == 1
    assert client.get("/patients/").status_code == 200

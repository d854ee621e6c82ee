import pytest

from apps.core import health
from tests.conftest import celery_conf


@pytest.mark.django_db
def test_it_reports_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_returns_503_when_the_broker_is_unreachable(client):
    with celery_conf(broker_url="redis://127.0.0.1:1/0", broker_write_url=None):  # port 1: none
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_it_returns_503_when_the_database_is_down(client, monkeypatch):
    # Taking the test database down would break the rest of the run; fail the probe instead.
    monkeypatch.setattr(health, "database_ok", lambda: False)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"

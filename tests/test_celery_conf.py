"""The test helper that changes Celery settings leaves nothing behind.

Once it restored values by writing them back under both names, including a
``CELERY_BROKER_WRITE_URL`` that had never been set; that entry then shadowed
``broker_write_url`` for the rest of the run, so the fault tests' producer kept publishing to
the suite's Redis instead of their private one and timed out (they passed when run alone)."""

from config.celery import app
from tests.conftest import celery_conf


def test_a_plain_name_set_after_celery_conf_still_takes_effect():
    before = dict(app.conf.changes)
    with celery_conf(broker_url="redis://127.0.0.1:1/0", broker_write_url=None):
        assert app.conf.broker_write_url == "redis://127.0.0.1:1/0"

    assert dict(app.conf.changes) == before
    app.conf.broker_write_url = "redis://127.0.0.1:2/0"
    try:
        assert app.conf.broker_write_url == "redis://127.0.0.1:2/0"
    finally:
        app.conf.changes.clear()
        app.conf.changes.update(before)


def test_a_value_set_before_celery_conf_is_put_back():
    before = dict(app.conf.changes)
    app.conf.changes["broker_read_url"] = "redis://127.0.0.1:3/0"
    try:
        with celery_conf(broker_read_url="redis://127.0.0.1:4/0"):
            assert app.conf.broker_read_url == "redis://127.0.0.1:4/0"
        assert app.conf.broker_read_url == "redis://127.0.0.1:3/0"
        assert "CELERY_BROKER_READ_URL" not in app.conf.changes
    finally:
        app.conf.changes.clear()
        app.conf.changes.update(before)

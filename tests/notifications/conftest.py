import pytest
from django.db import transaction

from tests.conftest import celery_conf


@pytest.fixture
def eager():
    """Run enqueued tasks inline (fast unit tests only; the integration tests use a worker)."""
    with celery_conf(task_always_eager=True):
        yield


@pytest.fixture
def sms_outbox(settings):
    from apps.core.sms import LocmemSMSBackend

    settings.SMS_BACKEND = "apps.core.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox = []
    yield LocmemSMSBackend.outbox
    LocmemSMSBackend.outbox = []


def make_prompt(patient, reps=20):
    """A pending prompt for ``patient`` on a fresh clamshell-style ladder item."""
    from apps.programs.progression import prompt_for_log
    from tests.factories import LadderItemFactory
    from tests.notifications.factories import SetLogFactory

    item = LadderItemFactory(program__patient=patient, per_side=False)
    log = SetLogFactory(item=item, reps=reps)
    # In a transaction, as the evaluation runs it (it locks the patient's row): browser tests
    # run outside one.
    with transaction.atomic():
        prompt, _ = prompt_for_log(log=log)
    return prompt


@pytest.fixture
def prompt_a(patient_a):
    return make_prompt(patient_a)


@pytest.fixture
def prompt_b(patient_b):
    return make_prompt(patient_b)

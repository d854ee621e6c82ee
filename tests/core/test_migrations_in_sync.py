"""Every model change has its migration: a change without one would reach a clinic's database
only as a surprise at the next ``makemigrations``."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_and_their_migrations_agree(capsys):
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=1)
    except SystemExit as exc:  # --check exits non-zero when a migration is missing
        pytest.fail(f"a migration is missing:\n{capsys.readouterr().out}")
        raise AssertionError from exc

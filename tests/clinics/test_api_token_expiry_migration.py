"""Tokens made before tokens expired get 365 days from the upgrade: no integration stops at
the upgrade, and every token still stops some day."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.clinics.models import ApiToken
from apps.clinics.tokens import api_token_create

pytestmark = pytest.mark.django_db

BEFORE = ("clinics", "0013_clinic_health_details_in_staff_emails")


def test_tokens_made_before_expiry_get_365_days_from_the_migration(admin_a):
    with time_machine.travel("2025-01-10 08:00:00Z", tick=False):
        token, _ = api_token_create(admin=admin_a, user=admin_a, name="Old sync")
    with connection.cursor() as cursor:  # PostgreSQL alters no table with checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        MigrationExecutor(connection).migrate([BEFORE])
    finally:
        with time_machine.travel("2026-12-07 06:00:00Z", tick=False):
            executor = MigrationExecutor(connection)
            executor.migrate(executor.loader.graph.leaf_nodes())

    expires_at = ApiToken.objects.values_list("expires_at", flat=True).get(pk=token.pk)
    assert expires_at.isoformat() == "2027-12-07T06:00:00+00:00"

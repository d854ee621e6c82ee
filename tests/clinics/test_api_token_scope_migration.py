"""Tokens made before tokens had a scope keep doing what they did (read and write): no
integration stops working at the upgrade."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.clinics.models import ApiToken, TokenScope
from apps.clinics.tokens import api_token_create

pytestmark = pytest.mark.django_db

BEFORE = ("clinics", "0014_apitoken_expires_at")


def test_tokens_made_before_scopes_may_read_and_write(admin_a):
    token, _ = api_token_create(admin=admin_a, user=admin_a, name="Old sync")
    with connection.cursor() as cursor:  # PostgreSQL alters no table with checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        MigrationExecutor(connection).migrate([BEFORE])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert ApiToken.objects.get(pk=token.pk).scope == TokenScope.READ_WRITE

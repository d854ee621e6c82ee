"""The content security policy that production sends: no inline script, no other origin."""

import json
import subprocess
import sys

import pytest

from tests.core.test_settings import ROOT, clean_env

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "clinic.example",
}
# Fetch a few answers through the whole middleware stack with production settings.
FETCH = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="clinic.example")
paths = ["/api/v1/whoami/", "/api/docs/?script", "/no-such-page/"]
print(json.dumps({p: client.get(p, secure=True).get("Content-Security-Policy") for p in paths}))
"""


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_strict(csp: str) -> None:
    policy = directives(csp)
    scripts = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    # Only the app itself: no scheme, host or wildcard source in any directive.
    for name, sources in policy.items():
        for source in sources:
            assert source in {"'self'", "'none'", "data:"}, f"{name} allows {source}"


def test_the_production_policy_allows_no_inline_script_and_no_other_origin():
    env = clean_env()
    env.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "-c", FETCH],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    policies = json.loads(result.stdout.strip().splitlines()[-1])

    assert len(policies) == 3
    for csp in policies.values():
        assert csp
        assert_strict(csp)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sign-in/", "/api/docs/", "/api/docs/?script", "/sign-in/link/"])
def test_every_kind_of_page_gets_the_strict_policy(client, path):
    assert_strict(client.get(path)["Content-Security-Policy"])


def test_the_strict_check_catches_what_the_old_docs_policy_allowed():
    old = "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net"

    with pytest.raises(AssertionError):
        assert_strict(old)

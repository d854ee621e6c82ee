"""Every API input refuses keys it does not know (``apps.core.api_input.StrictInput``), so a
misspelt field is a 400 that names it, never a 200 that changed nothing; except the bodies a
patient's phone keeps offline and sends later, where an older page's extra field must not
cost the set or the answers (the module's docstring says why)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from rest_framework import serializers

import apps
from apps.core.api_input import UNKNOWN_FIELD, StrictInput

KEPT_ON_THE_PHONE = {
    "apps.portal.serializers.SetLogCreateIn",
    "apps.portal.serializers.SetLogBatchIn",
    "apps.portal.api.morning.MorningCheckIn",
    "apps.outcomes.api.serializers.AnswersIn",
    "apps.outcomes.api.serializers.SubmitIn",
}


def _all_app_modules() -> None:
    for module in pkgutil.walk_packages(apps.__path__, "apps."):
        if ".migrations" not in module.name and not module.name.endswith(".tests"):
            importlib.import_module(module.name)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def _inputs() -> dict[str, type]:
    _all_app_modules()
    return {
        f"{cls.__module__}.{cls.__qualname__}": cls
        for cls in _subclasses(serializers.Serializer)
        if cls.__module__.startswith("apps.") and re.search(r"(In|Input)$", cls.__name__)
    }


def test_every_api_input_refuses_unknown_keys_but_what_the_phone_keeps():
    inputs = _inputs()

    assert len(inputs) > 20  # found them all, not none
    loose = sorted(name for name, cls in inputs.items() if not issubclass(cls, StrictInput))
    assert loose == sorted(KEPT_ON_THE_PHONE)


class _Example(StrictInput[dict[str, object]]):
    name = serializers.CharField()
    count = serializers.IntegerField(required=False)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": "a", "cuont": 2}, {"cuont"}),
        ({"cuont": 2}, {"cuont", "name"}),  # beside the other problems, in one answer
        ({"name": "a", "count": "x", "extra": 1}, {"count", "extra"}),
    ],
)
def test_an_unknown_key_is_named_beside_every_other_problem(data, errors):
    given = _Example(data=data)

    assert not given.is_valid()
    assert set(given.errors) == errors
    assert [str(m) for m in given.errors[next(iter(errors - {"name", "count"}))]] == [UNKNOWN_FIELD]


def test_a_known_body_is_valid():
    given = _Example(data={"name": "a", "count": 2})

    assert given.is_valid(), given.errors
    assert given.validated_data == {"name": "a", "count": 2}

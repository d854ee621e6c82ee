from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ExerciseFactory


@pytest.fixture(autouse=True)
def media_root(media_storage):
    return media_storage


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def exercise(clinic_a):
    return ExerciseFactory(clinic=clinic_a, name="Clam with band")


@pytest.fixture
def shared_exercise(db):
    return ExerciseFactory(clinic=None, name="Side-lying abduction")


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)

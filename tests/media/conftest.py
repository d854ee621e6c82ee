from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import need_service
from tests.factories import ExerciseFactory
from tests.media import samples


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores into a folder of its own, so "nothing stored" can be checked."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return root


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory):
    need_service("ffmpeg", samples.have_ffmpeg(), "install ffmpeg (Debian package ffmpeg)")
    return tmp_path_factory.mktemp("videos")


@pytest.fixture
def exercise(clinic_a):
    return ExerciseFactory(clinic=clinic_a, name="Clam with band")


@pytest.fixture
def shared_exercise(db):
    return ExerciseFactory(clinic=None, name="Side-lying abduction")


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)

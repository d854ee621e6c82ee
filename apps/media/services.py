"""Every change to a clinic's photos and videos: upload, replace, choose first, delete.

Each runs in one transaction with its audit entry. Files are written to storage inside that
transaction and removed again if it fails, so a refused or failed upload leaves no file
behind; a deleted row's files go once the deletion has committed, and only when no other row
of the clinic still names them (the same photo uploaded twice has the same names).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from apps.audit.models import Action
from apps.audit.services import audit_record
from apps.clinics.models import Clinic, User
from apps.clinics.services import clinic_today_bump
from apps.core.once import mark_replayed
from apps.exercises.models import Exercise
from apps.media.models import VARIANTS, ExerciseMedia, Kind
from apps.media.processing import (
    MediaRefused,
    Picture,
    Rendition,
    check_video,
    photo_renditions,
    poster_renditions,
)
from apps.media.selectors import clinic_usage
from apps.media.sniff import HEAD_BYTES, Sniffed, sniff
from apps.media.upload import limit_for, not_allowed, over_quota, too_large

FOLDER = "exercise-media"


@dataclass
class Prepared:
    """What an upload becomes before anything is stored."""

    kind: Kind
    renditions: list[Rendition]
    video: UploadedFile | None = None
    video_type: str = ""
    video_digest: str = ""
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        """Bytes put in storage: each distinct file once (a small photo's three sizes are
        the same picture, stored under one name)."""
        video = (self.video.size or 0) if self.video is not None else 0
        files = {(r.digest, r.extension): len(r.content) for r in self.renditions}
        return video + sum(files.values())


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _checked_type(upload: UploadedFile) -> Sniffed:
    if not upload.size:
        raise MediaRefused("The file is empty. Choose a photo or a video.")
    sniffed = sniff(_head(upload))
    if sniffed is None:
        raise not_allowed()
    if upload.size > limit_for(sniffed.kind):
        raise too_large(sniffed.kind)
    return sniffed


@contextmanager
def _on_disk(upload: UploadedFile) -> Iterator[str]:
    """A path to the upload's bytes for ffmpeg (a temporary copy when it is in memory)."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        yield path()
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name


def _digest(upload: UploadedFile) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()[:32]


def media_prepare(upload: UploadedFile) -> Prepared:
    """Check and convert an upload; MediaRefused (400/413) when it is not acceptable."""
    sniffed = _checked_type(upload)
    if sniffed.kind == Kind.PHOTO:
        upload.seek(0)
        picture = photo_renditions(upload)
        return Prepared(Kind.PHOTO, picture.renditions, width=picture.width, height=picture.height)
    with _on_disk(upload) as path:
        check_video(path, sniffed.content_type)
        poster: Picture | None = poster_renditions(path)
    return Prepared(
        Kind.VIDEO,
        poster.renditions if poster else [],
        video=upload,
        video_type=sniffed.content_type,
        video_digest=_digest(upload),
        width=poster.width if poster else 0,
        height=poster.height if poster else 0,
    )


def _name(clinic: Clinic, digest: str, extension: str) -> str:
    return f"{FOLDER}/{clinic.public_id}/{digest}.{extension}"


def _video_name(clinic: Clinic, prepared: Prepared) -> str:
    extension = "mp4" if prepared.video_type == "video/mp4" else "webm"
    return _name(clinic, prepared.video_digest, extension)


def _names(clinic: Clinic, prepared: Prepared) -> dict[str, str]:
    """The name each variant will be stored under ("" for a variant it has not)."""
    names = dict.fromkeys(VARIANTS, "")
    names |= {r.variant: _name(clinic, r.digest, r.extension) for r in prepared.renditions}
    if prepared.video is not None:
        names["video"] = _video_name(clinic, prepared)
    return names


def _store(clinic: Clinic, prepared: Prepared, written: list[str]) -> dict[str, str]:
    """Save the prepared files; names newly written are appended to ``written``."""
    names: dict[str, str] = {}
    files: list[tuple[str, str, IO[bytes] | File[bytes]]] = [
        (r.variant, _name(clinic, r.digest, r.extension), ContentFile(r.content))
        for r in prepared.renditions
    ]
    if prepared.video is not None:
        prepared.video.seek(0)
        files.append(("video", _video_name(clinic, prepared), prepared.video))
    for variant, name, content in files:
        # Content-hashed: a name that exists already holds exactly these bytes.
        if not default_storage.exists(name):
            saved = default_storage.save(name, content)
            written.append(saved)
            name = saved
        names[variant] = name
    return names


def _lock_quota(clinic: Clinic, prepared: Prepared, replacing: ExerciseMedia | None = None) -> None:
    """Hold the clinic's row while counting its storage, so two uploads cannot both fit.

    Files are stored once per clinic, however many rows name them, and counted so
    (``clinic_usage``): files another row already names add nothing, and a replaced row's
    files free nothing while another row still names them."""
    Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
    others = ExerciseMedia.objects.filter(clinic=clinic)
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    adding = 0 if others.filter(**_names(clinic, prepared)).exists() else prepared.size
    freeing = 0
    if replacing is not None and not others.filter(**_set_of(replacing)).exists():
        freeing = replacing.stored_bytes
    left = _quota() - clinic_usage(clinic_id=clinic.pk) + freeing
    if adding > left:
        raise over_quota(needs=adding, left=left)


def _set_of(media: ExerciseMedia) -> dict[str, str]:
    return {variant: getattr(media, variant) for variant in VARIANTS}


def _quota() -> int:
    return int(settings.MEDIA_CLINIC_QUOTA_BYTES)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _unused(clinic_id: int, names: list[str]) -> list[str]:
    """Those of ``names`` no row of the clinic names any more."""
    still = Q()
    for variant in VARIANTS:
        still |= Q(**{f"{variant}__in": names})
    used = ExerciseMedia.objects.filter(still, clinic_id=clinic_id).values_list(*VARIANTS)
    in_use = {name for row in used for name in row}
    return [name for name in names if name not in in_use]


def _fields(prepared: Prepared, names: dict[str, str]) -> dict[str, object]:
    return {
        "kind": prepared.kind,
        **{variant: names.get(variant, "") for variant in VARIANTS},
        "video_type": prepared.video_type,
        "width": prepared.width,
        "height": prepared.height,
        "stored_bytes": prepared.size,
    }


def _audit(
    actor: User, action: Action, media: ExerciseMedia, what: str, request: HttpRequest | None
) -> None:
    """Every change here calls this in its transaction: the audit entry (with the address
    ``request`` came from), and the bump that makes the Today pages of the clinic's patients
    (which show its first photo and video of each exercise) miss."""
    clinic_today_bump(clinic_id=media.clinic_id)
    detail = f"{media.get_kind_display()} of {media.exercise.name}: {what}"
    audit_record(actor=actor, action=action, target=media, detail=detail, request=request)


def media_upload(
    *,
    actor: User,
    exercise: Exercise,
    upload: UploadedFile,
    first: bool = False,
    request: HttpRequest | None = None,
) -> ExerciseMedia:
    """Store a photo or video of ``exercise`` for the actor's clinic. The first of its kind
    on the exercise is shown first; ``first`` makes the new one shown first. A file the
    exercise already has is not added again: its row is returned (``replayed``), shown first
    if ``first`` asks."""
    clinic = actor.clinic
    assert clinic is not None  # callers pass clinic staff
    prepared = media_prepare(upload)
    written: list[str] = []
    try:
        with transaction.atomic():
            _lock_quota(clinic, prepared)
            # After the clinic's lock: a double click's second upload waits for the first.
            if (same := _same_file(clinic, exercise, prepared)) is not None:
                shown = (
                    media_make_first(actor=actor, media=same, request=request) if first else same
                )
                return mark_replayed(shown)
            names = _store(clinic, prepared, written)
            siblings = ExerciseMedia.objects.filter(
                clinic=clinic, exercise=exercise, kind=prepared.kind
            )
            first = first or not siblings.exists()
            if first:
                siblings.filter(is_first=True).update(is_first=False)
            media = ExerciseMedia.objects.create(
                clinic=clinic, exercise=exercise, uploaded_by=actor, is_first=first,
                **_fields(prepared, names),
            )  # fmt: skip
            _audit(actor, Action.CREATE, media, "uploaded", request)
    except BaseException:
        _delete_files(written)
        raise
    return media


def _same_file(clinic: Clinic, exercise: Exercise, prepared: Prepared) -> ExerciseMedia | None:
    """The clinic's row of ``exercise`` that already shows this very file (a double click, a
    retried upload): files are named by their content, so its main file has the same name."""
    main = "video" if prepared.kind == Kind.VIDEO else "phone"
    name = _names(clinic, prepared)[main]
    rows = ExerciseMedia.objects.filter(clinic=clinic, exercise=exercise, kind=prepared.kind)
    return rows.filter(**{main: name}).select_related("exercise").first()


def media_replace(
    *,
    actor: User,
    media: ExerciseMedia,
    upload: UploadedFile,
    request: HttpRequest | None = None,
) -> ExerciseMedia:
    """Put a new file in place of ``media``'s, keeping its place; a photo is replaced by a
    photo and a video by a video."""
    prepared = media_prepare(upload)
    if prepared.kind != media.kind:
        noun = media.get_kind_display().lower()
        raise MediaRefused(f"A {noun} can only be replaced by another {noun}.")
    old = list(media.files().values())
    written: list[str] = []
    try:
        with transaction.atomic():
            _lock_quota(media.clinic, prepared, replacing=media)
            names = _store(media.clinic, prepared, written)
            for name, value in _fields(prepared, names).items():
                setattr(media, name, value)
            media.save(update_fields=[*VARIANTS, "video_type", "width", "height", "stored_bytes"])
            _audit(actor, Action.CHANGE, media, "replaced", request)
            transaction.on_commit(lambda: _delete_files(_unused(media.clinic_id, old)))
    except BaseException:
        _delete_files(written)
        raise
    return media


@transaction.atomic
def media_make_first(
    *, actor: User, media: ExerciseMedia, request: HttpRequest | None = None
) -> ExerciseMedia:
    """Show ``media`` first among its kind on its exercise (idempotent)."""
    if media.is_first:
        return media
    ExerciseMedia.objects.filter(
        clinic_id=media.clinic_id, exercise_id=media.exercise_id, kind=media.kind, is_first=True
    ).update(is_first=False)
    media.is_first = True
    media.save(update_fields=["is_first"])
    _audit(actor, Action.CHANGE, media, "shown first", request)
    return media


def media_delete(*, actor: User, media: ExerciseMedia, request: HttpRequest | None = None) -> None:
    """Delete the row (the next of its kind becomes first) and, after the commit, its files."""
    names = list(media.files().values())
    clinic_id = media.clinic_id
    with transaction.atomic():
        _audit(actor, Action.DELETE, media, "deleted", request)
        was_first = media.is_first
        media.delete()
        if was_first:
            following = (
                ExerciseMedia.objects.filter(
                    clinic_id=clinic_id, exercise_id=media.exercise_id, kind=media.kind
                )
                .in_order()
                .first()
            )
            if following is not None:
                following.is_first = True
                following.save(update_fields=["is_first"])
        transaction.on_commit(lambda: _delete_files(_unused(clinic_id, names)))

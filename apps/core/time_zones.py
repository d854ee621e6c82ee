"""Time zone names: every name the machine knows, and the ones people choose from.

The zone database keeps old and duplicate names as links to the current ones ("backward":
Asia/Calcutta for Asia/Kolkata, America/Godthab for America/Nuuk, US/Eastern for
America/New_York). A list of every name offers the same place twice or under a name its
people no longer use, so the lists offer only the zones of the database's own tables of
places (``zone.tab``, one or more zones per country, and ``zone1970.tab``), plus UTC. A linked
name is still a known zone: a patient who already has one keeps it, and a new choice of one is
stored under the current name it links to (``offered_name``).
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from importlib import resources
from pathlib import Path

from django.core.exceptions import ValidationError

# Files in the system's zone database that are not places: "localtime" follows the server's
# own clock setting, "Factory" is no zone at all, and "posix/…", "right/…" are copies (the
# latter counting leap seconds). ZoneInfo opens them all; a patient's day must not hang on them.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})
# Only when the database has no table of places: its names but for these families of links.
_LINK_FAMILIES = frozenset({"Etc", "US", "SystemV", "Brazil", "Canada", "Chile", "Mexico"})


@cache
def known_zones() -> frozenset[str]:
    """Every zone name this machine can open, links included."""
    return frozenset(zoneinfo.available_timezones()) - _NOT_PLACES


@cache
def offered_zones() -> frozenset[str]:
    """The names to offer: UTC and each zone of the database's tables of places that this
    machine knows. Read once per process."""
    listed = {
        line.split("\t")[2]
        for table in ("zone.tab", "zone1970.tab")
        for line in (_database_file(table) or "").splitlines()
        if line and not line.startswith("#")
    }
    if not listed:  # a database shipped without its tables
        listed = {
            zone
            for zone in known_zones()
            if "/" in zone and zone.split("/")[0] not in _LINK_FAMILIES
        }
    return frozenset({"UTC"} | (listed & known_zones()))


def offered_name(name: str) -> str | None:
    """The offered name for ``name``: itself when offered, the offered zone it is a link to
    (Asia/Calcutta: Asia/Kolkata), else None (an unknown name, or one such as Etc/GMT+5
    that names no place)."""
    links = _links()
    for _ in range(4):  # a link to a link, at most a few deep
        if name in offered_zones():
            return name
        if name not in links:
            return None
        name = links[name]
    return None


@cache
def _links() -> dict[str, str]:
    """Each linked name and the name it links to, from the database's ``tzdata.zi``
    ("L Asia/Kolkata Asia/Calcutta"); empty when the database has no such file."""
    links = {}
    for line in (_database_file("tzdata.zi") or "").splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            links[name] = "UTC" if target == "Etc/UTC" else target
    return links


def _database_file(name: str) -> str | None:
    """A file of the zone database ``zoneinfo`` reads: in the system's folders first, as
    ``zoneinfo`` does, then in the ``tzdata`` package."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return None


def zone_to_store(name: str) -> str:
    """A newly chosen zone as it is stored: ``offered_name``, else a ValidationError that
    says why not."""
    found = offered_name(name)
    if found is not None:
        return found
    if name in known_zones():
        raise ValidationError(
            f"{name!r} is not a place's time zone: give one such as Europe/London."
        )
    raise ValidationError(f"{name!r} is not a known time zone.")

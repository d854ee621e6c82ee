"""Write smoke test on the demo installation (``load_library`` + ``seed_demo``, as
``test_demo_smoke`` builds it): every form a demo role reaches on its pages is sent back as
drawn, then with odd values in each field in turn, as a browser would send them (the page's
CSRF token, through htmx where the form posts with it).

Whatever is sent, the answer is never a 5xx; a refused submission (a 4xx, or the page sent
back with its form's errors) changes no row of the app's tables; and no submission changes a
row of the other clinic's. Each submission runs in a savepoint rolled back after it, so the
forms see the demo as seeded; what it wrote is read from PostgreSQL itself (the tables this
transaction wrote to, the rows whose version is the savepoint's, the rows gone), so an update
counts as much as an insert.

The odd values: empty, blank, 10,000 characters of other scripts and right-to-left marks, a
NUL, numbers negative, huge, zero and decimal, dates out of range or not in the calendar, a
choice not offered, the other clinic's public id where the field carries one of the sender's
clinic's, the field sent twice and the field left out. To keep the test within a minute each
field gets one of its kind's values in turn; ``DEMO_FORMS_EVERY_VALUE=1`` sends every value
in every field (about 5 minutes) and, with ``-s``, prints the odd values a form saved, to read.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from apps.clinics.models import Clinic
from tests.conftest import _clear_cache
from tests.devdata.test_demo_smoke import (  # noqa: F401 (the fixtures, with the demo)
    ONCE,
    UNFILLED,
    Demo,
    Person,
    _quiet_and_unthrottled,
    clinic_of,
    demo,
    page_targets,
    people,
    visible,
)
from tests.drawn_form import Control, DrawnForm, drawn_forms
from tests.security.expectations import PAGES, PUBLIC
from tests.security.matrix import body_of, page_routes

pytestmark = pytest.mark.django_db

# Odd values, by the kind of control they are sent in. ``TWICE``: the field sent twice;
# ``MISSING``: the field left out.
TWICE, MISSING = "<twice>", "<missing>"
LONG = ("é漢字🙂 مرحبا \u202eevil " * 400)[:10_000]
TEXT = ("", "   ", LONG, "a\x00b", TWICE, MISSING)
ODD: dict[str, tuple[str, ...]] = {
    "text": TEXT,
    "number": ("-1", "99999999999999999999", "0", "1.5", *TEXT),
    "date": ("0001-01-01", "9999-12-31", "2026-02-30", *TEXT),
    "time": ("25:61", *TEXT),
    "choice": ("not-an-option", *TEXT),
    "checkbox": ("on", "x" * 10_000, "a\x00b", TWICE, MISSING),
    "file": ("", MISSING),
}
# Each field is sent with one odd value of its kind, the next one for the next field of that
# kind (the whole list: DEMO_FORMS_EVERY_VALUE=1); and, where it carries one of the sender's
# clinic's public ids, with the other clinic's.
EVERY_VALUE = bool(os.environ.get("DEMO_FORMS_EVERY_VALUE"))

# What a person types where the page leaves a field empty, so that the odd value of one field
# is not refused only for another's being empty.
PLAIN = {
    "number": "1", "email": "forms@example.com", "tel": "+44 7700 900456", "time": "09:00",
    "url": "https://example.com/", "password": "A long pass phrase 2026!",
    "text": "Plain words", "search": "bridge", "textarea": "Plain words.",
}  # fmt: skip
# Markers of a page sent back with its form's errors (templates/includes/*errors.html).
ERROR_MARKERS = ('class="form-errors', 'class="field-error"', 'class="errorlist"')
# Written on every request that carries a session.
NOT_APP_TABLES = ("django_session",)


# --- What is sent -------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    page: str
    form: str  # the URL it posts to
    htmx: bool
    data: dict[str, list[Any]]
    what: str  # "as drawn", or the field and its odd value


def _kind(control: Control) -> str:
    if control.kind in {"select", "radio"}:
        return "choice"
    if control.kind in {"number", "range"} or _is_number(control.value):
        return "number"
    if control.kind in ODD:
        return control.kind
    if control.kind == "hidden" and _is_date(control.value):
        return "date"
    return "text"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return bool(value.strip())


def _is_date(value: str) -> bool:
    return len(value) == 10 and value[4] == "-" and value[7] == "-"


def _drawn(form: DrawnForm, *, filled: bool, today: str) -> dict[str, list[Any]]:
    """What a browser sends from the form as drawn (``filled``: with its empty fields filled
    with plain values, as a person would), with the first of its submit buttons."""
    data: dict[str, list[Any]] = {}
    for control in form.controls:
        if control.disabled or control.kind in {"submit", "button", "reset", "image", "file"}:
            continue
        if control.kind in {"checkbox", "radio"}:
            if control.checked:
                data.setdefault(control.name, []).append(control.value or "on")
        elif control.kind == "select" and control.multiple:
            data[control.name] = list(control.selected)
        else:
            value = control.value or (_plain(control, today) if filled else "")
            data.setdefault(control.name, []).append(value)
    if filled:
        for control in form.controls:  # a radio group with none chosen: its first choice
            if control.kind == "radio" and control.name not in data:
                data[control.name] = [control.value]
    button = next((c for c in form.controls if c.kind == "submit" and not c.disabled), None)
    if button is not None:
        data.setdefault(button.name, []).append(button.value)
    return data


def _plain(control: Control, today: str) -> str:
    if control.kind == "select":
        return next((option for option in control.options if option), "")
    if control.kind == "date":
        return today
    return PLAIN.get(control.kind, "")


class Rotation:
    """Hands out each kind's odd values in turn, across every field of every form."""

    def __init__(self) -> None:
        self.turns: dict[str, int] = {}

    def values(self, control: Control, others: dict[str, str]) -> list[Any]:
        kind = _kind(control)
        odd = list(ODD[kind])
        if not EVERY_VALUE:
            turn = self.turns.get(kind, 0)
            self.turns[kind] = turn + 1
            odd = [odd[turn % len(odd)]]
        if kind == "file":
            odd = [SimpleUploadedFile("odd.png", b"not a picture", "image/png") if v == ""
                   else v for v in odd]  # fmt: skip
        foreign = sorted({others[v] for v in [control.value, *control.options] if v in others})
        return odd + foreign[:1]


def _family(name: str) -> str:
    """level_1 ... level_8 (a ladder's rungs) are one field, sent odd once."""
    return re.sub(r"\d+$", "", name)


def _submissions(
    page: str, form: DrawnForm, *, odd: Rotation | None, others: dict[str, str], today: str
) -> list[Submission]:
    """The form as drawn (with htmx and without), filled in, and (``odd``) with odd values."""
    url = form.hx_post or form.action or page
    htmx = bool(form.hx_post)
    drawn = _drawn(form, filled=False, today=today)
    filled = _drawn(form, filled=True, today=today)
    found = [Submission(page, url, htmx, drawn, "as drawn")]
    if htmx:
        found.append(Submission(page, form.action or page, False, drawn, "as drawn, no htmx"))
    if filled != drawn:
        found.append(Submission(page, url, htmx, filled, "filled in"))
    if odd is None:
        return found
    seen: set[str] = set()
    for control in form.controls:
        family = _family(control.name)
        if family in seen or control.name == "csrfmiddlewaretoken" or control.disabled:
            continue
        seen.add(family)
        for value in odd.values(control, others):
            data = {name: list(values) for name, values in filled.items()}
            if value == MISSING:
                if data.pop(control.name, None) is None:
                    continue
            elif value == TWICE:
                present = data.get(control.name) or [control.value or "1"]
                data[control.name] = [*present, *present]
            else:
                data[control.name] = [value]
            shown = value if value in (TWICE, MISSING) else repr(value)[:40]
            found.append(Submission(page, url, htmx, data, f"{control.name}={shown}"))
    return found


# --- What changed -------------------------------------------------------------------------


def _app_models() -> list[type[models.Model]]:
    return [
        model
        for model in django_apps.get_models(include_auto_created=True)
        if model.__module__.startswith("apps.") or model._meta.app_label in _APP_LABELS
    ]


_APP_LABELS = {config.label for config in django_apps.get_app_configs()
               if config.name.startswith("apps.")}  # fmt: skip


def _clinic_path(model: type[models.Model], depth: int = 0) -> str | None:
    """The ORM path from ``model`` to the clinic its rows belong to (None: no clinic's)."""
    if model is Clinic:
        return "pk"
    fields = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
    for f in fields:
        if f.related_model is Clinic:
            return f.name
    if depth >= 3:
        return None
    # The patient's or the program's clinic before any other road (a user's, who wrote it).
    first = ("patient", "program")
    for f in sorted(fields, key=lambda f: f.name not in first):
        if isinstance(f.related_model, type) and f.related_model is not model:
            rest = _clinic_path(f.related_model, depth + 1)
            if rest is not None:
                return f"{f.name}__{rest}" if rest != "pk" else f.name
    return None


@dataclass
class Ledger:
    """Which app tables a request wrote to, and whose rows it wrote."""

    tables: dict[str, type[models.Model]] = field(default_factory=dict)
    # Each row's clinic, by table, before any submission (each is rolled back after it): a
    # row deleted is no longer there to ask.
    baselines: dict[str, dict[Any, int | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tables = {m._meta.db_table: m for m in _app_models()}
        for name in NOT_APP_TABLES:
            self.tables.pop(name, None)
        for table, model in self.tables.items():
            path = _clinic_path(model)
            rows = model._default_manager.values_list("pk", path or "pk")
            self.baselines[table] = {pk: clinic if path else None for pk, clinic in rows}

    def counters(self) -> dict[str, tuple[int, int, int]]:
        """This transaction's inserted, updated and deleted rows, by table, so far."""
        with connection.cursor() as cursor:
            cursor.execute(
                "select relname, n_tup_ins, n_tup_upd, n_tup_del from pg_stat_xact_user_tables"
                " where relname = any(%s)",
                [list(self.tables)],
            )
            return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()}

    def next_xid(self) -> int:
        """A transaction id assigned now, in the savepoint the request is about to run in:
        every row the request writes carries this one or a later one (its own savepoints').
        The snapshot's xmax would not do: it ignores this transaction's own ids."""
        with connection.cursor() as cursor:
            cursor.execute("create temporary table if not exists forms_mark (x int)")
            cursor.execute("insert into forms_mark values (1) returning xmin::text::bigint")
            return int(cursor.fetchone()[0])

    def _written(self, model: type[models.Model], xid: int) -> list[Any]:
        """The keys of the rows of ``model`` inserted or updated since ``next_xid`` gave
        ``xid``, still there (an insert rolled back inside the request is not)."""
        quote = connection.ops.quote_name
        key, table = quote(str(model._meta.pk.column)), quote(model._meta.db_table)
        sql = f"select {key} from {table} where xmin::text::bigint >= %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [xid])
            return [row[0] for row in cursor.fetchall()]

    def _owners(
        self, model: type[models.Model], keys: list[Any], path: str | None
    ) -> dict[Any, int | None]:
        if not path:
            return dict.fromkeys(keys)
        return dict(model._default_manager.filter(pk__in=keys).values_list("pk", path))

    def changed(
        self, before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]],
        xid: int,
    ) -> dict[str, dict[Any, int | None]]:  # fmt: skip
        """The rows written or removed since ``before`` (and ``xid``, from ``next_xid``), and
        each one's clinic, by table. The counters name the tables; they count a row whose
        insert was rolled back too, the rows themselves do not."""
        found: dict[str, dict[Any, int | None]] = {}
        for table, counts in after.items():
            was = before.get(table, (0, 0, 0))
            if counts == was:
                continue
            model = self.tables[table]
            path = _clinic_path(model)
            rows: dict[Any, int | None] = {}
            if counts[:2] != was[:2]:
                rows.update(self._owners(model, self._written(model, xid), path))
            if counts[2] != was[2]:
                base = self.baselines[table]
                left = set(model._default_manager.values_list("pk", flat=True))
                rows.update({pk: clinic for pk, clinic in base.items() if pk not in left})
            if rows:
                found[table] = rows
        return found


# --- Sending ------------------------------------------------------------------------------


@dataclass
class Report:
    """Every finding, each with the sender, the page, the address, the field and its value."""

    errors: list[str] = field(default_factory=list)
    half_saved: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    refused_by_csrf: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # odd values saved: printed, to read
    sent: int = 0
    refused: int = 0
    wrote: int = 0

    def assert_clean(self) -> None:
        sections = [
            ("server errors", self.errors),
            ("refused but written", self.half_saved),
            ("the other clinic's rows written", self.foreign),
            ("refused for the CSRF token (the test's fault)", self.refused_by_csrf),
        ]
        text = "\n\n".join(
            f"{len(lines)} {title}:\n" + "\n".join(lines) for title, lines in sections if lines
        )
        assert not text, text


def _send(
    client: Client, who: Person | None, sub: Submission, ledger: Ledger, report: Report,
    other_clinic: int | None,
) -> None:  # fmt: skip
    label = f"{who.label if who else 'anonymous'} {sub.page} -> {sub.form} [{sub.what}]"
    headers = {"HX-Request": "true"} if sub.htmx else {}
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)  # a sign-in or sign-out here is undone after it
    report.sent += 1
    try:
        with transaction.atomic():
            before, xid = ledger.counters(), ledger.next_xid()
            try:
                response = client.post(sub.form, sub.data, headers=headers)
                body = body_of(response)
            except Exception as exc:  # every failure is reported together
                lines = traceback.format_exception(exc)
                report.errors.append(f"{label}: {''.join(lines[-4:]).strip()}")
                transaction.set_rollback(True)
                return
            status = response.status_code
            if status >= 500:
                report.errors.append(f"{label}: {status}")
            elif "Form not sent" in body and status == 403:
                report.refused_by_csrf.append(label)
            else:
                changed = ledger.changed(before, ledger.counters(), xid)
                refused = 400 <= status < 500 or (
                    status == 200 and any(marker in body for marker in ERROR_MARKERS)
                )
                report.refused += refused
                report.wrote += bool(changed)
                if changed and not refused and "=" in sub.what:
                    report.accepted.append(f"{label}: {status}, wrote {_brief(changed)}")
                if refused and changed:
                    report.half_saved.append(f"{label}: {status}, wrote {_brief(changed)}")
                theirs = {t: [pk for pk, c in rows.items() if c == other_clinic]
                          for t, rows in changed.items()}  # fmt: skip
                theirs = {t: pks for t, pks in theirs.items() if pks}
                if other_clinic is not None and theirs:
                    report.foreign.append(f"{label}: {status}, wrote {theirs}")
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
        _clear_cache()


def _brief(changed: dict[str, dict[Any, int | None]]) -> str:
    return ", ".join(f"{table} ({len(rows)})" for table, rows in sorted(changed.items()))


# --- Who sends what -----------------------------------------------------------------------


def _senders(seeded: Demo) -> list[Person | None]:
    """The first clinic's admin, the first patient's therapist, that patient, the operator,
    and someone signed out (for the public pages' forms)."""
    everyone = people(seeded)
    first = seeded.objects["patient"][0]
    admin = next(p for p in everyone if p.kind == "admin" and p.clinic_id == first.clinic_id)
    therapist = next(p for p in everyone if p.user.pk == first.therapist_id)
    patient = next(p for p in everyone if p.patient is not None and p.patient.pk == first.pk)
    operator = next(p for p in everyone if p.kind == "operator")
    return [admin, therapist, patient, operator, None]


def _pages(seeded: Demo, who: Person | None) -> Iterator[str]:
    """Each page ``who`` may open, with their own first objects where it names one (a few:
    a questionnaire answered, due and later shows different forms)."""
    for route in page_routes():
        if route.name in UNFILLED or route.name in ONCE:
            continue
        rule = PAGES[route.name]
        if rule.writes:
            continue  # an address a form posts to, not a page
        if who is None:
            if rule.audience != PUBLIC:
                continue
        elif who.in_audience(rule.audience) is False:
            continue
        targets = page_targets(seeded, route.name, route.params)
        if who is not None:
            targets = [t for t in targets if t[1] is None or visible(who, t[1], route.name)
                       is not False]  # fmt: skip
        for kwargs, _ in targets[:3]:
            yield reverse(route.name, kwargs=kwargs)


def _form_key(page: str, form: DrawnForm) -> tuple[str, frozenset[str]] | None:
    """Forms of the same view and fields are sent once (a page shows one per item)."""
    url = urlsplit(form.hx_post or form.action or page).path
    try:
        name = resolve(url).view_name
    except Resolver404:
        name = url
    if name == "clinics:logout":
        return None  # signs out: it sends nothing but the token
    return name, frozenset(_family(c.name) for c in form.controls)


def _others(seeded: Demo, clinic_id: int) -> dict[str, str]:
    """For each public id of a clinic's objects, one of the other clinic's of the same kind."""
    found: dict[str, str] = {}
    for objects in seeded.objects.values():
        owned = [(o, _clinic(o)) for o in objects if hasattr(o, "public_id")]
        foreign = [o for o, clinic in owned if clinic not in (None, clinic_id)]
        for obj, clinic in owned:
            if foreign and clinic == clinic_id:
                found[str(obj.public_id)] = str(foreign[0].public_id)
    return found


def _clinic(obj: Any) -> int | None:
    try:
        return clinic_of(obj)
    except AttributeError:
        return None


def _open(client: Client, page: str, report: Report) -> str | None:
    """The page's HTML, or None where it is not a page of forms for this person."""
    try:
        response = client.get(page)
        html = body_of(response)
    except Exception as exc:  # every failure is reported together
        report.errors.append(f"GET {page}: {''.join(traceback.format_exception(exc)[-3:])}")
        return None
    if response.status_code >= 500:
        report.errors.append(f"GET {page}: {response.status_code}")
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return html


def _filtered(page: str, html: str) -> list[str]:
    """The page as its own filter forms send it as drawn: a report's downloads show only
    once its period is chosen."""
    from urllib.parse import urlencode

    found = []
    for form in drawn_forms(html):
        if form.method == "get" and urlsplit(form.action or page).path == urlsplit(page).path:
            query = urlencode({k: v for k, v in form.values.items() if v}, doseq=True)
            if query:
                found.append(f"{urlsplit(page).path}?{query}")
    return found


def _inbox_items(seeded: Demo) -> None:
    """The smoke test answers every prompt of the demo and sees its alert: one of each is
    raised again for the first patient, for the inbox's forms."""
    from apps.notifications.models import PainAlert
    from tests.notifications.conftest import make_prompt

    patient = seeded.objects["patient"][0]
    make_prompt(patient)
    PainAlert.objects.create(patient=patient, local_date=patient.local_today(), pain=8)


def test_every_form_of_every_demo_role_survives_odd_values(demo):  # noqa: F811
    """Each form is sent odd values once, by the first role to reach it (the admin before the
    therapist); every other role that reaches it sends it as drawn."""
    _inbox_items(demo)
    ledger, report, odd = Ledger(), Report(), Rotation()
    fuzzed: set[Any] = set()
    first_clinic = demo.objects["patient"][0].clinic_id
    others = _others(demo, first_clinic)
    for who in _senders(demo):
        client = Client(enforce_csrf_checks=True)
        if who is not None:
            client.force_login(who.user)
        # The operator and the signed-out belong to no clinic: only 5xx and refusals count.
        other = next(c.pk for c in demo.clinics if c.pk != first_clinic)
        other_clinic = other if who is not None and who.clinic_id == first_clinic else None
        today = demo.objects["patient"][0].local_today().isoformat()
        seen: set[Any] = set()
        pages = list(_pages(demo, who))
        while pages:
            page = pages.pop(0)
            start = client.cookies
            client.cookies = type(start)(start)  # a page that signs in is undone after it
            html = _open(client, page, report)
            if html is not None:
                if "?" not in page:
                    pages[:0] = _filtered(page, html)
                for form in drawn_forms(html):
                    key = _form_key(page, form)
                    if form.method != "post" or key is None or key in seen:
                        continue
                    seen.add(key)
                    sends = odd if key not in fuzzed else None
                    fuzzed.add(key)
                    report.forms.append(f"{who.label if who else 'signed out'}: {key[0]}")
                    for sub in _submissions(page, form, odd=sends, others=others, today=today):
                        _send(client, who, sub, ledger, report, other_clinic)
            client.cookies = start
    print("\n".join(report.forms))
    print("Odd values saved:", *report.accepted, sep="\n  ")
    print(f"{len(report.forms)} forms, {report.sent} submissions, {report.refused} refused,"
          f" {report.wrote} wrote")  # fmt: skip
    report.assert_clean()
    # The test sees what a form writes: else "nothing written" above would prove nothing.
    assert report.wrote > 20


def test_the_ledger_sees_whose_rows_a_request_writes_and_removes(demo):  # noqa: F811
    """What the test above relies on: a row written, one removed, and none for an insert
    rolled back inside the request (a refused duplicate), each told with its clinic."""
    from django.db import IntegrityError

    from apps.patients.models import Patient
    from apps.programs.models import ProgramItem

    ledger = Ledger()
    theirs = Patient.objects.exclude(clinic=demo.clinics[0]).order_by("pk").first()
    item = ProgramItem.objects.filter(program__clinic=demo.clinics[0]).order_by("pk").first()
    item_pk = item.pk
    with transaction.atomic():
        before, xid = ledger.counters(), ledger.next_xid()
        Patient.objects.filter(pk=theirs.pk).update(full_name="Changed")
        item.delete()
        try:
            with transaction.atomic():
                Patient.objects.create(clinic=theirs.clinic, public_id=theirs.public_id)
        except IntegrityError:
            pass
        changed = ledger.changed(before, ledger.counters(), xid)
        transaction.set_rollback(True)

    assert changed["patients_patient"] == {theirs.pk: theirs.clinic_id}
    assert changed["programs_programitem"] == {item_pk: demo.clinics[0].pk}

"""A hot read whose SQL is compiled once per thread, not on every request.

Django compiles a queryset's SQL every time it runs it. For the one read every patient
request makes (their record with their clinic: 36 columns, a join) compiling cost more than
running it: 0.8 of 1.1 ms measured in-process (bench/README.md, "Seventh session"). A
``PrecompiledQuery`` asks Django's own compiler for the SQL, the columns, the converters and
the related-object populators once, then runs the same SQL with the new value and builds the
objects the way ``QuerySet`` does. The statement goes through the connection's cursor
wrapper, so it is counted, timed and guarded like any other query.

Only for reads run often enough to matter, whose parameters are integers, strings, UUIDs or
dates (a model with ``select_related`` and ``annotate``, as a queryset gives them);
everything else stays a plain queryset. The statement is also prepared on PostgreSQL
(``apps.core.prepared``). ``tests/core/test_precompiled.py`` checks the objects equal the
queryset's field for field, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable, get_related_populators

from apps.core.prepared import prepared_cursor

M = TypeVar("M", bound=Model)

# The parameters' stand-ins while compiling: found by value among the compiled parameters,
# so they must be values no real query passes.
INT = -8_765_432_109_876
UUID_STAND_IN = UUID("8765d432-1098-4765-8321-0987654321fe")
DATE_STAND_IN = date(1001, 2, 3)
STR_STAND_IN = "\x1fprecompiled stand-in\x1f"


def _form(param: Any, stand_in: Any) -> str | None:
    """How the backend carries ``stand_in`` in ``param`` (itself, or the text SQLite gets for
    a UUID or a date), or None when ``param`` is not it."""
    if type(param) is type(stand_in) and param == stand_in:
        return "same"
    if isinstance(stand_in, UUID) and param == stand_in.hex:
        return "hex"
    if isinstance(stand_in, date) and param == stand_in.isoformat():
        return "iso"
    return None


def _carried(value: Any, stand_in: Any, form: str) -> Any:
    """``value`` as the backend carries its parameter (``_form``)."""
    if isinstance(stand_in, UUID):
        value = value if isinstance(value, UUID) else UUID(str(value))
        return value.hex if form == "hex" else value
    if isinstance(stand_in, date):
        return value.isoformat() if form == "iso" else value
    if isinstance(stand_in, str):
        return str(value)
    return int(value)


def _spots(params: Any, stand_ins: tuple[Any, ...]) -> tuple[tuple[int, int, str], ...]:
    """Where each stand-in went among the compiled ``params``: (which value, where, in what
    form); every stand-in must go somewhere."""
    spots: list[tuple[int, int, str]] = []
    for index, stand_in in enumerate(stand_ins):
        found = [(index, n, form) for n, p in enumerate(params) if (form := _form(p, stand_in))]
        if not found:
            raise ValueError(f"the query does not take value {index} ({stand_in!r})")
        spots += found
    return tuple(spots)


def _bound(
    params: tuple[Any, ...],
    spots: tuple[tuple[int, int, str], ...],
    values: tuple[Any, ...],
    stand_ins: tuple[Any, ...],
) -> list[Any]:
    """The compiled ``params`` with each stand-in replaced by its value."""
    bound = list(params)
    for index, spot, form in spots:
        bound[spot] = _carried(values[index], stand_ins[index], form)
    return bound


@dataclass(frozen=True)
class _Compiled:
    connection: Any  # the thread's connection wrapper it was compiled for
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    # Per place a value goes: which value, where in ``params``, in what form (``_form``).
    spots: tuple[tuple[int, int, str], ...]
    converters: dict[int, Any]
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: dict[str, int]  # annotation name: its column, set on each object


class PrecompiledQuery(Generic[M]):
    def __init__(
        self, build: Callable[..., QuerySet[M]], stand_ins: tuple[Any, ...] = (INT,)
    ) -> None:
        """``build(*values)``: the queryset for these values of its parameters, one per
        stand-in (``INT``, ``STR_STAND_IN``, ``UUID_STAND_IN`` or ``DATE_STAND_IN``, in
        ``build``'s order)."""
        self._build = build
        self._stand_ins = stand_ins
        self._model: type[Model] | None = None
        self._local = threading.local()

    def first(self, *values: Any) -> M | None:
        """The first object ``build(*values)`` gives (as ``build(*values)[:1]``), or None."""
        found = self._objects(self._compiled(one=True), values)
        return found[0] if found else None

    def all(self, *values: Any) -> list[M]:
        """Every object ``build(*values)`` gives, in its order."""
        return self._objects(self._compiled(one=False), values)

    def _objects(self, compiled: _Compiled, values: tuple[Any, ...]) -> list[M]:
        params = _bound(compiled.params, compiled.spots, values, self._stand_ins)
        with prepared_cursor(compiled.connection.alias) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        found = []
        for row in rows:
            obj = compiled.model.from_db(
                compiled.connection.alias, compiled.init_list, row[compiled.start : compiled.end]
            )
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, column in compiled.annotations.items():  # as Django's ModelIterable
                setattr(obj, name, row[column])
            found.append(obj)
        return found  # type: ignore[return-value]

    def _compiled(self, *, one: bool) -> _Compiled:
        if self._model is None:
            self._model = self._build(*self._stand_ins).model
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        by_alias: dict[tuple[str, bool], _Compiled] = self._local.__dict__.setdefault(
            "by_alias", {}
        )
        compiled = by_alias.get((alias, one))
        if compiled is not None and compiled.connection is connection:
            return compiled
        queryset = self._build(*self._stand_ins).using(alias)
        queryset = queryset[:1] if one else queryset
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        spots = _spots(params, self._stand_ins)
        if compiler.klass_info is None:
            raise ValueError("only model reads (with select_related, annotate) are supported")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        compiled = _Compiled(
            connection=connection,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            spots=spots,
            converters=compiler.get_converters([column[0] for column in select]),
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            # django-stubs already follow Django 6, which adds a fetch mode argument.
            populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]
            annotations=dict(compiler.annotation_col_map or {}),
        )
        by_alias[(alias, one)] = compiled
        return compiled


@dataclass(frozen=True)
class _CompiledRows:
    connection: Any
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    spots: tuple[tuple[int, int, str], ...]
    converters: dict[int, Any]


class PrecompiledRows:
    """As ``PrecompiledQuery``, for a ``values_list`` queryset: its rows as tuples, each
    value converted as the queryset converts it (UUIDs and dates on SQLite, say). For a list
    read on every load of a page whose queryset (access rules, annotations, joins) cost more
    to compile than to run: the therapist dashboard's patients (bench/README.md,
    "Twenty-sixth session")."""

    def __init__(
        self, build: Callable[..., QuerySet[Any, Any]], stand_ins: tuple[Any, ...]
    ) -> None:
        """``build(*values)``: the ``values_list`` queryset for these values of its
        parameters, one per stand-in (a value no real query passes, of a type
        ``PrecompiledQuery`` takes; two parameters of one type need two different
        stand-ins)."""
        if len(set(stand_ins)) != len(stand_ins):
            raise ValueError("each parameter needs a stand-in of its own")
        self._build = build
        self._stand_ins = stand_ins
        self._model: type[Model] | None = None
        self._local = threading.local()

    def all(self, *values: Any) -> list[tuple[Any, ...]]:
        compiled = self._compiled()
        params = _bound(compiled.params, compiled.spots, values, self._stand_ins)
        with prepared_cursor(compiled.connection.alias) as cursor:
            cursor.execute(compiled.sql, params)
            rows = [tuple(row) for row in cursor.fetchall()]
        if compiled.converters:
            rows = [
                tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)
            ]
        return rows

    def _compiled(self) -> _CompiledRows:
        if self._model is None:
            self._model = self._build(*self._stand_ins).model
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        compiled: _CompiledRows | None = getattr(self._local, alias, None)
        if compiled is not None and compiled.connection is connection:
            return compiled
        queryset = self._build(*self._stand_ins).using(alias)
        if queryset._iterable_class is not ValuesListIterable:
            raise ValueError("only values_list reads are supported (PrecompiledQuery: models)")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        spots = _spots(params, self._stand_ins)
        compiled = _CompiledRows(
            connection=connection,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            spots=spots,
            converters=compiler.get_converters([column[0] for column in compiler.select]),
        )
        setattr(self._local, alias, compiled)
        return compiled

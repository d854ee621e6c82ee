"""A hot read whose SQL is compiled once per thread, not on every request.

Django compiles a queryset's SQL every time it runs it. For the one read every patient
request makes (their record with their clinic: 36 columns, a join) compiling cost more than
running it: 0.8 of 1.1 ms measured in-process (bench/README.md, "Seventh session"). A
``PrecompiledQuery`` asks Django's own compiler for the SQL, the columns, the converters and
the related-object populators once, then runs the same SQL with the new value and builds the
objects the way ``QuerySet`` does. The statement goes through the connection's cursor
wrapper, so it is counted, timed and guarded like any other query.

Only for reads with one integer parameter that are run often enough to matter; everything
else stays a plain queryset. ``tests/core/test_precompiled.py`` checks the objects equal the
queryset's field for field, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# The parameter's stand-in while compiling: found by value among the compiled parameters,
# so it must be a value no real query passes.
_STAND_IN = -8_765_432_109_876


@dataclass(frozen=True)
class _Compiled:
    connection: Any  # the thread's connection wrapper it was compiled for
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    spot: int  # where the value goes in ``params``
    converters: dict[int, Any]
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]


class PrecompiledQuery(Generic[M]):
    def __init__(self, build: Callable[[int], QuerySet[M]]) -> None:
        """``build(value)``: the queryset for one value of its single integer parameter."""
        self._build = build
        self._model: type[Model] | None = None
        self._local = threading.local()

    def first(self, value: int) -> M | None:
        """The first object ``build(value)`` gives (as ``build(value)[:1]``), or None."""
        compiled = self._compiled()
        params = list(compiled.params)
        params[compiled.spot] = int(value)
        with compiled.connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = next(iter(compiled.compiler.apply_converters([row], compiled.converters)))
        obj = compiled.model.from_db(
            compiled.connection.alias, compiled.init_list, row[compiled.start : compiled.end]
        )
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj  # type: ignore[return-value]

    def _compiled(self) -> _Compiled:
        if self._model is None:
            self._model = self._build(_STAND_IN).model
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        by_alias: dict[str, _Compiled] = self._local.__dict__.setdefault("by_alias", {})
        compiled = by_alias.get(alias)
        if compiled is not None and compiled.connection is connection:
            return compiled
        queryset = self._build(_STAND_IN).using(alias)[:1]
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        spots = [n for n, param in enumerate(params) if param == _STAND_IN]
        if len(spots) != 1:
            raise ValueError(f"the query must take its value exactly once, not {len(spots)}")
        if compiler.annotation_col_map or compiler.klass_info is None:
            raise ValueError("only plain model reads (with select_related) are supported")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        compiled = _Compiled(
            connection=connection,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            spot=spots[0],
            converters=compiler.get_converters([column[0] for column in select]),
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            # django-stubs already follow Django 6, which adds a fetch mode argument.
            populators=get_related_populators(klass_info, select, alias),  # type: ignore[call-arg]
        )
        by_alias[alias] = compiled
        return compiled

"""Build every patient's daily totals from their set logs, once, on the latest schema.

This replaces the backfill (0010) and the two partial rebuilds (0011, 0021), which ran the
live rebuild (``apps.programs.daily_totals``) at their own points in the graph: today's code
against an older schema, which fails on a database that had set logs before the totals (the
hold-back path reads columns that programs 0012 and later add). Each of them now only
empties the totals.

Why the live rebuild, not a frozen copy: the three migrations computed three versions of the
hold-back rules (before and after precautions ended early kept their past, before and after
unrecorded movements became a conflict); a faithful copy would be several hundred lines of
rules frozen into migrations, and the totals must in the end equal what today's services
write. Here, after the latest migration of each app the rebuild reads (programs, patients,
exercises), the code and the schema are of the same day.

Keep it last: a migration that later adds or changes something the rebuild reads must not
run after it. Then make this one empty the totals as 0010 does and add a new rebuild at the end
(``tests/programs/test_daily_totals_backfill_migration.py`` migrates an old database with
logs forward and fails when the rebuild meets a schema older than its code).

It rebuilds only a database whose totals are empty while it has set logs: one that has just
run 0010, 0011 or 0021, each of which now empties the totals instead of rebuilding them. A
database that ran all three before (its totals already right) is not rebuilt: on a clinic's
millions of logs a rebuild inside the migration's transaction would hold every write to the
totals for as long as ``manage.py rebuild_daily_totals`` takes. A new database has no logs.
"""

from typing import Any

from django.db import migrations


def rebuild(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    if apps.get_model("programs", "DailyTotal").objects.using(alias).exists():
        return
    if not apps.get_model("programs", "SetLog").objects.using(alias).exists():
        return
    # Live code on purpose (see above): this migration's dependencies are the latest schema.
    from apps.programs.daily_totals import daily_totals_rebuild

    daily_totals_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0024_program_assign_client_id"),
        ("patients", "0012_client_request"),
        ("exercises", "0009_client_request"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]

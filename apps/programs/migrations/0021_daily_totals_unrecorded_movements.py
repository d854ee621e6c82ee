"""A clinic's exercise with no hip movements recorded now counts as a conflict with the
patient's hip precautions (``apps.programs.precautions.NOT_RECORDED``): rebuild the stored
daily totals of patients who have precautions, so the days they logged agree with the days
adherence reads live. A rebuild never changes a correct row."""

from typing import Any

from django.db import migrations


def rebuild(apps: Any, schema_editor: Any) -> None:
    HipPrecaution = apps.get_model("patients", "HipPrecaution")
    patient_ids = sorted(set(HipPrecaution.objects.values_list("patient_id", flat=True)))
    if not patient_ids:
        return
    # The live rebuild, as in 0010 and 0011: it must agree with what the services write.
    from apps.programs.daily_totals import daily_totals_rebuild

    daily_totals_rebuild(patient_ids=patient_ids)


class Migration(migrations.Migration):
    dependencies = [("programs", "0020_setlog_target_up_to")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]

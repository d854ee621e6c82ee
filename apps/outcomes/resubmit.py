"""A questionnaire already submitted, sent again (``questionnaire_submit``).

The phone sends each submission with a ``submission_id``: the same id sent again is a retry (a
double tap, an answer lost on the way back) and answers with the submission made. Answers may
change while the questionnaire is open (each is saved as it is chosen); once it is submitted
its scores are the therapist's, so a retry carrying other answers or activities is refused as
any key reused for a different request is (``ClientIdReused``: a 409 naming what differs, the
page says it), rather than answered as if they were saved. Another id is a second submission:
refused (400), as one questionnaire takes one submission.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from apps.core.once import ClientIdReused
from apps.outcomes import psfs
from apps.outcomes.instruments import Code
from apps.outcomes.models import Questionnaire

ALREADY_SUBMITTED = "This questionnaire was already submitted."
DIFFERS = "Not the answer sent first."


def questionnaire_resubmitted(
    questionnaire: Questionnaire,
    submission_id: uuid.UUID,
    answers: Mapping[str, Any],
    activities: Sequence[Any] | None,
) -> Questionnaire:
    """``questionnaire`` (submitted) when this is its submission sent again unchanged; else
    refused, saving nothing."""
    if questionnaire.submission_id != submission_id:
        raise ValidationError({"questionnaire": [ALREADY_SUBMITTED]})
    differ = _differences(questionnaire, answers, activities)
    if differ:
        message = (  # the phone shows it to the patient: plain words
            f"You had already sent this questionnaire with other answers ({', '.join(differ)} "
            "differ): the answers sent first are kept, and these were not saved."
        )
        errors = {"submission_id": message} | dict.fromkeys(differ, DIFFERS)
        raise ClientIdReused(errors, differ)
    return questionnaire


def _differences(
    questionnaire: Questionnaire, answers: Mapping[str, Any], activities: Sequence[Any] | None
) -> list[str]:
    """What the request sends that the submission does not hold, read as a submission reads
    it (a PSFS slot left empty closes up, names are stripped). Answers left out are not
    compared: a submission may send only the last ones, the others saved as chosen."""
    activities, answers = psfs.by_slot(questionnaire, activities, answers)
    stored = dict(questionnaire.answers.values_list("item_key", "value"))
    found = [key for key, value in answers.items() if stored.get(key) != value]
    if (
        questionnaire.instrument == Code.PSFS
        and activities is not None
        and [str(name).strip() for name in activities] != list(questionnaire.activities)
    ):
        found.insert(0, "activities")
    return found

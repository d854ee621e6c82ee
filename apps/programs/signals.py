"""Signals the programs app sends; layers above it listen.

``set_log_deleting`` (``set_log_delete``): ``log_id`` and ``at``. Sent inside the deletion's
transaction, just before a patient's set is deleted (while rows naming it can still find
it): a pain alert about the set records that the patient deleted it, and when, so the
therapist is not left looking for it (the notifications app, above this one).
"""

from django.dispatch import Signal

set_log_deleting = Signal()

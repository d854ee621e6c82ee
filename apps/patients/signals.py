"""Signals the patients app sends; layers above it listen.

``precautions_changed`` (``precaution_set``, ``precaution_update``, ``precaution_end``):
``patient``. Sent inside the service's transaction, after the change: what the patient is
expected to do changed, so the programs app recomputes the patient's daily totals in the
same transaction (a receiver that fails rolls the change back).

``patient_archived`` (``patient_archive``): ``patient``, ``actor``, ``request``. Sent inside
the archive's transaction, after the patient's row is locked and marked archived and before
anything is audited: the programs app closes the patient's open progression prompts in the
same transaction (its service does the writing and auditing; the receiver only calls it, as
this app may not import the layers above). Restoring sends nothing: closed prompts stay
closed.

``patient_erased`` (``patient_erase``): ``clinic_id``. Sent inside the erasure's transaction,
after the patient's rows are deleted: layers above forget what they keep outside the
patient's rows (the reports app, the clinic's report files, which may name the patient).
"""

from django.dispatch import Signal

precautions_changed = Signal()
patient_archived = Signal()
patient_erased = Signal()

"""Signals the exercises app sends; layers above it listen.

``hip_movements_changed`` (``exercise_update``, ``library_load``, an operator's save in
Django admin): ``exercise_ids``. Sent inside the writer's transaction, after the exercises'
hip movements (or their "none of these") changed: which patients' exercises their hip
precautions hold back changed with them, so the programs app recomputes those patients'
daily totals in the same transaction (a receiver that fails rolls the change back).
"""

from django.dispatch import Signal

hip_movements_changed = Signal()

# The fields whose change sends it.
MOVEMENT_FIELDS = frozenset({"hip_movements", "hip_movements_none"})

"""Signals the clinics app sends; layers above it (the audit log) listen.

``clinic_settings_changed`` is sent inside ``clinic_settings_update``'s transaction, after the
save, with ``clinic``, ``actor`` (the admin, or None from a shell) and ``changes`` (field name
to ``(old, new)``). A receiver that fails rolls the change back, so a settings change is
never saved without its audit entry."""

from django.dispatch import Signal

clinic_settings_changed = Signal()

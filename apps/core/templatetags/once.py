"""``{% one_time_key %}``: the hidden one-time key of a form built without a Django form (a
lone button), read back with ``apps.core.once.posted_client_id``."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def one_time_key() -> SafeString:
    return format_html('<input type="hidden" name="client_id" value="{}">', uuid.uuid4())

"""``{% today_module_preloads %}``: a ``<link rel="modulepreload">`` for each of Today's ES
modules. Without them the browser finds the modules one import at a time, a round trip per
level on a slow phone's first visit before the page's script runs (later visits take them
from the service worker's cache)."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from apps.portal.today_script import TODAY_MODULES

register = template.Library()


@register.simple_tag
def today_module_preloads() -> SafeString:
    return format_html_join(
        "\n  ", '<link rel="modulepreload" href="{}">', ((static(path),) for path in TODAY_MODULES)
    )

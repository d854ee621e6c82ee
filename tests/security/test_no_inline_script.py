"""Every template keeps its script and style in static files, so the CSP can forbid inline
script (and inline style) everywhere."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("apps/*/templates/**/*.html")])
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "an inline <style>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"https?://(?!www\.w3\.org)[^\s\"'<>]+\.(js|css)\b", re.I), "a third-party file"),
]


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


def test_no_template_has_inline_script_style_or_third_party_files():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in TEMPLATES
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]

    assert found == []


def test_the_check_catches_inline_script():
    samples = ["<script>alert(1)</script>", '<a onclick="x()">', '<p style="color:red">']
    assert all(any(p.search(s) for p, _ in INLINE) for s in samples)
    module = '<script type="module" src="/static/js/today.mjs"></script>'
    assert not any(p.search(module) for p, _ in INLINE)

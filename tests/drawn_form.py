"""What a browser would send back from a form on a page as drawn, hidden inputs included:
for tests of what a form does with the values it showed."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class DrawnForm:
    """A form as drawn: where it is sent (``hx_post`` with htmx), what it sends unchanged,
    and its words (labels, buttons) to tell it from the page's other forms."""

    method: str
    action: str
    values: dict[str, str]
    words: str
    hx_post: str = ""


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.attrs: list[dict[str, str]] = []
        self.words: list[list[str]] = []
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({})
            self.attrs.append(found)
            self.words.append([])
            self._in_form = True
        elif tag == "input" and self.forms and "name" in found:
            self._input(found)
        elif tag == "select" and self.forms:
            self._select = found.get("name")
        elif tag == "option" and self._select:
            self._option(self._select, found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._in_form and data.strip():
            self.words[-1].append(" ".join(data.split()))

    def _option(self, select: str, found: dict[str, str]) -> None:
        # A select with no option marked sends its first one.
        if "selected" in found or select not in self.forms[-1]:
            self.forms[-1][select] = found.get("value", "")

    def _input(self, found: dict[str, str]) -> None:
        box = found.get("type") in ("checkbox", "radio")
        if box and "checked" not in found:
            return  # an unticked box sends nothing
        self.forms[-1][found["name"]] = found.get("value", "on" if box else "")


def drawn_form(html: str, *, with_field: str) -> dict[str, str]:
    """The values the page's form with a ``with_field`` control would send unchanged."""
    reader = _FormReader()
    reader.feed(html)
    return next(form for form in reader.forms if with_field in form)


def drawn_forms(html: str) -> list[DrawnForm]:
    """Every form on the page, in order."""
    reader = _FormReader()
    reader.feed(html)
    return [
        DrawnForm(
            method=attrs.get("method", "get").lower(),
            action=attrs.get("action", ""),
            values=values,
            words=" ".join(words),
            hx_post=attrs.get("hx-post", ""),
        )
        for attrs, values, words in zip(reader.attrs, reader.forms, reader.words, strict=True)
    ]


def form_saying(html: str, words: str) -> DrawnForm:
    """The page's form whose words (a label, a button) include ``words``."""
    return next(form for form in drawn_forms(html) if words in form.words)

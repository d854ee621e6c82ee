"""What a browser would send back from a form on a page as drawn, hidden inputs included:
for tests of what a form does with the values it showed."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and self.forms and "name" in found:
            self._input(found)
        elif tag == "select" and self.forms:
            self._select = found.get("name")
        elif tag == "option" and self._select:
            self._option(self._select, found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

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

"""What a browser would send back from a form on a page as drawn, hidden inputs included:
for tests of what a form does with the values it showed."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Control:
    """One named control of a form: ``kind`` is the input's type (text, number, date,
    hidden, checkbox, submit...), or select or textarea; a select's ``options`` its values,
    in order."""

    name: str
    kind: str
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)  # a select's options marked selected
    checked: bool = False
    disabled: bool = False
    multiple: bool = False


@dataclass(frozen=True)
class DrawnForm:
    """A form as drawn: where it is sent (``hx_post`` with htmx), what it sends unchanged,
    and its words (labels, buttons) to tell it from the page's other forms. ``controls``:
    every named control, textareas, selects' options and submit buttons included."""

    method: str
    action: str
    values: dict[str, str]
    words: str
    hx_post: str = ""
    controls: tuple[Control, ...] = ()


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.attrs: list[dict[str, str]] = []
        self.words: list[list[str]] = []
        self.controls: list[list[Control]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({})
            self.attrs.append(found)
            self.words.append([])
            self.controls.append([])
            self._in_form = True
        elif tag == "input" and self.forms and "name" in found:
            self._input(found)
            self._control(found.get("type", "text").lower(), found)
        elif tag == "select" and self.forms:
            self._select = found.get("name")
            self._control("select", found)
        elif tag == "option" and self._select:
            self._option(self._select, found)
        elif tag == "textarea" and self.forms and "name" in found:
            self._textarea = self._control("textarea", found)
        elif tag == "button" and self.forms and found.get("type", "submit") == "submit":
            self._control("submit", found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            # The first newline after <textarea> is not part of its value.
            self._textarea.value += data.removeprefix("\n") if not self._textarea.value else data
        if self._in_form and data.strip():
            self.words[-1].append(" ".join(data.split()))

    def _control(self, kind: str, found: dict[str, str]) -> Control | None:
        if not self._in_form or "name" not in found:
            return None
        control = Control(
            name=found["name"], kind=kind, value=found.get("value", ""),
            checked="checked" in found, disabled="disabled" in found,
            multiple="multiple" in found,
        )  # fmt: skip
        self.controls[-1].append(control)
        return control

    def _option(self, select: str, found: dict[str, str]) -> None:
        owner = self.controls[-1][-1] if self.controls and self.controls[-1] else None
        if owner is not None and owner.kind == "select" and owner.name == select:
            owner.options.append(found.get("value", ""))
            if "selected" in found:
                owner.selected.append(found.get("value", ""))
            if "selected" in found or len(owner.options) == 1:
                owner.value = found.get("value", "")
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
            controls=tuple(controls),
        )
        for attrs, values, words, controls in zip(
            reader.attrs, reader.forms, reader.words, reader.controls, strict=True
        )
    ]


def form_saying(html: str, words: str) -> DrawnForm:
    """The page's form whose words (a label, a button) include ``words``."""
    return next(form for form in drawn_forms(html) if words in form.words)

"""Names people type, checked to be one line.

A name travels into email subjects (a header: Django refuses one with a line break, and
every email naming the patient would fail), CSV and Excel cells, PDF lines and page titles.
A line break, a tab or another control character in it is a slip of the paste, never part
of the name: refused at the edge with a message, rather than flattened wherever it lands.
"""

from __future__ import annotations

import unicodedata

# Cc: control characters (line feed, carriage return, tab, NUL...); Zl, Zp: the Unicode line
# and paragraph separators. Format characters (Cf, e.g. the zero-width joiner) are left alone:
# some scripts and names need them.
_NOT_IN_ONE_LINE = frozenset({"Cc", "Zl", "Zp"})

ONE_LINE_MESSAGE = "Write it on one line, without line breaks, tabs or other control characters."


def is_one_line(text: str) -> bool:
    return not any(unicodedata.category(char) in _NOT_IN_ONE_LINE for char in text)

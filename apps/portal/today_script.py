"""Today's script: ``js/today.mjs`` and the ES modules it imports, ``js/today/*.mjs``.

The modules are listed from their folder, so a module added there is named everywhere it must
be without another list to keep: the service worker keeps each for offline use (a module
missing offline stops the whole script, not one part of it), and the page asks for each at
once (``modulepreload``) instead of finding them one import at a time.
"""

from __future__ import annotations

from pathlib import Path

TODAY_SCRIPT = "js/today.mjs"
TODAY_MODULES: tuple[str, ...] = tuple(
    sorted(
        f"js/today/{path.name}"
        for path in (Path(__file__).resolve().parent / "static" / "js" / "today").glob("*.mjs")
    )
)

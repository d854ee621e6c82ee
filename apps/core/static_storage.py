"""The static files storage of production: whitenoise's compressed, hashed files, with the
imports of the app's own ES modules rewritten to the hashed names.

A module names the modules it imports by relative URL (``import { draw } from
"./today/draw.mjs";``). Production serves every static file under a name with its content's
hash, cached for a year, so the import must name ``draw.<hash>.mjs``: the unhashed name could
be an older release's copy. Django rewrites such imports when
``support_js_module_import_aggregation`` is on, but for every ``*.js`` file collected, and
third-party files name modules that are no files: django-htmx's extensions carry JSDoc
comments such as ``import("../htmx")``, and collectstatic fails on them. So the rewriting is
applied to ``*.mjs`` only: the app's modules carry that extension, third-party files do not
(``tests/core/test_static_modules.py`` collects with this storage and checks every import).
"""

from __future__ import annotations

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Django's own patterns for the import and export statements, kept as they are; only the files
# they apply to change. Django names them privately (django-stubs does not know them): the
# test named above fails if they move or stop matching.
_IMPORT_PATTERNS = HashedFilesMixin._js_module_import_aggregation_patterns[1]  # type: ignore[attr-defined]


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    # One level of imports settles per pass in the worst order of the files: Today's chain is
    # 5 deep, Django's default limit. Room for a few more levels, at the cost of a pass over
    # the few CSS and module files per level (tests/core/test_static_modules.py).
    max_post_process_passes = 10
    _js_module_import_aggregation_patterns = ("*.mjs", _IMPORT_PATTERNS)

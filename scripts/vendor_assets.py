"""Copy the front-end libraries installed from the npm registry into static/vendor/.

The versions are pinned in package.json and package-lock.json; static/vendor/ is build
output and never committed."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "chart.js/dist/chart.umd.js": "chart.umd.js",
    # chart.umd.js names its source map; without it the production collectstatic (the
    # manifest storage follows the reference) stops with MissingFileError.
    "chart.js/dist/chart.umd.js.map": "chart.umd.js.map",
    "axe-core/axe.min.js": "axe.min.js",
}


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in FILES.items():
        shutil.copyfile(ROOT / "node_modules" / source, VENDOR / target)


if __name__ == "__main__":
    main()

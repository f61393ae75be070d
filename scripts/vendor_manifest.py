"""Write or verify sohosolo/static/vendor/manifest.json: version, licence and sha256 of each vendored file.

Vendored files come from the npm registry (`npm pack NAME@VERSION`, untar, copy `dist/` and the licence).
Usage: python scripts/vendor_manifest.py [--write]
"""

import hashlib
import json
import sys
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "sohosolo" / "static" / "vendor"
PACKAGES = {
    "leaflet": {"version": "1.9.4", "licence": "BSD-2-Clause", "source": "npm leaflet@1.9.4 dist/"},
    "leaflet.markercluster": {
        "version": "1.5.3",
        "licence": "MIT",
        "source": "npm leaflet.markercluster@1.5.3 dist/",
    },
}


def build() -> dict:
    manifest = {}
    for name, info in PACKAGES.items():
        files = {
            str(p.relative_to(VENDOR / name)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((VENDOR / name).rglob("*"))
            if p.is_file()
        }
        manifest[name] = {**info, "files": files}
    return manifest


if __name__ == "__main__":
    path = VENDOR / "manifest.json"
    if "--write" in sys.argv:
        path.write_text(json.dumps(build(), indent=2, sort_keys=True) + "\n")
        print(f"wrote {path}")
    elif json.loads(path.read_text()) != build():
        sys.exit("vendored files differ from manifest.json")
    else:
        print("vendored files match manifest.json")

import json
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "vendor_manifest.py"
MANIFEST = ROOT / "sohosolo" / "static" / "vendor" / "manifest.json"


@pytest.fixture(scope="module")
def vendor_manifest():
    return runpy.run_path(str(SCRIPT))  # not as __main__: only defines build()


def test_the_vendored_files_match_the_committed_manifest(vendor_manifest):
    assert vendor_manifest["build"]() == json.loads(MANIFEST.read_text())


def test_every_vendored_package_has_a_pinned_version_and_its_licence_file(vendor_manifest):
    manifest = vendor_manifest["build"]()

    assert set(manifest) == {"leaflet", "leaflet.markercluster"}
    for package in manifest.values():
        assert package["version"].count(".") == 2
        assert package["licence"]
        assert "LICENSE" in package["files"]


def test_a_tampered_vendored_file_no_longer_matches_the_manifest(vendor_manifest, tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "vendor"
    shutil.copytree(MANIFEST.parent, copy)
    (copy / "leaflet" / "leaflet.js").write_text("alert('changed')")
    build = vendor_manifest["build"]
    monkeypatch.setitem(build.__globals__, "VENDOR", copy)

    assert build() != json.loads(MANIFEST.read_text())

"""The wheel users install: licence metadata (PEP 639), classifiers, project URLs, and
only the package (no tests, no benchmarks)."""

from __future__ import annotations

import email.parser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = out.glob("release_publisher-*.whl")
    return found


def test_wheel_declares_the_licence_and_ships_its_text(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(zf.read(metadata_name).decode())
        (license_name,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert "Apache License" in zf.read(license_name).decode()
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert "Apache License" in (REPO / "LICENSE").read_text()
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: expression only
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Source", "Issues"} <= set(urls)


def test_wheel_holds_the_package_and_its_schema_only(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        top = {name.split("/", 1)[0] for name in zf.namelist()}
        names = set(zf.namelist())
    assert top == {
        "release_publisher",
        wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
    }
    assert "release_publisher/config/schema.json" in names
    assert "release_publisher/py.typed" in names
    assert not [n for n in names if "/tests/" in n or n.startswith(("tests/", "benchmarks/"))]

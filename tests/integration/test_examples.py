"""The examples are what a new user runs first: `make demo` (examples/demo.py) must
publish the sample app end to end, and examples/release.yml must pass `check`.

Both run on a copy of examples/ in a temporary directory, so that building the sample
app (examples/hello-app/target) and the demo's output leave the checkout unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import clean_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A directory holding a copy of the checkout's examples/ (without a built target/),
    standing in for the checkout's root."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "examples", root / "examples", ignore=shutil.ignore_patterns("target"))
    return root


def test_demo_publishes_the_sample_app_end_to_end(project: Path, tmp_path: Path) -> None:
    env = clean_env({"DEMO_OUT": str(tmp_path)}, without=["RELEASE_VERSION"])
    proc = subprocess.run(
        [sys.executable, str(project / "examples" / "demo.py")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["status"] == "published"
    assert [a["state"] for a in result["artifacts"]] == ["verified", "verified"]
    assert [a["source"] for a in result["artifacts"]] == ["file", "url"]
    assert len(result["images"]) == 3 and all(i["id"] for i in result["images"])
    assert result["release"]["status"] == "created"
    assert result["release"]["copiedFrom"]["versionNumber"] == "1.4.1"
    assert result["release"]["listing"]["state"] == "PUBLIC"
    for shown in ("Verified server", "Created version 1.4.2", "Step outputs", "Done."):
        assert shown in proc.stdout
    rerun = json.loads((tmp_path / "result-rerun.json").read_text())
    assert rerun["status"] == "unchanged"  # the second run of the same release sent nothing
    assert "status of the re-run: unchanged" in proc.stdout
    assert "Traceback" not in output


def test_example_config_passes_check(project: Path) -> None:
    subprocess.run(
        [sys.executable, str(project / "examples" / "hello-app" / "build.py")],
        cwd=project,
        check=True,
        capture_output=True,
    )
    env = clean_env(without=["RELEASE_VERSION"])
    proc = subprocess.run(
        [sys.executable, "-m", "release_publisher", "check", "--config", "examples/release.yml"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Pre-flight passed: nothing was sent." in proc.stdout
    assert "App version (datacenter), from artifact server" in proc.stdout
    # every request publish sends: the compatibility lookups and the app listing too
    assert "compatibility: jira 9.12.0 to 10.3.1" in proc.stdout
    assert "GET /rest/3/parent-software/jira/versions/number/{version}" in proc.stdout
    assert "PUT /rest/3/product-listing/{productId}" in proc.stdout

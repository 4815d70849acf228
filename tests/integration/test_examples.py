"""The examples are what a new user runs first: `make demo` (examples/demo.py) must
publish the sample app end to end, and examples/release.yml must pass `check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_demo_publishes_the_sample_app_end_to_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_"))}
    env.pop("RELEASE_VERSION", None)
    env["DEMO_OUT"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        cwd=ROOT,
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
    assert "Traceback" not in output


def test_example_config_passes_check() -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "hello-app" / "build.py")],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k != "RELEASE_VERSION"}
    proc = subprocess.run(
        [sys.executable, "-m", "release_publisher", "check", "--config", "examples/release.yml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Pre-flight passed: nothing was sent." in proc.stdout
    assert "App version (datacenter), from artifact server" in proc.stdout

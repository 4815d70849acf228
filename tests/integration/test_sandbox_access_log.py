"""The sandbox's access log, written to a file: plain text, no colour codes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .helpers import clean_env

pytestmark = pytest.mark.integration


def test_an_access_log_written_to_a_file_has_no_colour_codes(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    log = tmp_path / "access.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "release_publisher", "sandbox", "--port", "0",
             "--data-dir", str(tmp_path / "data"), "--access-log", "--ready-file", str(ready)],
            stdout=sink,
            stderr=sink,
            env=clean_env({}),
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 20
            while not (ready.exists() and ready.read_text().strip()):
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            base = ready.read_text().strip()
            assert requests.get(f"{base}/no/such/path", timeout=5).status_code in (401, 404)
            requests.get(f"{base}/_sandbox/state", timeout=5)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    text = log.read_bytes()
    assert b"/no/such/path" in text
    assert b"\x1b[" not in text

"""Shared pieces of the integration tests: the credentials the emulator accepts, the
emulator's admin endpoints, a CLI run as a subprocess with a controlled environment,
stopping a run mid-way, and scans for secrets."""

from __future__ import annotations

import base64
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from release_publisher.sandbox.server import SandboxServer

USER = "ci@example.com"
TOKEN = "it-token-\N{DIGIT ZERO}c0ffee-5ecret"
CLI = [sys.executable, "-m", "release_publisher"]


@dataclass
class Run:
    """A finished CLI run: exit code, output, and the parsed result JSON (or None)."""

    code: int
    stdout: str
    stderr: str
    result: dict[str, Any] | None
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


#: Environment prefixes a run must not inherit from the machine running the tests.
FOREIGN = ("GITHUB_", "GITLAB_", "INPUT_", "RUNNER_", "MARKETPLACE_", "CI_")
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE")


def inject(server: SandboxServer, *faults: dict[str, Any], **fault: Any) -> None:
    """Queue faults in the emulator (``POST /_sandbox/faults``), oldest first: given
    as dicts, or one fault as keyword arguments."""
    queued = [*faults, fault] if fault else list(faults)
    response = requests.post(f"{server.base_url}/_sandbox/faults", json=queued, timeout=5)
    response.raise_for_status()


def request_log(server: SandboxServer) -> list[dict[str, Any]]:
    """The emulator's request log (``GET /_sandbox/requests``), oldest first."""
    response = requests.get(f"{server.base_url}/_sandbox/requests", timeout=5)
    response.raise_for_status()
    return list(response.json()["requests"])


def api_requests(server: SandboxServer) -> list[dict[str, Any]]:
    """Log entries of the API endpoints only (not the admin paths)."""
    return [r for r in request_log(server) if r["path"].startswith("/rest/")]


def request_log_is_empty(server: SandboxServer) -> bool:
    """True when the emulator received no API request (admin calls aside)."""
    return api_requests(server) == []


def uploads(server: SandboxServer) -> int:
    """How many artifact uploads (``POST /rest/3/artifacts``) the emulator received."""
    return sum(
        1 for r in request_log(server) if r["method"] == "POST" and r["path"] == "/rest/3/artifacts"
    )


def clean_env(
    extra: Mapping[str, str] | None = None, *, without: Iterable[str] = ()
) -> dict[str, str]:
    """The one environment for child processes of the tests: ``os.environ`` without CI
    host, action input, credential and proxy variables (``NO_PROXY`` set to loopback)
    and without the names in ``without``, plus ``extra``."""
    dropped = {name.upper() for name in without}
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(FOREIGN)
        and k.upper() not in PROXY_VARS
        and k.upper() not in dropped
    }
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.update(extra or {})
    return env


def run_cli(
    root: Path,
    *args: str,
    env: dict[str, str],
    result_file: Path | None = None,
    timeout: float = 60,
    argv0: list[str] | None = None,
) -> Run:
    """Run ``release-publisher ARGS`` (or ``argv0 ARGS``) in ``root`` with exactly
    ``env``; the result JSON is read from ``result_file`` when given."""
    if result_file is not None:
        result_file.unlink(missing_ok=True)
    start = time.monotonic()
    proc = subprocess.run(
        [*(argv0 or CLI), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - start
    result = (
        json.loads(result_file.read_text())
        if result_file is not None and result_file.exists()
        else None
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, result, seconds)


def secret_forms(token: str, user: str = USER) -> set[str]:
    """Every form of ``token`` that must never be printed or written: the raw value,
    the trimmed value, each of its lines, and base64 of ``user:token`` (standard and
    URL-safe, for the raw and the trimmed token). Forms shorter than 4 characters are
    left out (they would match ordinary text)."""
    forms = {token, token.strip()}
    forms.update(line.strip() for line in token.splitlines())
    for value in (token, token.strip()):
        raw = f"{user}:{value}".encode()
        forms.add(base64.b64encode(raw).decode())
        forms.add(base64.urlsafe_b64encode(raw).decode())
    return {f for f in forms if len(f) >= 4}


def hits(texts: dict[str, str], forms: set[str]) -> list[str]:
    """``where: form`` for each secret form found in each named text."""
    return [f"{where}: {form!r}" for where, text in texts.items() for form in forms if form in text]


def terminate_when_seen(
    proc: subprocess.Popen[bytes], marker: bytes, *, within: float = 30, settle: float = 0.0
) -> tuple[bytes, bytes, bytes]:
    """Read ``proc``'s stdout as it arrives until ``marker`` shows (failing after
    ``within`` seconds or if the process ends first), wait ``settle`` seconds, check the
    process still runs, send SIGTERM and collect the rest. Returns (seen, out, err)."""
    assert proc.stdout is not None
    seen = b""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + within
    try:
        while marker not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if selector.select(timeout=1):
                chunk = os.read(proc.stdout.fileno(), 65536)
                assert chunk, "the process ended early: " + seen.decode(errors="replace")
                seen += chunk
        if settle:
            time.sleep(settle)
        # the line reached us while the process still runs: not buffered
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    return seen, out, err

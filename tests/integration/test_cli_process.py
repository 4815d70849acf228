"""The CLI as a process (issue 11 item 5, issue 15 item 7): a closed stdout ends
quietly, ``sandbox`` without the ``[sandbox]`` extra says how to install it, and
stop signals (a second SIGTERM 2 ms after the first, SIGHUP) end a run cleanly."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from release_publisher.closed_pipe import EXIT_BROKEN_PIPE
from release_publisher.sandbox.server import start_sandbox

from .conftest import CLI, TOKEN, USER, Workspace, config_text
from .helpers import clean_env

pytestmark = pytest.mark.integration

#: runs the CLI with werkzeug unimportable, as in the action's image (no [sandbox] extra)
WITHOUT_WERKZEUG = [
    sys.executable,
    "-c",
    "import sys; sys.modules['werkzeug'] = None; "
    "sys.argv[0] = 'release-publisher'; "
    "from release_publisher.__main__ import main; main()",
]


def _into_a_closed_pipe(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` with stdout a pipe whose reader is already gone (``| head -0``)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            argv, cwd=cwd, stdout=write_end, stderr=subprocess.PIPE, env=clean_env(), timeout=60
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args", [["check"], ["schema"], ["--help"], ["check", "--help"], ["--version"]]
)
def test_a_closed_pipe_ends_quietly_with_141(workspace: Workspace, args: list[str]) -> None:
    workspace.config(config_text("https://mp.example.test/marketplace"))
    run = _into_a_closed_pipe([*CLI, *args], workspace.root)
    assert run.returncode == EXIT_BROKEN_PIPE, run.stderr.decode()
    assert run.stderr == b""  # no traceback, no "Exception ignored"


def test_a_reader_that_leaves_after_one_line(workspace: Workspace) -> None:
    """``release-publisher check | head -1``."""
    workspace.config(config_text("https://mp.example.test/marketplace"))
    shell = subprocess.run(
        ["/bin/sh", "-c", f'{" ".join(CLI)} check | head -1; echo "status=$?"'],
        cwd=workspace.root,
        capture_output=True,
        env=clean_env(),
        timeout=60,
    )
    assert shell.stdout.decode().count("\n") == 2  # one line of check, then the status
    assert b"Traceback" not in shell.stderr and b"BrokenPipe" not in shell.stderr


def test_sandbox_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    run = subprocess.run(
        [*WITHOUT_WERKZEUG, "sandbox", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        env=clean_env(),
        timeout=60,
    )
    assert run.returncode == 2
    err = run.stderr.decode()
    assert "pip install 'release-publisher[sandbox]'" in err
    assert "Traceback" not in err and "ModuleNotFoundError" not in err


def test_a_config_named_sandbox_is_a_normal_config_path(workspace: Workspace) -> None:
    (workspace.root / "sandbox").write_text(
        config_text("https://mp.example.test/marketplace"), encoding="utf-8"
    )
    run = subprocess.run(
        [*WITHOUT_WERKZEUG, "check", "--config", "sandbox"],
        cwd=workspace.root,
        capture_output=True,
        env=clean_env(),
        timeout=60,
    )
    assert run.returncode == 0, run.stderr.decode()
    assert b"Pre-flight passed" in run.stdout


def _signal_when_seen(
    proc: subprocess.Popen[bytes], marker: bytes, signals: list[tuple[int, float]]
) -> tuple[bytes, bytes]:
    """Read ``proc``'s stdout until ``marker``, then send each ``(signal, delay
    before it)``; returns all of stdout and stderr."""
    assert proc.stdout is not None
    seen = b""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    try:
        while marker not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if selector.select(timeout=1):
                chunk = os.read(proc.stdout.fileno(), 65536)
                assert chunk, "ended early: " + seen.decode(errors="replace")
                seen += chunk
        for signum, delay in signals:
            time.sleep(delay)
            proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return seen + out, err


@pytest.mark.parametrize(
    "signals",
    [
        [(signal.SIGTERM, 0.0), (signal.SIGTERM, 0.002)],
        [(signal.SIGTERM, 0.0), (signal.SIGTERM, 0.002), (signal.SIGINT, 0.001)],
        [(signal.SIGHUP, 0.0)],
    ],
    ids=["sigterm-twice-2ms", "three-signals", "sighup"],
)
def test_stop_signals_end_a_run_cleanly(
    workspace: Workspace, tmp_path: Path, signals: list[tuple[int, float]]
) -> None:
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=TOKEN, processing_delay=120
    ) as server:
        workspace.config(config_text(server.base_url, timeout=300))
        out_dir = workspace.root / "out"
        out_dir.mkdir()
        result_file = out_dir / "result.json"
        proc = subprocess.Popen(
            [*CLI, "publish", "--result-json", str(result_file)],
            cwd=workspace.root,
            env=clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = _signal_when_seen(proc, b"Waiting for Marketplace to process", signals)
    text = (out + err).decode(errors="replace")
    assert proc.returncode == 130, text
    assert "Traceback" not in text
    first = signal.Signals(signals[0][0]).name
    assert f"Interrupted: stopped by {first}" in err.decode()
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert result["status"] == "failed" and result["error"]["kind"] == "Interrupted"
    assert result["artifacts"][0]["id"]  # what finished is kept
    assert sorted(p.name for p in out_dir.iterdir()) == ["result.json"]  # no temp file

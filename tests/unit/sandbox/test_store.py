"""Store persistence, reported file names, the upload ledger, and the CLI's options."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from werkzeug.test import Client

from release_publisher.clock import FakeClock
from release_publisher.errors import UsageError
from release_publisher.sandbox.app import SandboxApp
from release_publisher.sandbox.cli import add_arguments, run
from release_publisher.sandbox.store import Store, UploadLedger, logical_name
from release_publisher.testing import build_plugin_jar

from .conftest import AUTH, js, upload


@pytest.mark.parametrize(
    ("given", "reported"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\build\\hello.jar", "hello.jar"),
        ("..", "artifact"),
        ("", "artifact"),
        (None, "artifact"),
        ("a\x00b.jar", "ab.jar"),
    ],
)
def test_logical_name(given: str | None, reported: str) -> None:
    assert logical_name(given, "artifact") == reported


def test_a_data_dir_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    jar = build_plugin_jar(tmp_path / "a.jar").read_bytes()
    first = SandboxApp(Store(tmp_path / "data"), clock=clock)
    created = js(upload(Client(first), jar))
    second = Client(SandboxApp(Store(tmp_path / "data"), clock=clock))
    assert js(second.get(created["_links"]["self"]["href"], auth=AUTH)) == created


def test_ledger_spacing_and_budget() -> None:
    clock = FakeClock()
    ledger = UploadLedger(clock, spacing=10.0, budget_bytes=1000, window=60.0)
    assert ledger.try_start(600) is None
    ledger.record(600)
    assert ledger.try_start(100) == 10
    clock.advance(10)
    assert ledger.try_start(500) == 50  # spacing met; budget frees at t=60
    assert ledger.try_start(400) is None
    clock.advance(50)
    assert ledger.used_bytes() == 0


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_defaults_are_safe_and_fast() -> None:
    args = _args()
    assert (args.host, args.port, args.data_dir) == ("127.0.0.1", 0, None)
    assert (args.processing_delay, args.upload_spacing) == (0.0, 0.0)


def test_cli_refuses_negative_times_before_listening(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_args("--upload-spacing", "-1")) == UsageError.exit_code
    err = capsys.readouterr().err
    assert err.startswith("UsageError: --processing-delay and --upload-spacing must be >= 0")
    assert "Traceback" not in err

"""SIGQUIT (Ctrl-\\, a runner's "quit") stops a run as SIGTERM does: exit 130,
``Interrupted: stopped by SIGQUIT``, the result file written; its default action
would dump core and leave the result ``running``. In process, requests-mock."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import requests_mock

from release_publisher import cli
from release_publisher.clock import FakeClock
from release_publisher.stop_signals import STOP_SIGNALS, StopSignals, Terminated

from .fakes import CLI_BASE, cli_workspace

ENV = {"MARKETPLACE_USER": "dev@example.com", "MARKETPLACE_TOKEN": "ATATT3x-sigquit-t0ken"}


def test_sigquit_is_a_stop_signal_raised_once_then_noted() -> None:
    assert signal.SIGQUIT in STOP_SIGNALS
    before = signal.getsignal(signal.SIGQUIT)
    with StopSignals() as signals:
        with pytest.raises(Terminated) as info:
            os.kill(os.getpid(), signal.SIGQUIT)
        assert info.value.signal_name == "SIGQUIT"
        os.kill(os.getpid(), signal.SIGQUIT)  # a second one is only noted
        assert signals.late == ["SIGQUIT"]
    assert signal.getsignal(signal.SIGQUIT) == before


def test_sigquit_stops_a_run_like_sigterm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = cli_workspace(tmp_path / "app")
    result_path = tmp_path / "result.json"

    def quit_now(request: Any, context: Any) -> Any:
        os.kill(os.getpid(), signal.SIGQUIT)
        raise AssertionError("the handler did not raise")

    with requests_mock.Mocker() as mock:
        mock.post(f"{CLI_BASE}/rest/3/artifacts", json=quit_now)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 130
    assert "Interrupted: stopped by SIGQUIT" in capsys.readouterr().err
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["status"] != "running"
    assert result["error"]["kind"] == "Interrupted"

"""The result file of the CLI (issue 15, items 5, 7, 11, 12): written even when the
config fails to load (its directory created), never written over the resume file with
less than it holds, and a run's endings survive more stop signals; no temp file is left.
In process, requests-mock, FakeClock."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
import requests_mock

from release_publisher import cli
from release_publisher.clock import FakeClock
from release_publisher.hosts.local import LocalHost as Host
from release_publisher.result import ReleaseResult, write_text

from .fakes import CLI_BASE, cli_workspace

BASE = CLI_BASE
ENV = {"MARKETPLACE_USER": "dev@example.com", "MARKETPLACE_TOKEN": "ATATT3x-result-file-t0ken"}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return cli_workspace(tmp_path, icon=True)


def _artifact(workspace: Path) -> dict[str, Any]:
    sha = hashlib.sha512((workspace / "target" / "hello-1.4.2.jar").read_bytes()).hexdigest()
    return {
        "fileInfo": {"logicalFileName": "hello-1.4.2.jar", "checksum": f"sha512:{sha}"},
        "details": {"key": "com.example.hello", "version": "1.4.2"},
        "_links": {"self": {"href": "/rest/3/artifacts/a-1"}},
    }


def _failed_at_the_image(workspace: Path, state: Path) -> dict[str, Any]:
    """A first run whose artifact was verified and whose image upload failed."""
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        mock.post(f"{BASE}/rest/3/assets/images/icon", status_code=400, json={"message": "no"})
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(state)],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 4
    data: dict[str, Any] = json.loads(state.read_text(encoding="utf-8"))
    assert data["artifacts"][0]["id"] == "a-1"
    return data


def _temp_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(".result-*"))


def test_a_preflight_failure_keeps_what_the_resume_file_held(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    before = _failed_at_the_image(workspace, state)
    (workspace / "icon.png").unlink()  # the re-run fails in pre-flight
    with requests_mock.Mocker() as mock:
        code = cli.main(
            ["publish", "-C", str(workspace), "--resume", str(state), "--result-json", str(state)],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 3 and mock.call_count == 0
    after = json.loads(state.read_text(encoding="utf-8"))
    assert after["artifacts"] == before["artifacts"]  # the artifact ID is still there
    assert after["status"] == "failed" and after["error"]["kind"] == "FileCheckError"
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize(
    "option",
    [["--http-timeout", "0"], ["--config", "missing.yml"], ["--app-version", "9.9.9"]],
    ids=["refused-option", "config-missing", "other-release"],
)
def test_no_early_failure_wipes_the_resume_file(
    workspace: Path, tmp_path: Path, option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    before = _failed_at_the_image(workspace, state)
    code = cli.main(
        [
            "publish",
            "-C",
            str(workspace),
            "--resume",
            str(state),
            "--result-json",
            str(state),
            *option,
        ],
        env=ENV,
        clock=FakeClock(),
    )
    assert code in (2, 3)
    after = json.loads(state.read_text(encoding="utf-8"))
    assert after["artifacts"] == before["artifacts"]
    assert after["error"]["exit_code"] == code


def test_a_resume_through_another_name_is_protected_too(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    before = _failed_at_the_image(workspace, state)
    link = tmp_path / "link.json"
    link.symlink_to(state)
    (workspace / "icon.png").unlink()
    cli.main(
        ["publish", "-C", str(workspace), "--resume", str(link), "--result-json", str(state)],
        env=ENV,
        clock=FakeClock(),
    )
    assert json.loads(state.read_text(encoding="utf-8"))["artifacts"] == before["artifacts"]


def test_an_unreadable_resume_file_is_left_as_it_was(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(b"\xff\xfe not utf-8 \x00")
    code = cli.main(
        ["publish", "-C", str(workspace), "--resume", str(state), "--result-json", str(state)],
        env=ENV,
        clock=FakeClock(),
    )
    captured = capsys.readouterr()
    assert code == 2
    assert f"{state} is not UTF-8" in captured.err
    assert "Traceback" not in captured.err
    assert state.read_bytes() == b"\xff\xfe not utf-8 \x00"
    assert "is kept as it was" in captured.out


def test_after_the_takeover_the_resumed_run_writes_its_own_result(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.json"
    _failed_at_the_image(workspace, state)
    with requests_mock.Mocker() as mock:
        mock.get(f"{BASE}/rest/3/artifacts/a-1", json=_artifact(workspace))
        mock.post(f"{BASE}/rest/3/assets/images/icon", json={"id": "img-9"}, status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--resume", str(state), "--result-json", str(state)],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 0, capsys.readouterr().err
    after = json.loads(state.read_text(encoding="utf-8"))
    assert after["status"] == "published" and after["error"] is None
    assert after["images"][0]["id"] == "img-9" and after["images"][0]["sha512"]


def test_result_json_in_a_new_directory_when_the_config_fails_to_load(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result_path = tmp_path / "newdir" / "deeper" / "r.json"
    code = cli.main(
        [
            "publish",
            "-C",
            str(workspace),
            "--config",
            "nope.yml",
            "--result-json",
            str(result_path),
        ],
        env=ENV,
    )
    assert code == 2
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["status"] == "failed" and result["error"]["kind"] == "ConfigError"
    assert "could not write" not in capsys.readouterr().out


def test_a_second_sigterm_during_the_endings_is_noted_not_raised(
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The first SIGTERM stops the upload; a second arrives while the error is being
    reported; a third while the CI outputs are written. Exit 130, a finished result,
    no temp file, no traceback."""
    result_path = tmp_path / "result.json"

    def stop_now(request: Any, context: Any) -> Any:
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("the SIGTERM handler did not raise")

    original_report, original_publish = Host.report_error, Host.publish

    def report_error(self: Host, error: Any) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        original_report(self, error)

    def publish(
        self: Host, result: ReleaseResult, *, result_file: Path | None, **more: Any
    ) -> list[str]:
        os.kill(os.getpid(), signal.SIGHUP)
        return original_publish(self, result, result_file=result_file, **more)

    monkeypatch.setattr(Host, "report_error", report_error)
    monkeypatch.setattr(Host, "publish", publish)
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=stop_now)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env=ENV,
            clock=FakeClock(),
        )
    captured = capsys.readouterr()
    assert code == 130
    assert "Interrupted: stopped by SIGTERM" in captured.err
    assert "Traceback" not in captured.err
    assert "SIGTERM received while finishing" in captured.out
    assert "SIGHUP received while finishing" in captured.out
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["status"] == "failed" and result["error"]["kind"] == "Interrupted"
    assert _temp_files(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is not None  # handlers given back


def test_a_sigterm_after_a_published_release_keeps_it_published(
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result_path = tmp_path / "result.json"
    original_publish = Host.publish

    def publish(
        self: Host, result: ReleaseResult, *, result_file: Path | None, **more: Any
    ) -> list[str]:
        os.kill(os.getpid(), signal.SIGTERM)
        return original_publish(self, result, result_file=result_file, **more)

    monkeypatch.setattr(Host, "publish", publish)
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        mock.post(f"{BASE}/rest/3/assets/images/icon", json={"id": "img-1"}, status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 0, capsys.readouterr().err
    assert json.loads(result_path.read_text(encoding="utf-8"))["status"] == "published"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sighup_stops_a_run_like_sigterm(
    workspace: Path, tmp_path: Path, signum: int, capsys: pytest.CaptureFixture[str]
) -> None:
    result_path = tmp_path / "result.json"

    def stop_now(request: Any, context: Any) -> Any:
        os.kill(os.getpid(), signum)
        raise AssertionError("the handler did not raise")

    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=stop_now)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 130
    name = signal.Signals(signum).name
    assert f"Interrupted: stopped by {name}" in capsys.readouterr().err
    assert json.loads(result_path.read_text(encoding="utf-8"))["error"]["kind"] == "Interrupted"


def test_a_signal_during_the_write_waits_until_the_file_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM delivered while the temp file is written is handled only after the
    rename: the file is whole and no temp file is left."""

    class Stop(BaseException):
        pass

    def handler(signum: int, frame: Any) -> None:
        raise Stop

    real_fchmod = os.fchmod

    def fchmod(fd: int, mode: int) -> None:
        # to this thread: the mask holds signals back in the writing thread (a signal
        # the kernel hands to another thread is handled at once: then the temp file is
        # removed and the old file stays, see test_a_failed_write_removes_its_temp_file)
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        real_fchmod(fd, mode)

    previous = signal.signal(signal.SIGTERM, handler)
    monkeypatch.setattr(os, "fchmod", fchmod)
    path = tmp_path / "r.json"
    try:
        with pytest.raises(Stop):
            write_text(path, '{"whole": true}\n')
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert json.loads(path.read_text(encoding="utf-8")) == {"whole": True}
    assert _temp_files(tmp_path) == []


def test_a_failed_write_removes_its_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        write_text(tmp_path / "r.json", "{}\n")
    assert _temp_files(tmp_path) == []

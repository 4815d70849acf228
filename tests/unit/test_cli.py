"""The CLI in process (no subprocess): ``check``, ``publish`` against requests-mock
with a FakeClock, and options refused before anything is read or sent."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import requests_mock

from release_publisher import cli
from release_publisher.clock import FakeClock

from .fakes import CLI_BASE, cli_workspace

BASE = CLI_BASE
USER = "dev@example.com"
TOKEN = "ATATT3xFfGF0-cli-t0ken-VALUE-0987654321"
ENV = {"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A release config and its plugin JAR in ``tmp_path``."""
    return cli_workspace(tmp_path)


def test_check_prints_every_request_and_sends_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with requests_mock.Mocker() as mock:
        code = cli.main(["check", "-C", str(workspace)], env={})
    assert code == 0
    assert mock.call_count == 0
    out = capsys.readouterr().out
    assert "-> POST /rest/3/artifacts (multipart upload, SHA-512 computed)" in out
    assert "Pre-flight passed: nothing was sent." in out


def test_publish_in_process_uploads_verifies_and_writes_the_result(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sha = hashlib.sha512((workspace / "target" / "hello-1.4.2.jar").read_bytes()).hexdigest()
    artifact = {
        "fileInfo": {"logicalFileName": "hello-1.4.2.jar", "checksum": f"sha512:{sha}"},
        "details": {"key": "com.example.hello", "version": "1.4.2"},
        "_links": {"self": {"href": "/rest/3/artifacts/a-7"}},
    }
    result_path = tmp_path / "out" / "result.json"
    clock = FakeClock()
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=artifact, status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env=ENV,
            clock=clock,
        )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert [r.method for r in mock.request_history] == ["POST"]
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["status"] == "published"
    assert result["artifacts"][0]["id"] == "a-7"
    assert result["artifacts"][0]["state"] == "verified"
    assert "Result: published (com.example.hello 1.4.2)" in captured.out
    assert TOKEN not in captured.out + captured.err + result_path.read_text(encoding="utf-8")
    assert clock.sleeps == []  # processed at once: no poll wait


def test_a_failed_publish_renders_one_error_line_and_keeps_the_exit_code(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = {
        "fileInfo": {"logicalFileName": "hello-1.4.2.jar", "checksum": "sha512:" + "00" * 64},
        "details": {"key": "com.example.hello", "version": "1.4.2"},
        "_links": {"self": {"href": "/rest/3/artifacts/a-8"}},
    }
    result_path = tmp_path / "result.json"
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=artifact, status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env=ENV,
            clock=FakeClock(),
        )
    captured = capsys.readouterr()
    err = captured.err
    assert code == 5
    assert err.startswith("VerificationError: artifact a-8 (server) does not match")
    assert "uploaded before the failure: server=a-8" in err
    # the run's one result line, as with --quiet and on success
    assert "Result: failed (com.example.hello 1.4.2)" in captured.out
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["error"]["artifact"] == "server" and result["error"]["exit_code"] == 5


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            ["--base-url", "ftp://mp.example.test"],
            "--base-url 'ftp://mp.example.test' is not an http(s) URL",
        ),
        (
            ["--base-url", "https://u:p@mp.example.test"],
            "--base-url must not contain a user name or password (not shown)",
        ),
        (["--poll-timeout", "0"], "--poll-timeout must be a positive number of seconds, got 0"),
        (["--http-timeout", "-1"], "--http-timeout must be a positive number of seconds"),
    ],
)
def test_bad_options_exit_2_before_any_request(
    workspace: Path, tmp_path: Path, option: list[str], message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    result_path = tmp_path / "result.json"
    with requests_mock.Mocker() as mock:
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path), *option],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 2
    assert mock.call_count == 0
    assert message in capsys.readouterr().err
    # the refusal is still reported in the result file
    assert json.loads(result_path.read_text(encoding="utf-8"))["error"]["exit_code"] == 2


def test_a_dry_run_without_credentials_sends_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with requests_mock.Mocker() as mock:
        code = cli.main(["publish", "--dry-run", "-C", str(workspace)], env={}, clock=FakeClock())
    assert code == 0 and mock.call_count == 0
    assert "Dry run: nothing was sent." in capsys.readouterr().out


def _with_long_changelog(workspace: Path, extra: str = "") -> None:
    """A release section whose CHANGELOG section for 1.4.2 is 12,599 characters."""
    body = "\n".join(f"- change number {i:05d} " + "x" * 70 for i in range(140))[:12_580]
    (workspace / "CHANGELOG.md").write_text(
        f"# Changelog\n\n## [1.4.2]\n{body}\n\n## [1.4.1]\n- old\n", encoding="utf-8"
    )
    config = workspace / "marketplace-release.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "release:\n  artifact: server\n  hosting: datacenter\n  build-number: 7\n"
        "  copy-from-previous: true\n  summary: Says hello\n"
        f"  notes: {{file: CHANGELOG.md{extra}}}\n",
        encoding="utf-8",
    )


def test_check_refuses_release_notes_longer_than_marketplace_takes(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_long_changelog(workspace)
    with requests_mock.Mocker() as mock:
        code = cli.main(["check", "-C", str(workspace)], env={})
    assert code == 2
    assert mock.call_count == 0
    err = capsys.readouterr().err
    assert "release.notes" in err and "10,000" in err.replace("10000", "10,000")


def test_truncated_release_notes_are_a_warning_in_check(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_long_changelog(workspace, ", truncate: true, link: https://example.com/changes")
    with requests_mock.Mocker() as mock:
        code = cli.main(["check", "-C", str(workspace)], env={})
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert mock.call_count == 0
    assert "12580 characters long; cut at a line" in captured.out


def test_the_result_json_error_says_where_in_the_config(workspace: Path) -> None:
    config = workspace / "marketplace-release.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("timeout: 30", "timeout: .nan"),
        encoding="utf-8",
    )
    result = workspace / "result.json"
    with requests_mock.Mocker() as mock:
        code = cli.main(["publish", "-C", str(workspace), "--result-json", str(result)], env=ENV)
    assert code == 2
    assert mock.call_count == 0
    error = json.loads(result.read_text(encoding="utf-8"))["error"]
    assert error["location"]["field"] == "polling.timeout"
    assert error["location"]["line"] == 7
    assert error["location"]["file"].endswith("marketplace-release.yml")

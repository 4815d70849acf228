"""CLI habits (issue 11, item 5; ``--dotenv`` of item 4): options on either side of
the subcommand, ``--quiet``, ``--result-json -``, ``--app-version``, environment
defaults named in ``--help``, a closed stdout. In process, requests-mock, FakeClock."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
import requests_mock

from release_publisher import __version__, cli
from release_publisher.clock import FakeClock
from release_publisher.closed_pipe import EXIT_BROKEN_PIPE, GuardedStream
from release_publisher.testing import build_plugin_jar, write_png

from .fakes import CLI_BASE, cli_workspace

BASE = CLI_BASE
OTHER = "https://other.example.test/marketplace"
USER = "dev@example.com"
TOKEN = "ATATT3xFfGF0-habits-t0ken-VALUE-12345"
ENV = {"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return cli_workspace(tmp_path)


def _artifact(workspace: Path) -> dict[str, object]:
    sha = hashlib.sha512((workspace / "target" / "hello-1.4.2.jar").read_bytes()).hexdigest()
    return {
        "fileInfo": {"logicalFileName": "hello-1.4.2.jar", "checksum": f"sha512:{sha}"},
        "details": {"key": "com.example.hello", "version": "1.4.2"},
        "_links": {"self": {"href": "/rest/3/artifacts/a-1"}},
    }


@pytest.mark.parametrize(
    "argv", [["-v", "check", "--config", "missing.yml"], ["check", "--config", "missing.yml", "-v"]]
)
def test_verbose_works_before_and_after_the_subcommand(
    workspace: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main([*argv, "-C", str(workspace)], env={})
    assert code == 2
    assert "Traceback" in capsys.readouterr().err  # -v: tracebacks too


def test_without_verbose_no_traceback(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--config", "missing.yml", "-C", str(workspace)], env={}) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_check_prints_only_the_result_line(
    workspace: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", "-C", str(workspace)]
    argv = ["-q", *argv] if where == "before" else [*argv, "--quiet"]
    assert cli.main(argv, env={}) == 0
    captured = capsys.readouterr()
    assert captured.out == "Result: checked (com.example.hello 1.4.2)\n"
    assert captured.err == ""


def test_quiet_keeps_warnings(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_png(workspace / "art" / "odd.png")
    config = workspace / "marketplace-release.yml"
    text = config.read_text(encoding="utf-8")
    # an image type Marketplace is not known to have is a warning of check
    config.write_text(text + "images:\n  - {type: oddtype, file: art/odd.png}\n", encoding="utf-8")
    code = cli.main(["check", "-q", "-C", str(workspace)], env={})
    out = capsys.readouterr().out
    assert code == 0, out
    assert "warning: " in out and "oddtype" in out
    assert out.strip().splitlines()[-1] == "Result: checked (com.example.hello 1.4.2)"
    assert "Pre-flight passed" not in out


def test_quiet_publish_prints_warnings_errors_and_the_result_line_only(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        code = cli.main(["publish", "-q", "-C", str(workspace)], env=ENV, clock=FakeClock())
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out == "Result: published (com.example.hello 1.4.2)\n"


def test_quiet_failure_prints_the_error_and_the_result_line(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", status_code=400, json={"message": "bad file"})
        code = cli.main(["-q", "publish", "-C", str(workspace)], env=ENV, clock=FakeClock())
    captured = capsys.readouterr()
    assert code == 4
    assert captured.out == "Result: failed (com.example.hello 1.4.2)\n"
    assert captured.err.startswith("ApiError:")


def test_result_json_dash_writes_the_json_alone_to_stdout(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", "-"], env=ENV, clock=FakeClock()
        )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)  # stdout is the JSON and nothing else
    assert result["status"] == "published" and result["artifacts"][0]["id"] == "a-1"
    assert "Result: published" in captured.err  # the log went to stderr
    assert not (workspace / "-").exists()
    assert TOKEN not in captured.out + captured.err


def test_result_json_dash_on_failure_still_writes_the_json(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(
        ["publish", "-C", str(workspace), "--config", "nope.yml", "--result-json", "-"], env=ENV
    )
    captured = capsys.readouterr()
    assert code == 2
    assert json.loads(captured.out)["error"]["kind"] == "ConfigError"


def test_subcommand_version_without_a_value_prints_the_tool_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["check", "--version"], env={})
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"release-publisher {__version__}\n"


def test_top_level_version_prints_the_tool_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"], env={})
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"release-publisher {__version__}\n"


@pytest.mark.parametrize("option", ["--app-version", "--version"])
def test_app_version_and_its_alias_override_app_version(
    workspace: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    jar = workspace / "target" / "hello-1.4.2.jar"
    build_plugin_jar(jar, "com.example.hello", "2.0.0")
    assert cli.main(["check", "-C", str(workspace), option, "v2.0.0"], env={}) == 0
    assert "com.example.hello 2.0.0" in capsys.readouterr().out


def test_app_version_needs_a_value(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["check", "--app-version"], env={})
    assert stop.value.code == 2
    assert "--app-version: expected one argument" in capsys.readouterr().err


def test_base_url_from_the_environment(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = {**ENV, "RELEASE_PUBLISHER_BASE_URL": OTHER + "/"}
    with requests_mock.Mocker() as mock:
        mock.post(f"{OTHER}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        code = cli.main(["publish", "-C", str(workspace)], env=env, clock=FakeClock())
    assert code == 0, capsys.readouterr().err
    assert [r.url for r in mock.request_history] == [f"{OTHER}/rest/3/artifacts"]


def test_the_option_wins_over_the_environment(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**ENV, "RELEASE_PUBLISHER_BASE_URL": "ftp://refused.example.test"}
    with requests_mock.Mocker() as mock:
        mock.post(f"{OTHER}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--base-url", OTHER], env=env, clock=FakeClock()
        )
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "RELEASE_PUBLISHER_BASE_URL",
            "ftp://x",
            "RELEASE_PUBLISHER_BASE_URL 'ftp://x' is not an http(s) URL",
        ),
        (
            "RELEASE_PUBLISHER_HTTP_TIMEOUT",
            "nan",
            "RELEASE_PUBLISHER_HTTP_TIMEOUT must be a positive number of seconds",
        ),
        ("RELEASE_PUBLISHER_HTTP_TIMEOUT", "-3", "got -3"),
        ("RELEASE_PUBLISHER_CA_BUNDLE", "/nonexistent/ca.pem", "CA bundle /nonexistent/ca.pem"),
    ],
)
def test_bad_environment_values_are_refused_naming_the_variable(
    workspace: Path, variable: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with requests_mock.Mocker() as mock:
        code = cli.main(
            ["publish", "-C", str(workspace)], env={**ENV, variable: value}, clock=FakeClock()
        )
    assert code == 2
    assert mock.call_count == 0
    assert message in capsys.readouterr().err


def test_help_names_the_environment_variables() -> None:
    text = cli.build_parser(with_sandbox=False).format_help()
    publish = cli.build_parser(with_sandbox=False)._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    publish_help = publish["publish"].format_help()  # type: ignore[index]
    for name in (
        "RELEASE_PUBLISHER_BASE_URL",
        "RELEASE_PUBLISHER_CA_BUNDLE",
        "RELEASE_PUBLISHER_HTTP_TIMEOUT",
    ):
        assert name in " ".join(text.split())
        assert name in " ".join(publish_help.split())


def test_dotenv_option_writes_the_report_on_any_host(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out.env"
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--dotenv", str(report)], env=ENV, clock=FakeClock()
        )
    assert code == 0, capsys.readouterr().err
    lines = report.read_text(encoding="utf-8").splitlines()
    assert "MARKETPLACE_STATUS=published" in lines
    assert "MARKETPLACE_ARTIFACT_ID=a-1" in lines


class _ClosedPipe(io.StringIO):
    """A stdout whose reader has gone: every write and flush raises EPIPE."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_guarded_stream_drops_writes_once_the_reader_went_away() -> None:
    stream = GuardedStream(_ClosedPipe())
    assert stream.write("line\n") == 5
    stream.flush()
    assert stream.closed_pipe
    assert stream.write("more\n") == 5  # dropped, no error


def test_guarded_stream_raises_other_errors() -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        GuardedStream(Full()).write("x")


def test_check_into_a_closed_pipe_exits_141_without_a_traceback(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    code = cli.main(["check", "-C", str(workspace)], env={})
    assert code == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def test_publish_into_a_closed_pipe_finishes_the_release(
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    result_path = tmp_path / "result.json"
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/rest/3/artifacts", json=_artifact(workspace), status_code=201)
        code = cli.main(
            ["publish", "-C", str(workspace), "--result-json", str(result_path)],
            env=ENV,
            clock=FakeClock(),
        )
    assert code == 0  # a release is not its log: the closed pipe does not fail it
    assert json.loads(result_path.read_text(encoding="utf-8"))["status"] == "published"
    assert "Traceback" not in capsys.readouterr().err

"""Issue 5, end to end: secrets never leave the process in any form, step outputs and
the dotenv report survive hostile runner environments, and failures late in the run
(processing timeout, verification mismatch) still report the artifact ID.

Each run is the CLI (or the action's entrypoint) as a subprocess against the emulator;
every stream and file a run writes is scanned."""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from pathlib import Path

import pytest

from release_publisher.sandbox.server import start_sandbox
from release_publisher.testing import build_plugin_jar
from tests.unit.hosts.runner_files import parse_github_output, parse_gitlab_dotenv

from .conftest import USER, Workspace, config_text
from .helpers import api_requests, clean_env, hits, inject, run_cli, secret_forms

pytestmark = pytest.mark.integration

ENTRYPOINT = Path(__file__).resolve().parents[2] / "entrypoint.py"
SECRET = "mpTk-7f3a9c2e5b8d-Q"

#: name -> (token as the CI secret holds it, exit code). Exit 0: the token is trimmed
#: and accepted; exit 2: refused naming the variable, never showing the value.
TOKENS: dict[str, tuple[str, int]] = {
    "trailing-newline": (SECRET + "\n", 0),
    "crlf": (SECRET + "\r\n", 0),
    "leading-space": (" " + SECRET, 0),
    "empty": ("", 2),
    "colon": ("tok:en-with:colons-51f0", 0),
    "non-ascii": ("t\u00f8ken-non-ascii-51f0", 2),
    "multi-line": ("first-line-secret-1\nsecond-line-secret-2", 2),
    # requests would raise InvalidHeader, whose message holds the value, for this one
    "header-injection": ("tok-51f0\r\nX-Injected: leaked-value", 2),
}


def _visible_stdout(stdout: str) -> str:
    """stdout as the CI log shows it: the runner consumes ``::add-mask::`` lines (that
    is how a value gets masked), so they are not output."""
    return "\n".join(line for line in stdout.splitlines() if not line.startswith("::add-mask::"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


@pytest.mark.parametrize("host", ["github", "gitlab"])
@pytest.mark.parametrize("name", list(TOKENS))
def test_token_corpus_never_appears_anywhere(
    workspace: Workspace, tmp_path: Path, name: str, host: str
) -> None:
    token, expected = TOKENS[name]
    accepted = token.strip() if expected == 0 else "some-other-token"
    out_file, summary = tmp_path / "github_output", tmp_path / "summary.md"
    result_file = workspace.root / "result.json"
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=accepted) as server:
        workspace.config(config_text(server.base_url))
        ci = (
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_OUTPUT": str(out_file),
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_WORKSPACE": str(workspace.root),
            }
            if host == "github"
            else {"GITLAB_CI": "true", "CI_PROJECT_DIR": str(workspace.root)}
        )
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": token, **ci})
        run = run_cli(
            workspace.root,
            "publish",
            "--result-json",
            str(result_file),
            env=env,
            result_file=result_file,
        )
    assert run.code == expected, run.output
    if expected == 2:
        assert "MARKETPLACE_TOKEN" in run.stderr and "hint:" in run.stderr
        assert "Traceback" not in run.output
    texts = {
        "stdout": _visible_stdout(run.stdout),
        "stderr": run.stderr,
        "result JSON": _read(result_file),
        "GITHUB_OUTPUT": _read(out_file),
        "job summary": _read(summary),
        "dotenv report": _read(workspace.root / "release-publisher.env"),
    }
    assert texts["result JSON"], "the result JSON is written on success and failure"
    if host == "github":
        assert parse_github_output(texts["GITHUB_OUTPUT"])["status"] in ("published", "failed")
        assert texts["job summary"]
        masks = {line[len("::add-mask::") :] for line in run.stdout.splitlines()}
        for line in token.splitlines():  # every line of a multi-line secret is masked
            if line.strip():
                assert line.strip() in masks
    else:
        assert texts["dotenv report"]
    assert hits(texts, secret_forms(token)) == []


@pytest.mark.parametrize("name", ["trailing-newline", "multi-line", "non-ascii", "colon"])
def test_token_corpus_through_the_action_entrypoint(
    workspace: Workspace, tmp_path: Path, name: str
) -> None:
    """The Docker action's entry point maps inputs (``INPUT_TOKEN``) to the CLI; the
    result file goes to the temp directory (no /github mounts here)."""
    token, expected = TOKENS[name]
    accepted = token.strip() if expected == 0 else "some-other-token"
    out_file, summary, temp = tmp_path / "out", tmp_path / "summary.md", tmp_path / "tmp"
    temp.mkdir()
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=accepted) as server:
        workspace.config(config_text(server.base_url))
        env = clean_env(
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_OUTPUT": str(out_file),
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_WORKSPACE": str(workspace.root),
                "INPUT_USER": USER,
                "INPUT_TOKEN": token,
                "TMPDIR": str(temp),
            }
        )
        run = run_cli(workspace.root, env=env, argv0=[sys.executable, str(ENTRYPOINT)])
    assert run.code == expected, run.output
    outputs = parse_github_output(_read(out_file))
    result_text = _read(Path(outputs["result-file"]))
    assert json.loads(result_text)["status"] == ("published" if expected == 0 else "failed")
    texts = {
        "stdout": _visible_stdout(run.stdout),
        "stderr": run.stderr,
        "result JSON": result_text,
        "GITHUB_OUTPUT": _read(out_file),
        "job summary": _read(summary),
    }
    assert hits(texts, secret_forms(token)) == []


# ------------------------------------------------------------------ runner files


@pytest.mark.parametrize("output", ["unset", "empty", "missing-directory"])
def test_unusable_github_output_still_exits_0_with_a_warning(
    workspace: Workspace, tmp_path: Path, output: str
) -> None:
    env_value = {"empty": "", "missing-directory": str(tmp_path / "gone" / "dir" / "out")}
    ci = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    if output in env_value:
        ci["GITHUB_OUTPUT"] = env_value[output]
    result_file = workspace.root / "result.json"
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=SECRET) as server:
        workspace.config(config_text(server.base_url))
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": SECRET, **ci})
        run = run_cli(
            workspace.root, "publish", "--result-json", str(result_file), env=env,
            result_file=result_file,
        )  # fmt: skip
    assert run.code == 0, run.output
    assert run.result is not None and run.result["status"] == "published"
    assert "GITHUB_OUTPUT" in run.stdout  # the warning names the variable
    warning = [line for line in run.stdout.splitlines() if "GITHUB_OUTPUT" in line]
    assert warning and all("warning" in line for line in warning), warning
    assert not (tmp_path / "gone").exists()


def test_gitlab_dotenv_with_values_containing_spaces(workspace: Workspace, tmp_path: Path) -> None:
    """A result path with spaces (and a hyphenated artifact name): the run succeeds
    and the dotenv report reads back under GitLab's rules (KEY=value lines, no
    quotes, names [A-Za-z0-9_])."""
    reports = workspace.root / "release reports"
    reports.mkdir()
    result_file = reports / "result file.json"
    artifacts = "  - name: data-center\n    file: target/hello-1.4.2.jar\n"
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=SECRET) as server:
        workspace.config(config_text(server.base_url, artifacts=artifacts))
        env = clean_env(
            {
                "MARKETPLACE_USER": USER,
                "MARKETPLACE_TOKEN": SECRET,
                "GITLAB_CI": "true",
                "CI_PROJECT_DIR": str(workspace.root),
            }
        )
        run = run_cli(
            workspace.root, "publish", "--result-json", str(result_file), env=env,
            result_file=result_file,
        )  # fmt: skip
    assert run.code == 0, run.output
    raw = (workspace.root / "release-publisher.env").read_bytes()
    report = parse_gitlab_dotenv(raw)
    assert run.result is not None
    artifact_id = run.result["artifacts"][0]["id"]
    assert report["MARKETPLACE_STATUS"] == "published"
    assert report["MARKETPLACE_ARTIFACT_ID"] == artifact_id
    assert report["MARKETPLACE_ARTIFACT_ID_DATA_CENTER"] == artifact_id
    assert report["MARKETPLACE_RESULT_FILE"] == "release reports/result file.json"
    assert b'"' not in raw and b"'" not in raw and b"\n\n" not in raw


# ------------------------------------------------------------------ late failures


def test_processing_timeout_exits_6_with_the_artifact_id_in_result_and_outputs(
    workspace: Workspace, tmp_path: Path
) -> None:
    out_file = tmp_path / "out"
    result_file = workspace.root / "result.json"
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=SECRET, processing_delay=600
    ) as server:
        workspace.config(config_text(server.base_url, timeout=3))
        env = clean_env(
            {
                "MARKETPLACE_USER": USER,
                "MARKETPLACE_TOKEN": SECRET,
                "GITHUB_ACTIONS": "true",
                "GITHUB_OUTPUT": str(out_file),
            }
        )
        run = run_cli(
            workspace.root, "publish", "--result-json", str(result_file), env=env,
            result_file=result_file,
        )  # fmt: skip
        gets = [r for r in api_requests(server) if r["endpoint"] == "get"]
    assert run.code == 6, run.output
    assert run.result is not None and run.result["status"] == "processing-timeout"
    artifact_id = run.result["artifacts"][0]["id"]
    assert artifact_id and artifact_id in run.stderr
    outputs = parse_github_output(out_file.read_text())
    assert outputs["status"] == "processing-timeout"
    assert outputs["artifact-id"] == artifact_id
    # polled with backoff up to polling.interval (0.2 s here): bounded, not a busy loop
    assert 2 <= len(gets) <= 3 / 0.2 + 2
    times = [r["time"] for r in gets]
    # (the last poll may come early: it is the one at the deadline)
    assert all(b - a >= 0.15 for a, b in itertools.pairwise(times[:-1]))
    assert run.seconds < 15


def test_snapshot_reported_by_marketplace_exits_5_with_both_values_and_no_image(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The emulator's GET answers details of a ``1.4.2-SNAPSHOT`` build for the
    uploaded artifact (what Marketplace read from it): verification fails, exit 5."""
    jar = workspace.root / "target" / "hello-1.4.2.jar"
    sha = hashlib.sha512(jar.read_bytes()).hexdigest()
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=SECRET, processing_delay=600
    ) as server:
        details = {"key": "com.example.hello", "version": "1.4.2-SNAPSHOT"}
        body = {
            "fileInfo": {"checksum": f"sha512:{sha}"},
            "details": details,
            "_links": {"self": {"href": "/rest/3/artifacts/reported-1"}},
        }
        inject(server, {"endpoint": "get", "status": 200, "body": body})
        images = "  - {type: icon, file: marketing/icon.png}\n"
        workspace.config(config_text(server.base_url, images=images))
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": SECRET})
        result_file = workspace.root / "result.json"
        run = run_cli(
            workspace.root, "publish", "--result-json", str(result_file), env=env,
            result_file=result_file,
        )  # fmt: skip
        log = api_requests(server)
    assert run.code == 5, run.output
    assert "version: expected '1.4.2', Marketplace reports '1.4.2-SNAPSHOT'" in run.stderr
    assert not any(r["endpoint"] == "image" for r in log)  # nothing after a mismatch
    assert run.result is not None and run.result["images"][0]["id"] is None
    assert run.result["artifacts"][0]["id"]


def test_local_snapshot_build_is_refused_before_upload(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A local JAR whose descriptor says ``1.4.2-SNAPSHOT`` never reaches Marketplace:
    pre-flight refuses it (exit 3) with both values."""
    build_plugin_jar(workspace.root / "target" / "hello-1.4.2.jar", version="1.4.2-SNAPSHOT")
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=SECRET) as server:
        workspace.config(config_text(server.base_url))
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": SECRET})
        run = run_cli(workspace.root, "publish", env=env)
        log = api_requests(server)
    assert run.code == 3, run.output
    assert "1.4.2-SNAPSHOT" in run.stderr and "1.4.2" in run.stderr
    assert log == []

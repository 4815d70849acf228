"""Step outputs and the dotenv report through the CLI (a subprocess): they survive
hostile runner environments, and a processing timeout still reports the artifact ID
in the result JSON and the step outputs."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from release_publisher.sandbox.server import start_sandbox
from tests.hostile import SECRET
from tests.unit.hosts.runner_files import parse_github_output, parse_gitlab_dotenv

from .conftest import USER, Workspace, config_text
from .helpers import api_requests, clean_env, run_cli

pytestmark = pytest.mark.integration


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

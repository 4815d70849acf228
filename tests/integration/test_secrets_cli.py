"""Secrets never leave the process in any form: the hostile token corpus through the
CLI and the action's entrypoint (subprocesses) on GitHub and GitLab, every stream
and file a run writes scanned for the token, its lines and its base64 forms."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from release_publisher.sandbox.server import start_sandbox
from tests.hostile import HOSTILE_TOKENS
from tests.unit.hosts.runner_files import parse_github_output

from .conftest import USER, Workspace, config_text
from .helpers import clean_env, hits, run_cli, secret_forms

pytestmark = pytest.mark.integration


ENTRYPOINT = Path(__file__).resolve().parents[2] / "entrypoint.py"

#: name -> (token as the CI secret holds it, exit code). Exit 0: the token is trimmed
#: and accepted; exit 2: refused naming the variable, never showing the value.
TOKENS: dict[str, tuple[str, int]] = {
    name: (HOSTILE_TOKENS[name], code)
    for name, code in [
        ("trailing-newline", 0),
        ("crlf", 0),
        ("leading-space", 0),
        ("empty", 2),
        ("colon", 0),
        ("non-ascii", 2),
        ("multi-line", 2),
        ("header-injection", 2),
    ]
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

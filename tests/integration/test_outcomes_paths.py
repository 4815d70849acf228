"""What a user sees of the files a release config names, on the emulator: one path rule
(relative to the config file's directory, as the config wrote it) in `check`, the
console, the result JSON and the job summary, whichever directory the tool runs from;
`exclude:` lists; `--quiet` on GitHub without empty groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.sandbox.server import SandboxServer
from release_publisher.testing import build_plugin_jar

from .conftest import TOKEN, USER, Workspace, config_text
from .helpers import Run, clean_env, run_cli, uploads
from .test_release_version import previous_version, release_config, seed

pytestmark = pytest.mark.integration

KEY = "com.example.hello"


def run_from(directory: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``release-publisher ARGS`` run with ``directory`` as the working directory."""
    full_env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN, **(env or {})})
    result_file = directory / "result.json"
    argv = list(args)
    if argv[0] == "publish":
        argv += ["--result-json", str(result_file)]
    return run_cli(directory, *argv, env=full_env, result_file=result_file)


def github_env(root: Path) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(root / "gh-output"),
        "GITHUB_STEP_SUMMARY": str(root / "gh-summary.md"),
    }


def config_beside_the_build(workspace: Workspace, server: SandboxServer) -> Path:
    """A config in ``release/`` naming the files one directory up with globs."""
    path = workspace.root / "release" / "release.yml"
    path.parent.mkdir()
    path.write_text(
        config_text(
            server.base_url,
            artifacts="  - name: server\n    file: ../target/hello-*[0-9].jar\n",
            images="  - type: screenshot\n    file: ../marketing/shots/*.png\n",
        ),
        encoding="utf-8",
    )
    return path


def test_check_and_publish_show_each_path_as_the_config_wrote_it_from_any_directory(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    config = config_beside_the_build(workspace, sandbox)
    above = workspace.root.parent
    relative_config = str(config.relative_to(above))
    check = run_from(above, "check", "--config", relative_config)
    assert check.code == 0, check.output
    assert "Artifact server: ../target/hello-1.4.2.jar (" in check.stdout
    assert "JAR, matched by '../target/hello-*[0-9].jar'): key com.example.hello" in check.stdout
    assert "Listing image screenshot: ../marketing/shots/a.png (" in check.stdout
    assert "  server: ../target/hello-1.4.2.jar (" in check.stdout  # the plan, too
    # neither relative to the working directory nor absolute
    assert "project/target" not in check.stdout
    assert str(workspace.root) not in check.stdout.replace(str(config), "")

    env = github_env(above)
    run = run_from(above, "publish", "--config", relative_config, env=env)
    assert run.code == 0, run.output
    assert "Uploading ../target/hello-1.4.2.jar (" in run.stdout
    assert "image screenshot ../marketing/shots/a.png: ID " in run.stdout
    assert run.result is not None
    assert run.result["artifacts"][0]["file"] == "../target/hello-1.4.2.jar"
    assert [i["file"] for i in run.result["images"]] == [
        "../marketing/shots/a.png",
        "../marketing/shots/b.png",
    ]
    card = (above / "gh-summary.md").read_text(encoding="utf-8")
    assert "`../marketing/shots/a.png`" in card
    assert str(workspace.root) not in card


def test_an_absolute_pattern_is_shown_absolute(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    jar = workspace.root / "target" / "hello-1.4.2.jar"
    workspace.config(
        config_text(sandbox.base_url, artifacts=f"  - name: server\n    file: {jar}\n")
    )
    check = workspace.run("check")
    assert check.code == 0, check.output
    assert f"Artifact server: {jar} (" in check.stdout


def test_exclude_drops_the_build_by_products_a_glob_also_matches(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    target = workspace.root / "target"
    build_plugin_jar(target / "hello-1.4.2-sources.jar", KEY, "1.4.2")
    build_plugin_jar(target / "hello-1.4.2-javadoc.jar", KEY, "1.4.2")
    artifact = "  - name: server\n    file: target/hello-*.jar\n"
    workspace.config(config_text(sandbox.base_url, artifacts=artifact))
    ambiguous = workspace.run("check")
    assert ambiguous.code == 3, ambiguous.output
    # the hint offers both ways: a narrower glob and an exclude: list
    assert "file: target/hello-*[0-9].jar" in ambiguous.stderr
    assert "exclude:" in ambiguous.stderr
    workspace.config(
        config_text(
            sandbox.base_url,
            artifacts=artifact + '    exclude: ["target/*-sources.jar", "target/*-javadoc.jar"]\n',
        )
    )
    check = workspace.run("check")
    assert check.code == 0, check.output
    assert "Artifact server: target/hello-1.4.2.jar (" in check.stdout
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    assert run.result["artifacts"][0]["file"] == "target/hello-1.4.2.jar"
    assert uploads(sandbox) == 1


def test_quiet_on_github_prints_no_empty_groups_but_keeps_annotations(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.config(config_text(sandbox.base_url))
    env = github_env(workspace.root)
    run = workspace.run("publish", "--quiet", env=env)
    assert run.code == 0, run.output
    assert "::group::" not in run.stdout and "::endgroup::" not in run.stdout
    assert "Result: published" in run.stdout
    loud = workspace.run("publish", env=env)  # the groups are there without --quiet
    assert "::group::Pre-flight checks" in loud.stdout
    workspace.config(
        config_text(sandbox.base_url, artifacts="  - name: server\n    file: target/missing.jar\n")
    )
    failed = workspace.run("publish", "--quiet", env=env)
    assert failed.code == 3, failed.output
    assert "::error " in failed.stdout
    assert "::group::" not in failed.stdout and "::endgroup::" not in failed.stdout


@pytest.mark.parametrize("host", ["local", "github"])
def test_a_publish_run_heads_the_app_version_once(
    workspace: Workspace, sandbox: SandboxServer, host: str
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    env = github_env(workspace.root) if host == "github" else {}
    run = workspace.run("publish", env=env)
    assert run.code == 0, run.output
    headings = [
        line
        for line in run.stdout.splitlines()
        if line.startswith(("== ", "::group::")) and "App version" in line
    ]
    assert len(headings) == 1, run.stdout
    assert headings[0].endswith("App version plan")


def test_the_runs_own_warnings_are_logged_and_annotated_on_github(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    """A warning a stage adds to the result (no release.agreements) is a warning line in
    the log, even with --quiet, and a ::warning annotation on GitHub, once."""
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    run = workspace.run("publish", "--quiet", env=github_env(workspace.root))
    assert run.code == 0, run.output
    notes = [line for line in run.stdout.splitlines() if "Partner Agreement" in line]
    assert any(line.startswith("::warning") for line in notes), run.stdout
    assert len([line for line in notes if line.startswith("::warning")]) == 1

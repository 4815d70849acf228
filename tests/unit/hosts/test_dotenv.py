"""The dotenv report in any CI: --dotenv PATH (select_host's ``dotenv``) or
RELEASE_PUBLISHER_DOTENV, on GitHub, on an unknown CI, under gitlab-ci-local
(GITLAB_CI=false), and a configured path that cannot be written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from release_publisher.hosts import select_host
from release_publisher.hosts.dotenv import DotenvReporting
from release_publisher.hosts.gitlab import GitLabHost
from release_publisher.hosts.local import LocalHost
from release_publisher.result import ReleaseResult

from .runner_files import parse_github_output, parse_gitlab_dotenv


def read(path: Path) -> dict[str, str]:
    return parse_gitlab_dotenv(path.read_bytes())


def test_any_ci_writes_the_report_the_variable_names(
    tmp_path: Path, published: ReleaseResult
) -> None:
    target = tmp_path / "marketplace.env"
    host = select_host(
        {"CI": "true", "RELEASE_PUBLISHER_DOTENV": str(target)}, stream=io.StringIO()
    )

    assert host.publish(published, result_file=None) == []
    report = read(target)
    assert report["MARKETPLACE_STATUS"] == "published"
    assert report["MARKETPLACE_ARTIFACT_ID"] == published.artifacts[0].id


def test_github_writes_outputs_and_the_report(tmp_path: Path, published: ReleaseResult) -> None:
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.touch()
    summary.touch()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    host = select_host(env, stream=io.StringIO(), dotenv=tmp_path / "job.env")

    assert host.name == "github"
    assert host.publish(published, result_file=None) == []
    assert parse_github_output(output.read_text())["status"] == "published"
    assert read(tmp_path / "job.env")["MARKETPLACE_STATUS"] == "published"
    assert "PUBLISHED" in summary.read_text()


def test_the_dotenv_parameter_beats_the_variable_on_gitlab(
    tmp_path: Path, published: ReleaseResult
) -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(tmp_path),
        "RELEASE_PUBLISHER_DOTENV": "from-variable.env",
    }
    host = select_host(env, stream=io.StringIO(), dotenv=tmp_path / "from-flag.env")

    assert isinstance(host, GitLabHost)
    assert host.publish(published, result_file=None) == []
    assert read(tmp_path / "from-flag.env")["MARKETPLACE_STATUS"] == "published"
    assert not (tmp_path / "from-variable.env").exists()


def test_gitlab_ci_local_warns_without_a_path_and_writes_with_one(
    tmp_path: Path, published: ReleaseResult
) -> None:
    env = {"GITLAB_CI": "false", "CI_PROJECT_DIR": str(tmp_path)}  # as gitlab-ci-local sets
    warnings = select_host(env, stream=io.StringIO()).publish(published, result_file=None)
    assert len(warnings) == 1
    assert "no dotenv report was written" in warnings[0]
    assert "RELEASE_PUBLISHER_DOTENV=release-publisher.env" in warnings[0]
    assert not (tmp_path / "release-publisher.env").exists()

    target = tmp_path / "release-publisher.env"
    env["RELEASE_PUBLISHER_DOTENV"] = str(target)
    assert select_host(env, stream=io.StringIO()).publish(published, result_file=None) == []
    assert read(target)["MARKETPLACE_STATUS"] == "published"


@pytest.mark.parametrize("host_env", [{}, {"GITLAB_CI": "true"}])
def test_a_configured_path_that_cannot_be_written_is_reported(
    tmp_path: Path, published: ReleaseResult, host_env: dict[str, str]
) -> None:
    missing = tmp_path / "no-such-dir" / "x.env"
    env = {**host_env, "CI_PROJECT_DIR": str(tmp_path), "RELEASE_PUBLISHER_DOTENV": str(missing)}
    warnings = select_host(env, stream=io.StringIO()).publish(published, result_file=None)
    assert warnings == [f"could not write the dotenv report {missing}: No such file or directory"]


def test_no_path_and_no_gitlab_means_the_plain_host(tmp_path: Path) -> None:
    host = select_host({"CI": "true"}, stream=io.StringIO())
    assert type(host) is LocalHost
    wrapped = select_host({"RELEASE_PUBLISHER_DOTENV": str(tmp_path / "x.env")})
    assert isinstance(wrapped, DotenvReporting) and type(wrapped.inner) is LocalHost

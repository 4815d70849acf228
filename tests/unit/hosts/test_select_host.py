"""Which adapter runs: the CI host is told apart by its environment, and the plain
terminal adapter takes what no CI host does."""

from __future__ import annotations

import io
import logging

import pytest

from release_publisher.hosts import Host, select_host
from release_publisher.hosts.github import GitHubHost
from release_publisher.hosts.gitlab import GitLabHost
from release_publisher.hosts.local import LocalHost
from release_publisher.result import ReleaseResult


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"GITHUB_ACTIONS": "true"}, GitHubHost),
        ({"GITLAB_CI": "true"}, GitLabHost),
        ({"GITHUB_ACTIONS": "false"}, LocalHost),
        ({}, LocalHost),
    ],
)
def test_select_host(env: dict[str, str], kind: type[Host]) -> None:
    assert type(select_host(env, stream=io.StringIO())) is kind


def test_local_host_folds_a_phase_as_a_heading_line_and_writes_no_files(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = io.StringIO()
    host = select_host({}, stream=stream)
    with (
        caplog.at_level(logging.INFO, logger="release_publisher"),
        host.group("Upload artifact server"),
    ):
        pass
    assert [r.getMessage() for r in caplog.records] == ["== Upload artifact server"]
    assert (
        host.publish(ReleaseResult(app_key="com.example.app", version="1.0.0"), result_file=None)
        == []
    )
    assert stream.getvalue() == ""

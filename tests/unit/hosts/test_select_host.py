"""Which adapter runs (hosts/__init__.py): the CI host is told apart by its
environment; the plain terminal adapter takes the rest."""

from __future__ import annotations

import io

import pytest

from release_publisher.hosts import Host, select_host
from release_publisher.hosts.github import GitHubHost
from release_publisher.hosts.gitlab import GitLabHost
from release_publisher.hosts.local import LocalHost


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

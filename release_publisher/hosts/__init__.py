"""CI host adapters: GitHub Actions (step outputs, job summary, masks, annotations),
GitLab CI (dotenv report, log sections) and a plain terminal. :func:`select_host`
picks one from the environment; :class:`Host` (in :mod:`.base`) is the interface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from .base import Host
from .github import GitHubHost
from .gitlab import GitLabHost
from .local import LocalHost

__all__ = ["Host", "select_host"]


def select_host(env: Mapping[str, str], *, stream: TextIO | None = None) -> Host:
    """The adapter for the CI host described by ``env``: :class:`GitHubHost` when
    ``GITHUB_ACTIONS=true``, :class:`GitLabHost` when ``GITLAB_CI=true``
    (case-insensitive, surrounding spaces ignored), else :class:`LocalHost`.
    ``stream`` is where log commands go (stdout when None)."""
    if env.get("GITHUB_ACTIONS", "").strip().lower() == "true":
        return GitHubHost(env, stream=stream)
    if env.get("GITLAB_CI", "").strip().lower() == "true":
        return GitLabHost(env, stream=stream)
    return LocalHost(env, stream=stream)

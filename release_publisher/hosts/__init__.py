"""CI host adapters: GitHub Actions (step outputs, job summary, masks, annotations),
GitLab CI (dotenv report, log sections) and a plain terminal. :func:`select_host`
picks one from the environment; :class:`Host` (in :mod:`.base`) is the interface."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from .base import Host
from .dotenv import with_dotenv_report
from .github import GitHubHost
from .gitlab import GitLabHost
from .local import LocalHost

__all__ = ["Host", "select_host"]


def select_host(
    env: Mapping[str, str], *, stream: TextIO | None = None, dotenv: str | Path | None = None
) -> Host:
    """The adapter for the CI host described by ``env``: :class:`GitHubHost` when
    ``GITHUB_ACTIONS=true``, :class:`GitLabHost` when ``GITLAB_CI=true``
    (case-insensitive, surrounding spaces ignored), else :class:`LocalHost`; made to
    write the dotenv report on any host when ``dotenv`` (``--dotenv``) or
    ``RELEASE_PUBLISHER_DOTENV`` names a path (see :mod:`.dotenv`). ``stream`` is where
    log commands go (stdout when None)."""
    host: Host
    if env.get("GITHUB_ACTIONS", "").strip().lower() == "true":
        host = GitHubHost(env, stream=stream)
    elif env.get("GITLAB_CI", "").strip().lower() == "true":
        host = GitLabHost(env, stream=stream)
    else:
        host = LocalHost(env, stream=stream)
    return with_dotenv_report(host, dotenv)

"""The dotenv report on any CI host, not only GitLab: ``--dotenv PATH`` or
``RELEASE_PUBLISHER_DOTENV=PATH`` asks for it explicitly.

:func:`with_dotenv_report` takes the host :func:`~release_publisher.hosts.select_host`
chose and returns it ready to write the report:

- a :class:`~.gitlab.GitLabHost` (``GITLAB_CI=true``) already writes it; a given
  ``--dotenv`` path replaces its default;
- any other host, when a path is configured, is wrapped in :class:`DotenvReporting`,
  which writes the same report (:func:`~.gitlab.write_dotenv_report`) besides what the
  host writes (step outputs and job summary on GitHub). A relative path is relative
  to the current directory;
- with no path configured but a GitLab-looking environment whose ``GITLAB_CI`` is not
  ``true`` (gitlab-ci-local sets ``GITLAB_CI=false``), the host is wrapped so that
  ``publish`` warns that no report was written and how to get one.

A configured path that cannot be written is reported as a warning by ``publish``
(``could not write the dotenv report PATH: reason``); it never fails the release.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import Location, ReleasePublisherError
from ..result import ReleaseResult
from .base import Host
from .gitlab import DOTENV_ENV, DOTENV_FILE, GitLabHost, write_dotenv_report


class DotenvReporting(Host):
    """``inner`` (any host) that also writes the dotenv report to ``path`` when it
    publishes; with ``path=None`` it only adds ``missing`` to the warnings. Every
    other call goes to ``inner`` unchanged."""

    def __init__(self, inner: Host, path: Path | None, *, missing: str = "") -> None:
        super().__init__(inner.env, stream=inner.stream)
        self.inner = inner
        self.path = path
        self.missing = missing
        self.name = inner.name

    @property
    def debug(self) -> bool:
        """The inner host's verbosity."""
        return self.inner.debug

    def mask(self, secrets: Sequence[str]) -> None:
        """Mask through the inner host."""
        self.inner.mask(secrets)

    def redact(self, text: str) -> str:
        """Redact as the inner host does."""
        return self.inner.redact(text)

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """Fold log lines as the inner host does."""
        with self.inner.group(title):
            yield

    def report_error(self, error: ReleasePublisherError) -> None:
        """Report through the inner host."""
        self.inner.report_error(error)

    def report_warning(self, message: str, location: Location | None = None) -> None:
        """Report through the inner host."""
        self.inner.report_warning(message, location)

    def publish(
        self, result: ReleaseResult, *, result_file: Path | None, trace_file: Path | None = None
    ) -> list[str]:
        """The inner host's outputs, then the dotenv report at :attr:`path`. Never
        raises; returns the warnings of both."""
        warnings = self.inner.publish(result, result_file=result_file, trace_file=trace_file)
        if self.path is None:
            return [*warnings, self.missing] if self.missing else warnings
        return warnings + write_dotenv_report(
            result, self.path, result_file=result_file, redact=self.redact
        )


def configured_path(host: Host, dotenv: str | Path | None) -> Path | None:
    """The dotenv path asked for: ``dotenv`` (``--dotenv``), else the host
    environment's ``RELEASE_PUBLISHER_DOTENV``; None when neither is set."""
    if dotenv:
        return Path(dotenv)
    value = host.env.get(DOTENV_ENV, "").strip()
    return Path(value) if value else None


def with_dotenv_report(host: Host, dotenv: str | Path | None = None) -> Host:
    """``host`` made to write the dotenv report where one is asked for (see the
    module docstring). ``dotenv`` is the ``--dotenv`` path or None."""
    if isinstance(host, GitLabHost):
        if dotenv:
            host.dotenv = Path(dotenv)
        return host
    path = configured_path(host, dotenv)
    if path is not None:
        return DotenvReporting(host, path)
    gitlab_ci = host.env.get("GITLAB_CI", "").strip()
    if gitlab_ci:
        return DotenvReporting(
            host,
            None,
            missing=f"GITLAB_CI is {gitlab_ci!r}, not 'true': no dotenv report was written "
            f"(set {DOTENV_ENV}={DOTENV_FILE} to write one, e.g. under gitlab-ci-local)",
        )
    return host

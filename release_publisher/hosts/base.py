"""The CI host adapter interface. Adapters know their host (files, log commands), and
nothing of HTTP; they are fed a :class:`~release_publisher.result.ReleaseResult`.

The pipeline and CLI use a host like this::

    host = select_host(os.environ, stream=sys.stdout)
    host.mask(credentials.secret_forms())       # first, before anything is printed
    with host.group("Upload artifact server"):  # folds long phases
        ...
    host.report_error(err)                      # on failure: annotation
    host.publish(result, result_file=path)      # step outputs, summary, dotenv; never raises
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from ..errors import Location, ReleasePublisherError
from ..result import ReleaseResult

log = logging.getLogger("release_publisher")


class Host:
    """A plain terminal or an unknown CI: no masking command, no output files; groups
    are a heading line. Subclasses override what their host supports.

    ``env`` is the process environment; ``stream`` where log commands go (stdout).
    """

    name = "local"

    def __init__(self, env: Mapping[str, str], *, stream: TextIO | None = None) -> None:
        self.env = env
        self.stream = stream if stream is not None else sys.stdout

    @property
    def debug(self) -> bool:
        """True when the host asks for verbose logs (e.g. ``RUNNER_DEBUG=1``)."""
        return False

    def mask(self, secrets: Sequence[str]) -> None:
        """Ask the host to hide ``secrets`` (each line of each) in its logs. No-op here:
        the redacting log filter is the only protection a plain terminal has."""

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """Fold the log lines of a phase under ``title``."""
        log.info("== %s", title)
        yield

    def report_error(self, error: ReleasePublisherError) -> None:
        """Show a failure the way the host highlights errors (annotation). No-op here:
        the CLI prints the one-line error itself."""

    def report_warning(self, message: str, location: Location | None = None) -> None:
        """Show a warning the way the host highlights warnings. No-op here."""

    def publish(self, result: ReleaseResult, *, result_file: Path | None) -> list[str]:
        """Write step outputs, job summary or dotenv report for ``result``. Never raises:
        returns the warnings for outputs that could not be written."""
        return []


def select_host(env: Mapping[str, str], *, stream: TextIO | None = None) -> Host:
    """The adapter for the CI host described by ``env``: GitHub when
    ``GITHUB_ACTIONS=true``, GitLab when ``GITLAB_CI=true``, else :class:`Host`."""
    return Host(env, stream=stream)

"""The CI host adapter interface. Adapters know their host (files, log commands), and
nothing of HTTP; they are fed a :class:`~release_publisher.result.ReleaseResult`.

The pipeline and CLI use a host like this::

    host = select_host(os.environ, stream=sys.stdout)
    host.mask(credentials.secret_forms())       # first, before anything is printed
    with host.group("Upload artifact server"):  # folds long phases
        ...
    host.report_error(err)                      # on failure: annotation
    host.publish(result, result_file=path)      # step outputs, summary, dotenv; never raises

Every text an adapter writes (log commands, output files) is passed through
:meth:`Host.redact` first, so no registered secret can reach a host file.
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
from ..secrets import REDACTOR

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
        """Ask the host to hide ``secrets`` (each line of each) in its logs. Here (and
        on every host) they are also registered with the process-wide
        :data:`~release_publisher.secrets.REDACTOR`, so that the redacting log filter
        and every file an adapter writes leave them out."""
        REDACTOR.add(*secrets)

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``***``."""
        return REDACTOR.redact(text)

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
        returns the warnings for outputs that could not be written (the caller logs
        them)."""
        return []

    # -- helpers for subclasses ------------------------------------------------------

    def _write(self, line: str) -> None:
        """Write one redacted line (a newline is added) to ``stream`` and flush, so the
        line is ordered with the log records that go to the same stream."""
        try:
            self.stream.write(self.redact(line) + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stdout must not fail the run
            pass

    def _env_path(self, name: str, what: str, warnings: list[str]) -> Path | None:
        """The path in env ``name``, or None (with a warning naming ``what`` could not
        be written) when the variable is unset or empty."""
        value = self.env.get(name, "").strip()
        if not value:
            warnings.append(f"{name} is not set: the {what} was not written")
            return None
        return Path(value)


def append_text(path: Path, text: str) -> str | None:
    """Append ``text`` (UTF-8, ``\\n`` line ends) to the existing or new file ``path``.

    The parent directory is never created. Returns None on success, else a short reason
    (``"No such file or directory"``, ``"Permission denied"``, ...); never raises.
    """
    try:
        with path.open("a", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def select_host(
    env: Mapping[str, str], *, stream: TextIO | None = None, dotenv: str | Path | None = None
) -> Host:
    """The adapter for the CI host described by ``env``: GitHub when
    ``GITHUB_ACTIONS=true``, GitLab when ``GITLAB_CI=true`` (case-insensitive), else
    :class:`Host`; made to write the dotenv report on any host when ``dotenv``
    (``--dotenv``) or ``RELEASE_PUBLISHER_DOTENV`` names a path (see :mod:`.dotenv`)."""
    from .dotenv import with_dotenv_report

    host: Host
    if env.get("GITHUB_ACTIONS", "").strip().lower() == "true":
        from .github import GitHubHost

        host = GitHubHost(env, stream=stream)
    elif env.get("GITLAB_CI", "").strip().lower() == "true":
        from .gitlab import GitLabHost

        host = GitLabHost(env, stream=stream)
    else:
        host = Host(env, stream=stream)
    return with_dotenv_report(host, dotenv)

"""GitLab CI: a dotenv report for later jobs and collapsible log sections.

Selected when ``GITLAB_CI=true``. The dotenv report (declare it in the job with
``artifacts: reports: dotenv: release-publisher.env``) is written to the path given
to the host (``--dotenv PATH``, relative to the current directory), else the path in
``RELEASE_PUBLISHER_DOTENV`` (relative to ``CI_PROJECT_DIR``), else
``$CI_PROJECT_DIR/release-publisher.env`` (the current directory without
``CI_PROJECT_DIR``). :func:`write_dotenv_report` writes the same report on any other
host (see :mod:`.dotenv`). Variables, in order of priority:

=================================== ===============================================
MARKETPLACE_STATUS                  ``published``, ``unchanged``, ``skipped``,
                                    ``awaiting-approval``, ``dry-run``, ``failed``,
                                    ``processing-timeout``
MARKETPLACE_LISTING_STATE           ``listing-state`` (e.g. ``public``, ``not-published``)
MARKETPLACE_ARTIFACT_ID             the first artifact's ID
MARKETPLACE_RESULT_FILE             the result JSON's path (relative to CI_PROJECT_DIR
                                    when inside it)
MARKETPLACE_ARTIFACT_ID_<NAME>      per artifact: name upper-cased, ``-`` -> ``_``
MARKETPLACE_IMAGE_IDS_<TYPE>        per image type: image IDs joined with ``,``
MARKETPLACE_CHECKSUM_<NAME>         per artifact: SHA-512 hex
=================================== ===============================================

GitLab's rules are kept: names ``[A-Za-z0-9_]``, one ``NAME=value`` per line, no
blank lines, comments or quotes, single-line values, at most 5 KB and 20 variables
(the lowest-priority variables are dropped, with a warning, beyond that). A value that
is unknown is left out; one holding a line break, a quote, a control character or a
secret is left out with a warning rather than corrupting the report. GitLab has no
masking command: the redacting log filter is the only protection, and no secret is
ever written to the report.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TextIO

from ..result import ReleaseResult, write_text
from .base import Host
from .folding import fold

log = logging.getLogger("release_publisher")

DOTENV_FILE = "release-publisher.env"
DOTENV_ENV = "RELEASE_PUBLISHER_DOTENV"
#: GitLab rejects a dotenv report over 5 KB or with more than 20 variables (default
#: plan limit) as a whole: stay within both.
MAX_DOTENV_BYTES = 5 * 1024
MAX_DOTENV_VARIABLES = 20
PREFIX = "MARKETPLACE_"

_ESC = "\x1b[0K"
_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")
_SECTION_BAD = re.compile(r"[^A-Za-z0-9_.-]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def env_name(text: str) -> str:
    """``text`` as a dotenv variable name part: upper-cased, every character outside
    ``[A-Za-z0-9_]`` (``-`` included) replaced by ``_``."""
    return _NAME_BAD.sub("_", text.upper())


def dotenv_variables(result: ReleaseResult, result_file: str) -> list[tuple[str, str]]:
    """The report's variables for ``result`` as (name, value) pairs in priority order
    (see the module docstring); unknown values are left out."""
    out: list[tuple[str, str]] = [(f"{PREFIX}STATUS", result.status)]
    if result.artifacts and result.artifacts[0].id:
        out.append((f"{PREFIX}ARTIFACT_ID", result.artifacts[0].id))
    if result_file:
        out.append((f"{PREFIX}RESULT_FILE", result_file))
    for name, value in result.version_outputs().items():
        if value:
            out.append((f"{PREFIX}VERSION_{env_name(name)}", value))
    for name, value in [*result.listing_outputs().items(), *result.app_listing_outputs().items()]:
        if value:
            out.append((f"{PREFIX}{env_name(name)}", value))
    for name, artifact_id in result.artifact_ids().items():
        out.append((f"{PREFIX}ARTIFACT_ID_{env_name(name)}", artifact_id))
    for image_type, ids in result.image_ids().items():
        out.append((f"{PREFIX}IMAGE_IDS_{env_name(image_type)}", ",".join(ids)))
    for name, checksum in result.checksums().items():
        out.append((f"{PREFIX}CHECKSUM_{env_name(name)}", checksum))
    return out


def render_dotenv(
    variables: list[tuple[str, str]], *, redact: Callable[[str], str] = lambda text: text
) -> tuple[str, list[str]]:
    """The dotenv report text for ``variables`` (priority order) and the warnings for
    what was left out. Each kept line is ``NAME=value\\n``; the text has at most
    :data:`MAX_DOTENV_VARIABLES` lines and :data:`MAX_DOTENV_BYTES` bytes."""
    warnings: list[str] = []
    lines: list[str] = []
    names: set[str] = set()
    size = 0
    for name, raw in variables:
        value = raw.strip()
        if not value:
            continue
        if not name or _NAME_BAD.search(name):
            warnings.append(f"dotenv report: {name!r} is not a valid variable name; left out")
            continue
        if name in names:
            warnings.append(f"dotenv report: {name} would be written twice; kept the first")
            continue
        problem = _value_problem(value, redact)
        if problem:
            warnings.append(f"dotenv report: {name} left out: its value {problem}")
            continue
        line = f"{name}={value}\n"
        if len(lines) >= MAX_DOTENV_VARIABLES:
            warnings.append(
                f"dotenv report: {name} left out: GitLab accepts at most "
                f"{MAX_DOTENV_VARIABLES} variables"
            )
            continue
        if size + len(line.encode("utf-8")) > MAX_DOTENV_BYTES:
            warnings.append(
                f"dotenv report: {name} left out: GitLab accepts at most {MAX_DOTENV_BYTES} bytes"
            )
            continue
        names.add(name)
        lines.append(line)
        size += len(line.encode("utf-8"))
    return "".join(lines), warnings


def _value_problem(value: str, redact: Callable[[str], str]) -> str | None:
    """Why ``value`` cannot go into a dotenv report, or None."""
    if "\n" in value or "\r" in value:
        return "spans several lines"
    if '"' in value or "'" in value:
        return "holds a quote (GitLab would keep it literally)"
    if _CONTROL.search(value):
        return "holds a control character"
    if redact(value) != value:
        return "holds a secret"
    return None


class GitLabHost(Host):
    """GitLab CI (``GITLAB_CI=true``), typically the release-publisher image with
    ``entrypoint: [""]`` and ``script: release-publisher publish ...``.

    ``env`` supplies ``CI_PROJECT_DIR``, ``RELEASE_PUBLISHER_DOTENV`` and
    ``CI_DEBUG_TRACE``; ``stream`` receives the section markers (stdout). ``now``
    returns the Unix time in seconds for section markers (tests pass a fixed one).
    """

    name = "gitlab"

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        stream: TextIO | None = None,
        now: Callable[[], float] = time.time,
        dotenv: str | Path | None = None,
    ) -> None:
        super().__init__(env, stream=stream)
        self._now = now
        self._sections = 0
        #: ``--dotenv PATH``: overrides ``RELEASE_PUBLISHER_DOTENV`` and the default.
        self.dotenv = Path(dotenv) if dotenv else None

    @property
    def debug(self) -> bool:
        """True when the job runs with ``CI_DEBUG_TRACE=true``."""
        return self.env.get("CI_DEBUG_TRACE", "").strip().lower() == "true"

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A collapsed log section: ``\\e[0Ksection_start:<ts>:<name>[collapsed=true]
        \\r\\e[0K<title>`` ... ``\\e[0Ksection_end:<ts>:<name>\\r\\e[0K``. Sections nest.
        Expanded when :attr:`debug`. Written only when a line is written inside
        (:func:`~.folding.fold`)."""
        self._sections += 1
        shown = _CONTROL.sub(" ", " ".join(self.redact(title).splitlines()))
        slug = _SECTION_BAD.sub("_", shown.lower())[:40].strip("_") or "phase"
        name = f"release_publisher_{self._sections}_{slug}"
        options = "" if self.debug else "[collapsed=true]"
        opening = f"{_ESC}section_start:{int(self._now())}:{name}{options}\r{_ESC}{shown}"
        with fold(
            self.folding,
            self.redact(opening),
            lambda: self.redact(f"{_ESC}section_end:{int(self._now())}:{name}\r{_ESC}"),
        ):
            yield

    def dotenv_path(self) -> Path:
        """Where the dotenv report goes: :attr:`dotenv` if given, else
        ``RELEASE_PUBLISHER_DOTENV`` (relative to ``CI_PROJECT_DIR``) if set, else
        ``$CI_PROJECT_DIR/release-publisher.env``; the current directory stands in for
        an unset ``CI_PROJECT_DIR``."""
        if self.dotenv is not None:
            return self.dotenv
        base = Path(self.env.get("CI_PROJECT_DIR", "").strip() or Path.cwd())
        chosen = self.env.get(DOTENV_ENV, "").strip()
        return base / (chosen or DOTENV_FILE)

    def publish(
        self, result: ReleaseResult, *, result_file: Path | None, trace_file: Path | None = None
    ) -> list[str]:
        """Write the dotenv report (replacing an older one atomically). Never raises;
        returns the warnings for what could not be written or was left out."""
        return write_dotenv_report(
            result,
            self.dotenv_path(),
            result_file=result_file,
            project_dir=self.env.get("CI_PROJECT_DIR", "").strip(),
            redact=self.redact,
        )


def write_dotenv_report(
    result: ReleaseResult,
    path: Path,
    *,
    result_file: Path | None,
    project_dir: str = "",
    redact: Callable[[str], str] = lambda text: text,
) -> list[str]:
    """Write the dotenv report of ``result`` to ``path`` (replacing an older one
    atomically; the directory must exist). ``result_file`` is shown relative to
    ``project_dir`` when inside it. Never raises; returns the (redacted) warnings for
    what was left out, and ``could not write the dotenv report PATH: reason`` when the
    file could not be written."""
    warnings: list[str] = []
    try:
        shown = _shown_path(result_file, project_dir) if result_file is not None else ""
        text, dropped = render_dotenv(dotenv_variables(result, shown), redact=redact)
        warnings += dropped
        try:
            write_text(path, text)  # atomic; never over a device, FIFO or directory
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            warnings.append(f"could not write the dotenv report {path}: {reason}")
    except Exception as exc:  # noqa: BLE001 - outputs must never fail a finished upload
        warnings.append(f"could not write the dotenv report: {type(exc).__name__}: {exc}")
    return [redact(w) for w in warnings]


def _shown_path(path: Path, project_dir: str) -> str:
    """``path`` relative to ``project_dir`` (CI_PROJECT_DIR) when inside it (later jobs
    get the job's artifacts there), else absolute; "" when no file is there."""
    if not path.is_file():
        return ""
    full = path.absolute()
    if project_dir:
        root = Path(project_dir).absolute()
        if full != root and full.is_relative_to(root):
            return full.relative_to(root).as_posix()
    return str(full)

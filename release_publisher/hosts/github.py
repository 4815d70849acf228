"""GitHub Actions: step outputs, job summary, masks, annotations and log groups.

Selected when ``GITHUB_ACTIONS=true``. What it writes, following the runner's rules:

* step outputs, appended to the file named by ``GITHUB_OUTPUT`` in the heredoc form
  ``name<<ghadelimiter_<uuid4>`` / value / delimiter, with a fresh delimiter checked
  absent from the value. Outputs (see action.yml):

  ============== ==========================================================
  status         ``published``, ``unchanged``, ``skipped``, ``awaiting-approval``,
                 ``dry-run``, ``failed``, ``processing-timeout``
  artifact-id    the first artifact's ID ("" until it is uploaded)
  artifact-ids   JSON object: artifact name -> artifact ID
  checksums      JSON object: artifact name -> SHA-512 hex
  image-ids      JSON object: image type -> list of image IDs (upload order)
  result-file    path of the result JSON as later steps of the job see it
  trace-file     path of the wire trace (``--trace``) as later steps see it, or ""
  ============== ==========================================================

  All six are written on success and on failure (an artifact uploaded before the
  failure keeps its ID); the JSON ones are always valid JSON (``{}`` when empty).
* the release card (:mod:`.summary`), appended to ``GITHUB_STEP_SUMMARY`` (< 1 MiB);
* ``::add-mask::`` for each line of each secret, ``::group::``/``::endgroup::``,
  ``::error``/``::warning`` annotations (at most 10 of each kind per step), on the
  adapter's stream (stdout), with the runner's escaping.

A missing, empty, unreachable or unwritable file is a warning returned by
:meth:`GitHubHost.publish`, never an exception.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TextIO

from ..action_image import OUTPUTS
from ..errors import Location, ReleasePublisherError
from ..result import ReleaseResult
from .base import Host, append_text
from .folding import fold
from .summary import MAX_SUMMARY_BYTES, fit_summary, render_summary

log = logging.getLogger("release_publisher")

#: The runner shows at most this many annotations of one kind per step.
MAX_ANNOTATIONS = 10
#: Prefix of the heredoc delimiters, as the GitHub toolkit writes them.
DELIMITER_PREFIX = "ghadelimiter_"
#: Names of the step outputs, as declared in action.yml (one list, kept equal to
#: action.yml by a unit test).
OUTPUT_NAMES = OUTPUTS

#: Where a Docker action sees the runner's directories (the runner mounts them).
CONTAINER_RUNNER_TEMP = "/github/runner_temp"
CONTAINER_HOME = "/github/home"


def escape_data(text: str) -> str:
    """Escape a workflow command's message: ``%`` -> ``%25``, CR -> ``%0D``,
    LF -> ``%0A`` (``%`` first, so the runner's unescaping restores the text)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value: as :func:`escape_data`, plus
    ``:`` -> ``%3A`` and ``,`` -> ``%2C``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def mask_values(secrets: Sequence[str]) -> list[str]:
    """The values to send as ``::add-mask::``: each non-blank line of each secret, and
    its whitespace-trimmed form where that differs; duplicates dropped, order kept."""
    out: list[str] = []
    for secret in secrets:
        for line in secret.splitlines() or [secret]:
            for form in (line, line.strip()):
                if form.strip() and form not in out:
                    out.append(form)
    return out


def format_output(name: str, value: str) -> str:
    """One step output in the runner's heredoc form, ending with a newline::

        name<<ghadelimiter_<uuid4>
        value
        ghadelimiter_<uuid4>

    The delimiter is fresh for each output and never occurs in ``value`` (nor in
    ``name``). Raises ValueError for a name the runner cannot read back (empty, or
    holding ``=``, ``<<`` or a line break)."""
    if not name or any(bad in name for bad in ("=", "<<", "\n", "\r")):
        raise ValueError(f"invalid step output name {name!r}")
    while True:
        delimiter = f"{DELIMITER_PREFIX}{uuid.uuid4()}"
        if delimiter not in value and delimiter not in name:
            break
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def step_outputs(result: ReleaseResult, result_file: str, trace_file: str = "") -> dict[str, str]:
    """The step outputs for ``result`` (names as in :data:`OUTPUT_NAMES`); values are
    strings, the JSON ones compact JSON objects. ``trace_file``: the wire trace's
    path as later steps see it ("" without one)."""
    first = result.artifacts[0].id if result.artifacts and result.artifacts[0].id else ""
    return {
        "status": result.status,
        "artifact-id": first,
        "artifact-ids": json.dumps(result.artifact_ids(), sort_keys=True),
        "checksums": json.dumps(result.checksums(), sort_keys=True),
        "image-ids": json.dumps(result.image_ids(), sort_keys=True),
        "result-file": result_file,
        **{f"version-{name}": value for name, value in result.version_outputs().items()},
        **result.listing_outputs(),
        **result.app_listing_outputs(),
        "trace-file": trace_file,
    }


def runner_temp(env: Mapping[str, str]) -> str | None:
    """The runner's temp directory as the runner (and so later steps) sees it:
    ``RUNNER_TEMP`` when the runner passed it untranslated, else the ``_temp``
    directory beside ``RUNNER_WORKSPACE`` (the runner's layout); None if unknown."""
    temp = env.get("RUNNER_TEMP", "").strip()
    if temp and not temp.startswith("/github/"):
        return temp.rstrip("/")
    workspace = env.get("RUNNER_WORKSPACE", "").strip()
    if workspace and not workspace.startswith("/github/"):
        return str(PurePosixPath(workspace).parent / "_temp")
    return None


def runner_side_path(path: str, env: Mapping[str, str]) -> str:
    """Map an absolute container path to the runner's path. In a Docker action the
    runner mounts its temp directory at ``/github/runner_temp`` (current runners) and
    ``$RUNNER_TEMP/_github_home`` at ``/github/home``; paths under those map back to
    :func:`runner_temp`. Any other path (a ``run:`` step, a local run, an unknown
    runner temp) is returned unchanged."""
    temp = runner_temp(env)
    if temp:
        for prefix, outside in (
            (CONTAINER_RUNNER_TEMP, temp),
            (CONTAINER_HOME, f"{temp}/_github_home"),
        ):
            if path == prefix or path.startswith(prefix + "/"):
                return outside + path[len(prefix) :]
    return path


def container_side_path(path: str, env: Mapping[str, str]) -> str:
    """The inverse of :func:`runner_side_path`: a path under the runner's temp directory
    (as a ``result-file`` output gives it, e.g. ``/home/runner/work/_temp/x.json``) to
    where a Docker action sees it (``/github/runner_temp/x.json``, or ``/github/home/...``
    for ``_github_home``). Paths elsewhere, or when the runner temp is unknown, are
    returned unchanged."""
    temp = runner_temp(env)
    if temp:
        for outside, prefix in (
            (f"{temp}/_github_home", CONTAINER_HOME),
            (temp, CONTAINER_RUNNER_TEMP),
        ):
            if path == outside or path.startswith(outside + "/"):
                return prefix + path[len(outside) :]
    return path


class GitHubHost(Host):
    """GitHub Actions (``GITHUB_ACTIONS=true``), in a Docker action or a ``run:`` step.

    ``env`` supplies ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_WORKSPACE``,
    ``RUNNER_DEBUG``, ``RUNNER_TEMP`` and ``RUNNER_WORKSPACE``; ``stream`` receives the
    workflow commands (stdout, which the runner scans).
    """

    name = "github"

    def __init__(self, env: Mapping[str, str], *, stream: TextIO | None = None) -> None:
        super().__init__(env, stream=stream)
        self._annotations: Counter[str] = Counter()
        self._group_depth = 0

    @property
    def debug(self) -> bool:
        """True when the run was started with debug logging (``RUNNER_DEBUG=1``)."""
        return self.env.get("RUNNER_DEBUG", "").strip() == "1"

    def mask(self, secrets: Sequence[str]) -> None:
        """Send ``::add-mask::`` for each line of each secret (see :func:`mask_values`)
        at once, then register them for redaction. Call it before anything else is
        printed: the runner hides a value only in lines that come after its mask."""
        lines = [f"::add-mask::{escape_data(value)}\n" for value in mask_values(secrets)]
        try:
            self.stream.write("".join(lines))
            self.stream.flush()
        except (OSError, ValueError):
            pass
        super().mask(secrets)

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """``::group::title`` ... ``::endgroup::``. The runner cannot nest groups: an
        inner group is a plain heading line inside the outer one. Written only when a
        line is written inside (:func:`~.folding.fold`): with ``--quiet`` a phase
        that logged nothing leaves no markers."""
        if self._group_depth:
            with fold(self.folding, self.redact(f"== {title}"), None):
                yield
            return
        self._group_depth += 1
        try:
            opening = f"::group::{escape_data(self.redact(title))}"
            with fold(self.folding, opening, lambda: "::endgroup::"):
                yield
        finally:
            self._group_depth -= 1

    def report_error(self, error: ReleasePublisherError) -> None:
        """An ``::error`` annotation: title ``release-publisher: <kind>``, the message
        and hint, and the config file, line and column when known."""
        message = error.message + (f"\nhint: {error.hint}" if error.hint else "")
        self._annotate("error", message, error.location, f"release-publisher: {error.kind}")

    def report_warning(self, message: str, location: Location | None = None) -> None:
        """A ``::warning`` annotation with the file, line and column when known."""
        self._annotate("warning", message, location, "release-publisher")

    def publish(
        self, result: ReleaseResult, *, result_file: Path | None, trace_file: Path | None = None
    ) -> list[str]:
        """Append the step outputs to ``GITHUB_OUTPUT`` and the release card to
        ``GITHUB_STEP_SUMMARY``. ``result_file`` is the result JSON the CLI wrote (its
        ``result-file`` output is the path as later steps see it, "" when the file is
        absent); ``trace_file`` the wire trace (its ``trace-file`` output likewise).
        Never raises; returns the warnings for what could not be written."""
        warnings: list[str] = []
        try:
            shown = self.runner_path(result_file) if result_file is not None else ""
            traced = self.runner_path(trace_file) if trace_file is not None else ""
            outputs = step_outputs(result, shown, traced)
            text = "".join(format_output(k, self.redact(v)) for k, v in outputs.items())
            self._append("GITHUB_OUTPUT", "step outputs", text, warnings)
            card = render_summary(result, result_file=shown or None, redact=self.redact)
            self._append_summary(card, warnings)
        except Exception as exc:  # noqa: BLE001 - outputs must never fail a finished upload
            warnings.append(f"could not write the GitHub outputs: {type(exc).__name__}: {exc}")
        return [self.redact(w) for w in warnings]

    def runner_path(self, path: Path) -> str:
        """``path`` as later steps of the job see it on the runner (absolute, see
        :func:`runner_side_path`); "" when no file is there."""
        if not path.is_file():
            return ""
        return runner_side_path(str(path.absolute()), self.env)

    # -- internals ----------------------------------------------------------------

    def _annotate(self, kind: str, message: str, location: Location | None, title: str) -> None:
        self._annotations[kind] += 1
        if self._annotations[kind] > MAX_ANNOTATIONS:
            return  # the runner would drop it; the plain log line is already there
        props: list[str] = []
        if location is not None and location.file:
            props.append(f"file={escape_property(self.redact(self._repo_path(location.file)))}")
            if location.line is not None:
                props.append(f"line={location.line}")
                if location.col is not None:
                    props.append(f"col={location.col}")
        props.append(f"title={escape_property(self.redact(title))}")
        self._write(f"::{kind} {','.join(props)}::{escape_data(self.redact(message))}")

    def _repo_path(self, file: str) -> str:
        """``file`` relative to ``GITHUB_WORKSPACE`` when inside it, so annotations
        attach to the file in the repository; else unchanged."""
        workspace = self.env.get("GITHUB_WORKSPACE", "").strip()
        if not workspace:
            return file
        full = Path(file).absolute()
        root = Path(workspace).absolute()
        if full == root or not full.is_relative_to(root):
            return file
        return full.relative_to(root).as_posix()

    def _append(self, variable: str, what: str, text: str, warnings: list[str]) -> None:
        path = self._env_path(variable, what, warnings)
        if path is None:
            return
        problem = append_text(path, text)
        if problem:
            warnings.append(f"could not write the {what} to {path} ({variable}): {problem}")

    def _append_summary(self, card: str, warnings: list[str]) -> None:
        path = self._env_path("GITHUB_STEP_SUMMARY", "job summary", warnings)
        if path is None:
            return
        try:
            used = path.stat().st_size
        except OSError:
            used = 0
        text = fit_summary(card, MAX_SUMMARY_BYTES - used)
        if not text:
            warnings.append(f"the job summary {path} is full; the release card was not added")
            return
        problem = append_text(path, text)
        if problem:
            warnings.append(
                f"could not write the job summary to {path} (GITHUB_STEP_SUMMARY): {problem}"
            )

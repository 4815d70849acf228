"""The GitHub Action's entry point: action inputs -> ``release-publisher publish``.

The image runs ``/usr/local/bin/python /app/entrypoint.py``. With no arguments (how
GitHub runs a Docker action) it reads the action inputs from the environment and runs
``release_publisher.cli.main(["publish", ...])`` in this process. With arguments
(``docker run IMAGE check --config x``, ``docker run IMAGE --version``) they go to the
CLI unchanged and the inputs are ignored.

Inputs arrive as ``INPUT_<NAME>``: upper-cased, hyphens kept (``INPUT_BASE-URL``); the
underscore spelling (``INPUT_BASE_URL``) is read when the hyphen form is empty, for
people running the image by hand. Mapping:

================== =================================== ===============================
input              default                             becomes
================== =================================== ===============================
config             ``marketplace-release.yml``         ``--config``
user, token        (required unless dry-run)           env MARKETPLACE_USER / _TOKEN
version            "" (the config's app.version)       ``--app-version``
base-url           "" (the config's, or Marketplace)   ``--base-url``
dry-run            ``false``                           ``--dry-run``
working-directory  ``.``                               ``--working-directory``
poll-timeout       "" (the config's polling.timeout)   ``--poll-timeout``
ca-bundle          ""                                  ``--ca-bundle``
resume-from        "" (a fresh release)                ``--resume`` (runner path mapped)
if-exists          "" (the config's release.if-exists) ``--if-exists`` (fail or skip)
trace              ``false``                           ``--trace`` (beside the result)
================== =================================== ===============================

Credentials go through the environment, never argv (command lines are visible to
other processes); the token inputs are removed from the environment before the CLI
runs. An invalid input is reported as ``UsageError`` (exit 2) naming the input, never
its value, as an ``::error`` annotation, in the job summary and with
``status=failed`` in the step outputs.

The result JSON goes to the runner's temp directory, which later steps of the job can
read and which is neither the workspace (root-owned files there break later steps) nor
kept after the job: ``/github/runner_temp/release-publisher-result.json`` (the
runner's ``$RUNNER_TEMP``, mounted there by current runners), else
``/github/home/release-publisher-result.json`` (``$RUNNER_TEMP/_github_home`` on the
runner), else the container's temp directory. The ``result-file`` output gives the
path as later steps see it. With ``trace: true`` the wire trace goes beside it
(``release-publisher-trace.jsonl``), named by the ``trace-file`` output.

Only the standard library is imported at module level; the package is imported when
the CLI runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field

DEFAULT_CONFIG = "marketplace-release.yml"
RESULT_NAME = "release-publisher-result.json"
#: The wire trace's file name (``trace: true``), in the result JSON's directory.
TRACE_NAME = "release-publisher-trace.jsonl"
#: Container paths of the runner's directories, best first (see the module docstring).
RESULT_DIRS = ("/github/runner_temp", "/github/home")
ENV_USER = "MARKETPLACE_USER"
ENV_TOKEN = "MARKETPLACE_TOKEN"  # noqa: S105 - a variable name, not a secret
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})


class InputError(Exception):
    """An action input is missing or invalid. ``message`` names the input and never
    shows its value; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Invocation:
    """What to run: ``argv`` for ``release_publisher.cli.main`` and ``env``, variables
    to set in the process environment first (the credentials)."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def input_keys(name: str) -> tuple[str, str]:
    """The two environment variable names of input ``name``: the runner's (upper-cased,
    spaces to ``_``, hyphens kept) and the all-underscore fallback."""
    runner = "INPUT_" + name.replace(" ", "_").upper()
    return runner, runner.replace("-", "_")


def read_input(env: Mapping[str, str], name: str) -> str:
    """The value of input ``name`` with surrounding whitespace trimmed: the hyphen
    spelling if it is non-empty, else the underscore spelling, else ``""``."""
    for key in input_keys(name):
        value = env.get(key, "").strip()
        if value:
            return value
    return ""


def read_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """Input ``name`` as a boolean: ``true/yes/1`` or ``false/no/0`` in any case;
    ``default`` when empty. Raises :class:`InputError` for anything else."""
    value = read_input(env, name).lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise InputError(
        f"the '{name}' input must be true or false",
        hint=f"set '{name}' to one of true, false, yes, no, 1, 0 (any case)",
    )


def default_result_file(dirs: Sequence[str] = RESULT_DIRS) -> str:
    """The result JSON path: :data:`RESULT_NAME` in the first of ``dirs`` that is a
    writable directory, else in the system temp directory."""
    for directory in dirs:
        if os.path.isdir(directory) and os.access(directory, os.W_OK):  # noqa: PTH112
            return os.path.join(directory, RESULT_NAME)  # noqa: PTH118
    return os.path.join(tempfile.gettempdir(), RESULT_NAME)  # noqa: PTH118


def build_invocation(
    env: Mapping[str, str], *, result_dirs: Sequence[str] = RESULT_DIRS
) -> Invocation:
    """Map the action inputs in ``env`` to a ``publish`` invocation (see the module
    docstring). Raises :class:`InputError` for a missing credential (unless dry-run),
    a bad boolean, a bad poll-timeout or a bad if-exists."""
    dry_run = read_bool(env, "dry-run", default=False)
    argv = ["publish", "--config", read_input(env, "config") or DEFAULT_CONFIG]
    extra: dict[str, str] = {}
    for name, variable in (("user", ENV_USER), ("token", ENV_TOKEN)):
        value = read_input(env, name)
        if value:
            extra[variable] = value
        elif not env.get(variable, "").strip() and not dry_run:
            what = "Atlassian account email" if name == "user" else "Atlassian API token"
            secret = "MARKETPLACE_USER" if name == "user" else "MARKETPLACE_TOKEN"
            raise InputError(
                f"the '{name}' input is empty: release-publisher needs the {what}",
                hint=f"add `{name}: ${{{{ secrets.{secret} }}}}` under `with:` in the step "
                "(a secret is empty in workflows started from forks)",
            )
    version = read_input(env, "version")
    if version:
        argv += ["--app-version", version]
    base_url = read_input(env, "base-url")
    if base_url:
        argv += ["--base-url", base_url]
    if dry_run:
        argv.append("--dry-run")
    working_directory = read_input(env, "working-directory")
    if working_directory and working_directory != ".":
        argv += ["--working-directory", working_directory]
    poll_timeout = read_input(env, "poll-timeout")
    if poll_timeout:
        from release_publisher.errors import UsageError
        from release_publisher.settings import positive_seconds

        try:  # the CLI's rule, judged here to name the input (never its value)
            positive_seconds(
                poll_timeout,
                name="the 'poll-timeout' input",
                show_value=False,
                hint="for example poll-timeout: 600, or leave it empty for the config's value",
            )
        except UsageError as err:
            raise InputError(err.message, hint=err.hint or "") from None
        argv += ["--poll-timeout", poll_timeout]
    ca_bundle = read_input(env, "ca-bundle")
    if ca_bundle:
        argv += ["--ca-bundle", ca_bundle]
    resume_from = read_input(env, "resume-from")
    if resume_from:
        # a result-file output names the runner's path; the container sees it elsewhere
        from release_publisher.hosts.github import container_side_path

        argv += ["--resume", container_side_path(resume_from, env)]
    if_exists = read_input(env, "if-exists").lower()
    if if_exists:
        if if_exists not in ("fail", "skip"):
            raise InputError(
                "the 'if-exists' input must be fail or skip",
                hint="if-exists: skip reports an existing version number as already there; "
                "leave it empty for the config's release.if-exists",
            )
        argv += ["--if-exists", if_exists]
    argv += ["--result-json", default_result_file(result_dirs)]
    if read_bool(env, "trace", default=False):
        directory = os.path.dirname(default_result_file(result_dirs))  # noqa: PTH120
        argv += ["--trace", os.path.join(directory, TRACE_NAME)]  # noqa: PTH118
    return Invocation(argv=argv, env=extra)


def report_input_error(error: InputError, env: Mapping[str, str]) -> int:
    """Report ``error`` the way the CLI reports a UsageError on this host (annotation,
    one line on stderr, ``status=failed`` outputs and a job summary); returns 2."""
    from release_publisher.errors import UsageError
    from release_publisher.hosts import select_host
    from release_publisher.result import STATUS_FAILED, ErrorInfo, ReleaseResult

    usage = UsageError(error.message, hint=error.hint)
    host = select_host(env, stream=sys.stdout)
    host.report_error(usage)
    sys.stderr.write(usage.render() + "\n")
    sys.stderr.flush()
    result = ReleaseResult(app_key=None, version=None, status=STATUS_FAILED)
    result.error = ErrorInfo(
        kind=usage.kind, message=usage.message, hint=usage.hint, exit_code=usage.exit_code
    )
    for warning in host.publish(result, result_file=None):
        sys.stderr.write(f"warning: {warning}\n")
    return usage.exit_code


def main(
    args: Sequence[str] | None = None,
    *,
    environ: MutableMapping[str, str] | None = None,
    run_cli: Callable[[list[str]], int] | None = None,
) -> int:
    """Run the action: ``args`` (default ``sys.argv[1:]``) go straight to the CLI when
    given; otherwise the inputs in ``environ`` (default ``os.environ``, updated with
    the credentials) are mapped by :func:`build_invocation`. ``run_cli`` defaults to
    ``release_publisher.cli.main``. Returns the exit code."""
    given = list(sys.argv[1:] if args is None else args)
    env = os.environ if environ is None else environ
    if given:
        argv = given
    else:
        try:
            invocation = build_invocation(env)
        except InputError as err:
            return report_input_error(err, env)
        env.update(invocation.env)
        for key in input_keys("token"):
            env.pop(key, None)
        argv = invocation.argv
    if run_cli is None:
        from release_publisher.cli import main as cli_main

        def run_cli(arguments: list[str]) -> int:
            # a stop signal after the run's endings is ignored until the process exits
            return cli_main(arguments, restore_signals=False)

    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())

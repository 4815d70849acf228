"""Command line: ``release-publisher publish | check | schema | sandbox``.

argparse, then the command: ``schema`` and ``sandbox`` here, ``publish`` and ``check``
in :class:`release_publisher.command.Command`. For ``publish`` the artifacts' SHA-512
starts first (:func:`early_checksums`), then the command module is imported.

Exit codes (also in README): 0 published / check passed / dry run; 1 unexpected
error; 2 config or usage; 3 local file (pre-flight); 4 API/HTTP; 5 verification
mismatch; 6 processing timeout; 130 interrupted (SIGINT/SIGTERM/SIGHUP/SIGQUIT); 141 the
output of ``check``/``schema`` was cut (its reader closed the pipe, see
:mod:`release_publisher.closed_pipe`).

Signals: the first SIGINT, SIGTERM, SIGHUP or SIGQUIT stops the run (exit 130, the result
JSON says ``Interrupted``); any signal after it, or during the endings (error
rendering, result JSON, CI outputs), is noted and ignored so the endings finish.

This module imports little: the command module (most of the package) and the emulator
(werkzeug) are imported only by the commands that need them (function-local imports,
listed in tests/unit/test_architecture.py); neither imports this one (no cycle).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO, cast

from . import __version__
from .checksums import FileChecksums
from .cli_options import AppVersion, command_of, log_options
from .clock import Clock
from .closed_pipe import EXIT_BROKEN_PIPE, GuardedStream, closed_pipe, closed_pipe_guarded
from .config import peek_config_data, schema_text
from .errors import EXIT_CONFIG, EXIT_OK
from .limits import MAX_ARTIFACT_BYTES
from .preflight.prefetch import likely_artifact_files
from .settings import (
    DEFAULT_CONFIG,
    ENV_BASE_URL,
    ENV_CA_BUNDLE,
    ENV_HTTP_TIMEOUT,
    ENV_TOKEN,
    ENV_USER,
)

SANDBOX_EXTRA_HINT = (
    "install the emulator with: pip install 'release-publisher[sandbox]' (the action's "
    "image leaves it out; run the emulator from a local install)"
)


def build_parser(*, with_sandbox: bool = True) -> argparse.ArgumentParser:
    """The argument parser of every subcommand. ``with_sandbox=False`` leaves the
    emulator's own options out (they import werkzeug; only ``sandbox`` needs them)."""
    parser = argparse.ArgumentParser(
        prog="release-publisher",
        description="Publish an Atlassian Marketplace app release: upload or fetch the "
        "artifact, verify what Marketplace reports, upload listing images.",
        epilog="Exit codes: 0 ok, 1 unexpected, 2 config/usage, 3 local file, 4 API/HTTP, "
        "5 verification mismatch, 6 processing timeout, 130 interrupted, 141 output cut "
        f"(closed pipe). Environment: {ENV_USER}, {ENV_TOKEN} (credentials), "
        f"{ENV_BASE_URL}, {ENV_CA_BUNDLE}, {ENV_HTTP_TIMEOUT} (defaults of --base-url, "
        "--ca-bundle, --http-timeout), RELEASE_PUBLISHER_DOTENV (default of --dotenv).",
    )
    parser.add_argument("--version", action="version", version=f"release-publisher {__version__}")
    log_options(parser, default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--config",
            "-c",
            default=DEFAULT_CONFIG,
            help=f"the release config file (default: {DEFAULT_CONFIG})",
        )
        p.add_argument(
            "--app-version",
            "--version",
            dest="release_version",
            metavar="VERSION",
            action=AppVersion,
            help="override app.version, e.g. with the tag name; a leading 'v' before a "
            "digit is dropped (v1.4.2 -> 1.4.2). --version is an alias; --version "
            "without a value prints the tool's version",
        )
        p.add_argument(
            "--base-url", help=f"override marketplace.base-url (default: ${ENV_BASE_URL})"
        )
        p.add_argument(
            "--working-directory",
            "-C",
            metavar="DIR",
            help="change to DIR first (the config path is relative to it)",
        )
        log_options(p, default=argparse.SUPPRESS)

    publish = sub.add_parser(
        "publish",
        help="publish the release described by the config",
        description="Upload/fetch each artifact, poll until Marketplace has processed it, "
        "verify key, version and checksum, then upload the listing images. Credentials "
        f"come from ${ENV_USER} and ${ENV_TOKEN} (or --user/--token).",
    )
    common(publish)
    publish.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and run pre-flight, print every request that would be sent, send none",
    )
    publish.add_argument(
        "--result-json",
        metavar="PATH",
        help="write the result JSON here (on success and failure); '-': to stdout, the "
        "log then goes to stderr",
    )
    publish.add_argument(
        "--resume",
        metavar="RESULT_JSON",
        help="reuse the artifacts and images a previous run of this release uploaded and "
        "verified (its --result-json file); they are re-checked, not uploaded again",
    )
    publish.add_argument(
        "--poll-timeout", type=float, metavar="SECONDS", help="override polling.timeout"
    )
    publish.add_argument(
        "--http-timeout",
        type=float,
        metavar="SECONDS",
        help="the longest a Marketplace request may stay silent (read and send timeout; "
        f"the connect timeout is the smaller of this and 10 s). Default: ${ENV_HTTP_TIMEOUT}, "
        "else 60",
    )
    publish.add_argument(
        "--ca-bundle",
        metavar="PATH",
        help=f"an extra CA certificate file (TLS-intercepting proxy; default: ${ENV_CA_BUNDLE})",
    )
    publish.add_argument(
        "--if-exists",
        choices=("fail", "skip"),
        help="when the version number already exists with another artifact: fail (exit 5) "
        "or skip (send nothing, report it, exit 0); overrides release.if-exists",
    )
    publish.add_argument(
        "--trace",
        metavar="PATH",
        help="write a redacted wire trace here: one JSON line per HTTP exchange (no "
        "secrets, no file bytes), for bug reports and `sandbox --replay`",
    )
    publish.add_argument("--user", help=f"Marketplace account email (default: ${ENV_USER})")
    publish.add_argument(
        "--token",
        help=f"Marketplace API token (default: ${ENV_TOKEN}; prefer the environment: "
        "command lines are visible to other processes)",
    )
    publish.add_argument(
        "--dotenv",
        metavar="PATH",
        help="write the dotenv report (MARKETPLACE_* variables) to PATH on any CI "
        "(default: $RELEASE_PUBLISHER_DOTENV; on GitLab CI release-publisher.env)",
    )

    check = sub.add_parser(
        "check",
        help="validate the config and the local files; no network",
        description="Config validation and pre-flight only. Prints what publish would do.",
    )
    common(check)

    sub.add_parser("schema", help="print the JSON Schema of the release config")

    sandbox = sub.add_parser(
        "sandbox",
        help="run the local Marketplace emulator (needs the [sandbox] extra)",
        description="A local emulator of the Marketplace release endpoints, for rehearsals "
        "and tests. Install with: pip install 'release-publisher[sandbox]'.",
    )
    if with_sandbox:
        # imported here: the emulator imports werkzeug, which only `sandbox` needs
        from .sandbox import cli as sandbox_cli

        sandbox_cli.add_arguments(sandbox)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    restore_signals: bool = True,
) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and ``env`` (default
    ``os.environ``); ``clock`` times pacing, polling and retries (default the system
    clock; tests pass a FakeClock). ``restore_signals`` False (the process entry
    point) leaves the stop-signal handlers in place after the run, ignoring signals
    until the process exits. Returns the exit code."""
    environ = os.environ if env is None else env
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = command_of(arguments)
    if command == "sandbox":
        try:
            parser = build_parser(with_sandbox=True)
        except ModuleNotFoundError as exc:
            if (exc.name or "").startswith("release_publisher"):
                raise
            sys.stderr.write(
                f"UsageError: release-publisher sandbox needs {exc.name}, which is not "
                f"installed\n  hint: {SANDBOX_EXTRA_HINT}\n"
            )
            sys.stderr.flush()
            return EXIT_CONFIG
    else:
        parser = build_parser(with_sandbox=False)
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    # the process entry point guards stdout already (__main__); in process: here
    stdout = (
        sys.stdout if closed_pipe_guarded(sys.stdout) else cast(TextIO, GuardedStream(sys.stdout))
    )
    if args.command == "schema":
        stdout.write(schema_text())
        stdout.flush()
        return EXIT_BROKEN_PIPE if closed_pipe(stdout) else EXIT_OK
    if args.command == "sandbox":
        from .sandbox import cli as sandbox_cli  # werkzeug: see build_parser

        return sandbox_cli.run(args)
    checksums = early_checksums(args, environ) if args.command == "publish" else None
    # imported only now, so that its imports (most of the package) overlap the hashing
    from .command import Command

    command_run = Command(args, environ, clock=clock, stdout=stdout, checksums=checksums)
    command_run.signals.restore = restore_signals
    code = command_run.run()
    if closed_pipe(stdout) and code == EXIT_OK and args.command != "publish":
        return EXIT_BROKEN_PIPE  # check: its output was cut (a release is not its log)
    return code


def early_checksums(args: argparse.Namespace, env: Mapping[str, str]) -> FileChecksums | None:
    """For ``publish`` (not ``--dry-run``): a :class:`FileChecksums` already hashing the
    artifact files the config most likely names (read best-effort, before anything is
    validated: :func:`~release_publisher.config.peek_config_data`,
    :func:`~release_publisher.preflight.prefetch.likely_artifact_files`), so that the
    SHA-512 of a large artifact is computed on another core while the rest of the tool
    starts. Never raises; what it cannot read is judged later by the real load."""
    if getattr(args, "dry_run", False):
        return None
    checksums = FileChecksums()
    config = Path(args.working_directory or ".") / args.config
    data = peek_config_data(config, env=env)
    if data is not None:
        files = likely_artifact_files(data, config.resolve().parent)
        checksums.prefetch(files, max_bytes=MAX_ARTIFACT_BYTES)  # pre-flight refuses larger
    return checksums

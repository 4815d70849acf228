"""Command line: ``release-publisher publish | check | schema | sandbox``.

Exit codes (also in README): 0 published / check passed / dry run; 1 unexpected
error; 2 config or usage; 3 local file (pre-flight); 4 API/HTTP; 5 verification
mismatch; 6 processing timeout; 130 interrupted (SIGINT/SIGTERM).

Every expected failure is printed as one line ``Kind: message`` plus a ``hint:``
line on stderr; a traceback only with ``-v`` (or ``RUNNER_DEBUG=1`` on GitHub).
Heavy modules (requests, jsonschema, werkzeug) are imported only by the commands
that need them, so ``--version`` and ``check`` start fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import (
    EXIT_OK,
    EXIT_UNEXPECTED,
    ConfigError,
    Interrupted,
    ReleasePublisherError,
    UsageError,
)
from .result import (
    STATUS_CHECKED,
    STATUS_DRY_RUN,
    STATUS_FAILED,
    STATUS_TIMEOUT,
    ErrorInfo,
    ReleaseResult,
)
from .secrets import REDACTOR, Credentials, RedactingFilter

if TYPE_CHECKING:
    from .config.model import ReleaseConfig
    from .hosts.base import Host
    from .marketplace.client import MarketplaceClient
    from .preflight.model import Plan
    from .resume import PreviousRun
    from .version_stage import VersionStage

log = logging.getLogger("release_publisher")

DEFAULT_CONFIG = "marketplace-release.yml"
ENV_USER = "MARKETPLACE_USER"
ENV_TOKEN = "MARKETPLACE_TOKEN"  # noqa: S105 - the variable's name, not a secret


def build_parser(*, with_sandbox: bool = True) -> argparse.ArgumentParser:
    """The argument parser of every subcommand. ``with_sandbox=False`` leaves the
    emulator's own options out (they import werkzeug; only ``sandbox`` needs them)."""
    parser = argparse.ArgumentParser(
        prog="release-publisher",
        description="Publish an Atlassian Marketplace app release: upload or fetch the "
        "artifact, verify what Marketplace reports, upload listing images.",
        epilog="Exit codes: 0 ok, 1 unexpected, 2 config/usage, 3 local file, 4 API/HTTP, "
        "5 verification mismatch, 6 processing timeout, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"release-publisher {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--config",
            "-c",
            default=DEFAULT_CONFIG,
            help=f"the release config file (default: {DEFAULT_CONFIG})",
        )
        p.add_argument(
            "--version",
            dest="release_version",
            metavar="VERSION",
            help="override app.version, e.g. with the tag name; a leading 'v' before a "
            "digit is dropped (v1.4.2 -> 1.4.2)",
        )
        p.add_argument("--base-url", help="override marketplace.base-url")
        p.add_argument(
            "--working-directory",
            "-C",
            metavar="DIR",
            help="change to DIR first (the config path is relative to it)",
        )
        p.add_argument("--verbose", "-v", action="store_true", help="debug logs and tracebacks")

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
        "--result-json", metavar="PATH", help="write the result JSON here (on success and failure)"
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
        "the connect timeout is the smaller of this and 10 s). Default: 60",
    )
    publish.add_argument(
        "--ca-bundle", metavar="PATH", help="an extra CA certificate file (TLS-intercepting proxy)"
    )
    publish.add_argument("--user", help=f"Marketplace account email (default: ${ENV_USER})")
    publish.add_argument(
        "--token",
        help=f"Marketplace API token (default: ${ENV_TOKEN}; prefer the environment: "
        "command lines are visible to other processes)",
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
        from .sandbox import cli as sandbox_cli

        sandbox_cli.add_arguments(sandbox)
    return parser


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    environ = os.environ if env is None else env
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(with_sandbox="sandbox" in arguments)
    args = parser.parse_args(arguments)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "schema":
        from .config import schema_text

        sys.stdout.write(schema_text())
        return EXIT_OK
    if args.command == "sandbox":
        from .sandbox import cli as sandbox_cli

        return sandbox_cli.run(args)
    return Command(args, environ).run()


class Command:
    """One ``publish`` or ``check`` run: owns the host adapter, the result and the
    error rendering."""

    def __init__(self, args: argparse.Namespace, env: Mapping[str, str]) -> None:
        from .hosts import select_host

        self.args = args
        self.env = env
        self.host: Host = select_host(env, stream=sys.stdout)
        self.verbose = bool(args.verbose or self.host.debug)
        self.result = ReleaseResult(app_key=None, version=None)
        # paths given on the command line are relative to where the tool was started,
        # not to --working-directory (which config and artifact paths follow)
        for name in ("result_json", "resume", "ca_bundle"):
            value = getattr(args, name, None)
            if value:
                setattr(args, name, str(Path(value).expanduser().absolute()))
        self.result_path = Path(args.result_json) if getattr(args, "result_json", None) else None
        self.notes: str | None = None  # release.notes of this version, read in _load

    def run(self) -> int:
        """Run the command; never raises (except SystemExit)."""
        from .console import setup_logging

        if self.args.command == "publish":
            # Masks go out before anything else is printed, raw values included.
            raw_token = self.args.token if self.args.token is not None else self.env.get(ENV_TOKEN)
            raw_user = self.args.user if self.args.user is not None else self.env.get(ENV_USER)
            if raw_token:
                secrets = [raw_token]  # Redactor.add also takes its stripped form and lines
                if raw_user:
                    secrets += Credentials(raw_user.strip(), raw_token.strip()).secret_forms()
                REDACTOR.add(*secrets)
                self.host.mask(REDACTOR.secrets)
        setup_logging(verbose=self.verbose)
        logging.getLogger().addFilter(RedactingFilter())
        previous = signal.signal(signal.SIGTERM, _raise_interrupted)
        try:
            if self.args.command == "check":
                self._check()
            else:
                self._publish()
            return EXIT_OK
        except ReleasePublisherError as err:
            return self._fail(err)
        except KeyboardInterrupt:
            return self._fail(Interrupted("interrupted (SIGINT)"))
        except _Terminated as stop:
            return self._fail(Interrupted(f"stopped by {stop.signal_name}"))
        except Exception as exc:  # noqa: BLE001 - rendered as exit 1, traceback with -v
            return self._unexpected(exc)
        finally:
            signal.signal(signal.SIGTERM, previous)
            self._finish()

    # -- commands ----------------------------------------------------------------

    def _load(self) -> tuple[ReleaseConfig, Plan]:
        from .config import load_config
        from .preflight import run_preflight

        if self.args.working_directory:
            try:
                os.chdir(self.args.working_directory)
            except OSError as exc:
                raise UsageError(
                    f"cannot change to working directory {self.args.working_directory!r}: "
                    f"{exc.strerror}",
                    hint="working-directory is relative to the repository root",
                ) from None
        config = load_config(
            Path(self.args.config), env=self.env, version_override=self.args.release_version
        )
        overrides: dict[str, Any] = {}
        if self.args.base_url:
            overrides["base_url"] = _check_base_url(self.args.base_url)
        if getattr(self.args, "poll_timeout", None) is not None:
            if not 0 < self.args.poll_timeout < float("inf"):
                raise UsageError(
                    f"--poll-timeout must be a positive number of seconds, "
                    f"got {self.args.poll_timeout:g}"
                )
            overrides["poll_timeout"] = float(self.args.poll_timeout)
        if overrides:
            config = dataclasses.replace(config, **overrides)
        self.result.app_key, self.result.version = config.app_key, config.version
        self.result.base_url = config.base_url
        if config.release is not None:
            # read once, here, so `check` and a dry run catch a missing section too
            from .versions.changelog import notes_from_config

            self.notes = notes_from_config(config)
        with self.host.group("Pre-flight checks"):
            plan = run_preflight(config)
            for warning in plan.warnings:
                log.warning("%s", warning)
                self.host.report_warning(warning)
        from .pipeline import new_result

        self.result = new_result(plan, base_url=config.base_url)
        for warning in _hosting_warnings(config, plan):
            log.warning("%s", warning)
            self.host.report_warning(warning, config.where("release.hosting"))
            self.result.warnings.append(warning)
        return config, plan

    def _check(self) -> None:
        from .console import describe_plan

        _, plan = self._load()
        for line in describe_plan(plan):
            log.info("%s", line)
        self.result.status = STATUS_CHECKED

    def _publish(self) -> None:
        from .console import ProgressReporter, describe_plan, describe_result

        credentials = self._credentials(required=not self.args.dry_run)
        config, plan = self._load()
        previous = None
        if self.args.resume:
            from .resume import load_previous_run

            previous = load_previous_run(
                Path(self.args.resume), app_key=config.app_key, version=config.version
            )
            log.info("Resuming from %s", self.args.resume)
            previous.prefill(self.result)
        self._first_checkpoint()
        if self.args.dry_run:
            for line in describe_plan(plan, dry_run=True):
                log.info("%s", line)
            if config.release is not None:
                self._dry_run_version(plan, credentials)
            self.result.status = STATUS_DRY_RUN
            return
        assert credentials is not None
        from .clock import SystemClock
        from .pipeline import Pipeline

        client = self._client(config, credentials)
        stage = None
        if config.release is not None:
            stage = self._version_stage(plan, client, previous)
        pipeline = Pipeline(
            plan=plan,
            api=client,
            clock=SystemClock(),
            phases=self.host,
            progress=ProgressReporter(),
            checkpoint=self._checkpoint,
            previous=previous,
            version_stage=stage,
        )
        log.info("Publishing %s %s to %s", config.app_key, config.version, config.base_url)
        try:
            pipeline.run(self.result)
        except ReleasePublisherError as err:
            err.artifact_name = pipeline.current  # type: ignore[attr-defined]
            if self.result.release and self.result.release.get("status") not in (
                "created",
                "already-published",
            ):
                self.result.release["status"] = "failed"
            raise
        finally:
            client.close()
        for line in describe_result(self.result):
            log.info("%s", line)

    def _credentials(self, *, required: bool) -> Credentials | None:
        """Validated credentials from --user/--token or the environment; None when
        not ``required`` and none are given. Raises UsageError."""
        from .secrets import make_credentials

        user = self.args.user if self.args.user is not None else self.env.get(ENV_USER)
        token = self.args.token if self.args.token is not None else self.env.get(ENV_TOKEN)
        if not required and not (user or "").strip() and not (token or "").strip():
            return None
        return make_credentials(
            user,
            token,
            user_source="--user" if self.args.user is not None else ENV_USER,
            token_source="--token" if self.args.token is not None else ENV_TOKEN,
        )

    def _client(self, config: ReleaseConfig, credentials: Credentials) -> MarketplaceClient:
        from .marketplace.client import MarketplaceClient, Timeouts

        timeouts = None
        seconds = self.args.http_timeout
        if seconds is not None:
            if not 0 < seconds < float("inf"):
                raise UsageError(
                    f"--http-timeout must be a positive number of seconds, got {seconds:g}"
                )
            timeouts = Timeouts(connect=min(10.0, seconds), read=seconds)
        return MarketplaceClient(
            config.base_url,
            credentials=credentials,
            timeouts=timeouts,
            ca_bundle=self.args.ca_bundle or None,
            log=lambda message: log.info("%s", message),
        )

    def _version_stage(
        self, plan: Plan, client: MarketplaceClient, previous: PreviousRun | None
    ) -> VersionStage:
        from .version_stage import VersionStage

        return VersionStage(
            plan=plan,
            api=client,
            notes=self.notes,
            previous_artifacts=dict(previous.artifacts) if previous else {},
        )

    def _dry_run_version(self, plan: Plan, credentials: Credentials | None) -> None:
        """Show the app version plan of a dry run: it needs read access (two GETs), so
        without credentials say so instead."""
        if credentials is None:
            log.info(
                "App version: the plan (what is copied from which version, the exact "
                "request bodies) needs read access to Marketplace: set %s and %s to see it. "
                "Nothing was sent.",
                ENV_USER,
                ENV_TOKEN,
            )
            return
        from .versions.plan import render_plan

        client = self._client(plan.config, credentials)
        stage = self._version_stage(plan, client, None)
        try:
            with self.host.group("App version plan (read-only requests)"):
                stage.prepare(self.result)
        except ConfigError:
            # show what was planned and what is missing before the error itself
            if stage.version_plan is not None:
                for line in render_plan(stage.version_plan):
                    log.info("%s", line)
            raise
        finally:
            client.close()
        if stage.already_published is not None:
            log.info(
                "App version %s already exists with this very artifact: a publish would "
                "change nothing.",
                plan.config.version,
            )
        elif stage.version_plan is not None:
            for line in render_plan(stage.version_plan):
                log.info("%s", line)
        log.info("")
        log.info("Dry run: only read requests were sent; nothing was uploaded or created.")

    # -- endings -----------------------------------------------------------------

    def _fail(self, err: ReleasePublisherError) -> int:
        from .errors import ProcessingTimeout

        self.result.status = STATUS_TIMEOUT if isinstance(err, ProcessingTimeout) else STATUS_FAILED
        self.result.error = ErrorInfo(
            kind=err.kind,
            message=REDACTOR.redact(err.message),
            hint=REDACTOR.redact(err.hint) if err.hint else None,
            exit_code=err.exit_code,
            artifact=getattr(err, "artifact_name", None),
        )
        if self.verbose:
            self._print_traceback()
        self.host.report_error(err)
        rendered = err.render()
        if any(a.id for a in self.result.artifacts):
            ids = ", ".join(f"{a.name}={a.id}" for a in self.result.artifacts if a.id)
            rendered += f"\n  uploaded before the failure: {ids}"
        _stderr(REDACTOR.redact(rendered))
        return err.exit_code

    def _unexpected(self, exc: BaseException) -> int:
        message = f"{type(exc).__name__}: {exc}"
        self.result.status = STATUS_FAILED
        self.result.error = ErrorInfo(
            kind="UnexpectedError",
            message=REDACTOR.redact(message),
            hint="this is a bug in release-publisher: run again with -v and report it",
            exit_code=EXIT_UNEXPECTED,
        )
        if self.verbose:
            self._print_traceback()
        _stderr(
            REDACTOR.redact(f"UnexpectedError: {message}")
            + "\n  hint: this is a bug in release-publisher: run again with -v and report it"
        )
        return EXIT_UNEXPECTED

    def _print_traceback(self) -> None:
        _stderr(REDACTOR.redact(traceback.format_exc().rstrip()))

    def _first_checkpoint(self) -> None:
        """Write the result file once before any request (creating its directory), so
        a path that cannot be written stops the run before anything is uploaded.
        Raises UsageError."""
        if self.result_path is None:
            return
        try:
            if self.result_path.is_dir():
                raise IsADirectoryError(21, "is a directory")
            self.result_path.parent.mkdir(parents=True, exist_ok=True)
            self.result.write(self.result_path)
        except OSError as exc:
            path, self.result_path = self.result_path, None
            raise UsageError(
                f"cannot write the result file {path}: {exc.strerror or exc}",
                hint="give --result-json a file path in a writable directory; nothing was sent",
            ) from None

    def _checkpoint(self, result: ReleaseResult) -> None:
        """Write the result file now (atomically); a failure to write is a warning."""
        if self.result_path is None:
            return
        try:
            result.write(self.result_path)
        except OSError as exc:
            if not getattr(self, "_warned_result", False):
                self._warned_result = True
                log.warning("could not write the result file %s: %s", self.result_path, exc)

    def _finish(self) -> None:
        if self.args.command != "publish":
            return
        self._checkpoint(self.result)
        try:
            warnings = self.host.publish(self.result, result_file=self.result_path)
        except Exception as exc:  # noqa: BLE001 - outputs must never fail a finished upload
            warnings = [f"could not write the CI outputs: {exc}"]
        for warning in warnings:
            log.warning("%s", warning)


def _hosting_warnings(config: ReleaseConfig, plan: Plan) -> list[str]:
    """Warnings for a ``release.hosting`` that does not fit the artifact's kind (a
    P2 JAR/OBR for cloud, a Connect descriptor for server/datacenter)."""
    release = config.release
    if release is None:
        return []
    art = next((a for a in plan.artifacts if a.name == release.artifact), None)
    if art is None or art.kind is None:
        return []
    if release.hosting == "cloud" and art.kind in ("jar", "obr", "jwb"):
        return [
            f"release.hosting is cloud but artifact {art.name!r} is a {art.kind.upper()} "
            "(a server/Data Center app): Marketplace will probably refuse the version"
        ]
    if release.hosting in ("server", "datacenter") and art.kind == "connect":
        return [
            f"release.hosting is {release.hosting} but artifact {art.name!r} is a Connect "
            "descriptor (a cloud app): Marketplace will probably refuse the version"
        ]
    return []


def _check_base_url(url: str) -> str:
    """Validate a ``--base-url``: http(s) with a host. Raises UsageError."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--base-url must be an http(s) URL, got {url!r}",
            hint="for example https://api.atlassian.com/marketplace",
        )
    if parts.username or parts.password:
        raise UsageError(
            "--base-url must not carry credentials",
            hint=f"set {ENV_USER} and {ENV_TOKEN} instead",
        )
    return url.strip().rstrip("/")


class _Terminated(BaseException):
    """Raised by the SIGTERM handler. A BaseException (like KeyboardInterrupt), so no
    ``except Exception`` on the way (logging's, a library's) can swallow it."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(signal.Signals(signum).name)


def _stderr(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()

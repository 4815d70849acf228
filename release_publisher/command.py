"""One ``publish`` or ``check`` run (:class:`Command`): settings -> config and
pre-flight -> :func:`release_publisher.release.flow.publish` /
:func:`~release_publisher.release.flow.dry_run` -> the result, the CI outputs and the
rendered error. :mod:`release_publisher.cli` parses the command line and imports this
module only for those two commands, after it started hashing the artifacts
(:mod:`release_publisher.checksums`), so this module's imports overlap the hashing.

Every expected failure is printed as one line ``Kind: message`` plus a ``hint:``
line on stderr; a traceback only with ``-v`` (or ``RUNNER_DEBUG=1`` on GitHub).
The HTTP client (requests), the release stages and the wire trace are imported only
by ``publish`` (function-local imports), so ``check`` starts fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import logging
import os
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .checksums import FileChecksums
from .clock import Clock, SystemClock
from .config import load_config
from .config.model import ReleaseConfig
from .config.notes_limit import fit_release_notes
from .console import ProgressReporter, setup_logging
from .errors import (
    EXIT_OK,
    EXIT_UNEXPECTED,
    Interrupted,
    ProcessingTimeout,
    ReleasePublisherError,
    UsageError,
)
from .hosts import Host, select_host
from .preflight.model import Plan
from .preflight.run import run_preflight
from .release.changelog import notes_from_config
from .release.render import describe_plan, describe_result, preflight_lines
from .release.resume import PreviousRun, previous_run
from .release.rules import hosting_warnings
from .release.run import new_result
from .result import (
    STATUS_CHECKED,
    STATUS_FAILED,
    STATUS_TIMEOUT,
    ErrorInfo,
    ReleaseResult,
)
from .result_file import ResultFile
from .secrets import REDACTOR, Credentials, make_credentials
from .settings import (
    ENV_TOKEN,
    ENV_USER,
    Settings,
)
from .stop_signals import StopSignals, Terminated

if TYPE_CHECKING:
    from .marketplace.client import MarketplaceClient
    from .marketplace.trace import TraceRecorder

log = logging.getLogger("release_publisher")

#: the ``extra`` key of the one log record ``--quiet`` still shows: the result line
RESULT_LINE = "release_publisher_result_line"


class Command:
    """One ``publish`` or ``check`` run: owns the host adapter, the result and the
    error rendering."""

    def __init__(
        self,
        args: argparse.Namespace,
        env: Mapping[str, str],
        *,
        clock: Clock | None = None,
        stdout: TextIO | None = None,
        checksums: FileChecksums | None = None,
    ) -> None:
        self.args = args
        self.env = env
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.stdout: TextIO = stdout if stdout is not None else sys.stdout
        # --result-json -: stdout carries the result JSON only; logs and commands: stderr
        self.result_stdout = Settings.result_to_stdout(args)
        self.log_stream: TextIO = sys.stderr if self.result_stdout else self.stdout
        self.host: Host = select_host(
            env, stream=self.log_stream, dotenv=Settings.dotenv_path_of(args)
        )
        self.verbose = bool(args.verbose or self.host.debug)
        self.quiet = bool(getattr(args, "quiet", False)) and not self.verbose
        self.result = ReleaseResult(app_key=None, version=None)
        # known before the settings are checked, so even a refused option is reported
        self.result_file = ResultFile(
            Settings.result_path_of(args),
            resume=Settings.resume_path_of(args),
            warn=lambda message: log.warning("%s", message),
        )
        self.notes: str | None = None  # release.notes of this version, read in _load
        self.signals = StopSignals()
        self._result_line_shown = False
        #: result warnings already annotated on the host (pre-flight's, in _load)
        self._warnings_reported = 0
        self.trace: TraceRecorder | None = None  # --trace, opened before any request
        #: publish: the SHA-512s of the local files (the CLI may have started them)
        self.checksums = checksums

    def run(self) -> int:
        """Run the command; never raises (except SystemExit)."""
        if self.args.command == "publish":
            self._mask()
        setup_logging(verbose=self.verbose, stream=self.host.stream)
        if self.quiet:
            for handler in logging.getLogger("release_publisher").handlers:
                handler.addFilter(_quiet_filter)
        with self.signals:
            try:
                code = self._execute()
            except (KeyboardInterrupt, Terminated) as stop:
                # a signal that arrived between the command and its endings
                self.signals.ending()
                name = getattr(stop, "signal_name", "SIGINT")
                code = EXIT_OK if self.result.ok else self._fail(Interrupted(f"stopped by {name}"))
            self.signals.ending()
            self._show_result_line()
            self._finish()
            for name in dict.fromkeys(self.signals.late):
                log.warning("%s received while finishing: the endings were completed first", name)
            return code

    def _execute(self) -> int:
        """The command and its error rendering; returns the exit code."""
        try:
            settings = Settings.from_args(self.args, self.env)
            if settings.command == "check":
                self._check(settings)
            else:
                self._publish(settings)
            return EXIT_OK
        except ReleasePublisherError as err:
            self.signals.ending()
            return self._fail(err)
        except KeyboardInterrupt:
            self.signals.ending()
            return self._fail(Interrupted("interrupted (SIGINT)"))
        except Terminated as stop:
            self.signals.ending()
            return self._fail(Interrupted(f"stopped by {stop.signal_name}"))
        except Exception as exc:  # noqa: BLE001 - rendered as exit 1, traceback with -v
            self.signals.ending()
            return self._unexpected(exc)

    def _mask(self) -> None:
        """Masks go out before anything else is printed, raw values included."""
        raw_token = self.args.token if self.args.token is not None else self.env.get(ENV_TOKEN)
        raw_user = self.args.user if self.args.user is not None else self.env.get(ENV_USER)
        if raw_token:
            secrets = [raw_token]  # Redactor.add also takes its stripped form and lines
            if raw_user:
                secrets += Credentials(raw_user.strip(), raw_token.strip()).secret_forms()
            REDACTOR.add(*secrets)
            self.host.mask(REDACTOR.secrets)

    # -- commands ----------------------------------------------------------------

    def _load(
        self,
        settings: Settings,
        *,
        resume: Path | None = None,
        checksums: FileChecksums | None = None,
    ) -> tuple[ReleaseConfig, Plan, PreviousRun | None]:
        """Load the config and run pre-flight. With ``checksums`` (publish), every
        artifact file pre-flight found is being hashed when this returns (those the
        CLI's early guess started, and any it missed)."""
        if settings.working_directory:
            try:
                os.chdir(settings.working_directory)
            except OSError as exc:
                raise UsageError(
                    f"cannot change to working directory {settings.working_directory!r}: "
                    f"{exc.strerror}",
                    hint="working-directory is relative to the repository root",
                ) from None
        config = load_config(
            settings.config, env=self.env, version_override=settings.release_version
        )
        overrides: dict[str, Any] = {}
        if settings.base_url is not None:
            overrides["base_url"] = settings.base_url
        if settings.poll_timeout is not None:
            overrides["poll_timeout"] = settings.poll_timeout
        if settings.if_exists is not None and config.release is not None:
            overrides["release"] = dataclasses.replace(config.release, if_exists=settings.if_exists)
        if overrides:
            config = dataclasses.replace(config, **overrides)
        self.result.app_key, self.result.version = config.app_key, config.version
        self.result.base_url = config.base_url
        notes_warning: str | None = None
        if config.release is not None:
            # read once, here, so `check` and a dry run catch a missing section or notes
            # longer than Marketplace takes, before any upload
            self.notes, notes_warning = fit_release_notes(notes_from_config(config), config)
        with self.host.group("Pre-flight checks"):
            plan = run_preflight(config)
            if checksums is not None:  # a pattern the early guess left to pre-flight
                checksums.prefetch(art.path for art in plan.artifacts if art.path is not None)
            for line in preflight_lines(plan):
                log.info("%s", line)
            for warning in plan.warnings:
                log.warning("%s", warning)
                self.host.report_warning(warning)
        result = new_result(plan, base_url=config.base_url)
        previous = None
        if resume is not None:
            data = self.result_file.previous()
            previous = previous_run(data, resume, app_key=config.app_key, version=config.version)
            log.info("Resuming from %s", resume)
            previous.prefill(result)
        # only now: until here a resume file the result is written over keeps what it held
        self.result, self.result_file.taken_over = result, True
        if notes_warning is not None:
            log.warning("%s", notes_warning)
            self.host.report_warning(notes_warning, config.where("release.notes"))
            self.result.warnings.append(notes_warning)
        for warning in hosting_warnings(plan):
            log.warning("%s", warning)
            self.host.report_warning(warning, config.where("release.hosting"))
            self.result.warnings.append(warning)
        self._warnings_reported = len(self.result.warnings)
        return config, plan, previous

    def _check(self, settings: Settings) -> None:
        _, plan, _ = self._load(settings)
        for line in describe_plan(plan, notes=self.notes):
            log.info("%s", line)
        self.result.status = STATUS_CHECKED

    def _publish(self, settings: Settings) -> None:
        # imported here, not at module level: `check` never needs the stages
        from .release import flow

        if settings.resume is not None:
            # first: a failure from here on must not write less over the resume file
            self.result_file.previous()
        credentials = self._credentials(settings, required=not settings.dry_run)
        checksums = None
        if not settings.dry_run:
            checksums = self.checksums if self.checksums is not None else FileChecksums()
        config, plan, previous = self._load(settings, resume=settings.resume, checksums=checksums)
        self.result_file.first_write(self.result)
        self._open_trace(settings)
        if settings.dry_run:
            # the client is made only if the app version plan reads Marketplace
            connect = (
                functools.partial(self._client, settings, config, credentials)
                if credentials is not None
                else None
            )
            flow.dry_run(
                plan,
                self.result,
                connect=connect,
                clock=self.clock,
                phases=self.host,
                notes=self.notes,
            )
            return
        assert credentials is not None and checksums is not None
        client = self._client(settings, config, credentials, checksums)
        log.info("Publishing %s %s to %s", config.app_key, config.version, config.base_url)
        try:
            flow.publish(
                plan,
                self.result,
                api=client,
                clock=self.clock,
                phases=self.host,
                progress=ProgressReporter(),
                save=self._checkpoint,
                previous=previous,
                notes=self.notes,
                checksums=checksums,
            )
        finally:
            client.close()
        for number, line in enumerate(describe_result(self.result)):
            log.info("%s", line, extra={RESULT_LINE: number == 0})
        self._result_line_shown = True

    def _credentials(self, settings: Settings, *, required: bool) -> Credentials | None:
        """Validated credentials from --user/--token or the environment; None when
        not ``required`` and none are given. Raises UsageError."""
        source = settings.credentials
        assert source is not None
        if not required and not source.given:
            return None
        return make_credentials(
            source.user,
            source.token,
            user_source=source.user_source,
            token_source=source.token_source,
        )

    def _client(
        self,
        settings: Settings,
        config: ReleaseConfig,
        credentials: Credentials,
        checksums: FileChecksums | None = None,
    ) -> MarketplaceClient:
        # imported here: it imports requests, which `check` and `--version` never need
        from .marketplace.client import MarketplaceClient
        from .marketplace.transport import Timeouts

        seconds = settings.http_timeout
        timeouts = None if seconds is None else Timeouts(connect=min(10.0, seconds), read=seconds)
        return MarketplaceClient(
            config.base_url,
            credentials=credentials,
            timeouts=timeouts,
            ca_bundle=str(settings.ca_bundle) if settings.ca_bundle else None,
            clock=self.clock,
            log=lambda message: log.info("%s", message),
            observer=self.trace,
            checksums=checksums,
        )

    def _open_trace(self, settings: Settings) -> None:
        """Create the ``--trace`` file (and its directory) before any request, so a
        path that cannot be written stops the run before anything is sent. Raises
        UsageError."""
        if settings.trace is None:
            return
        from .marketplace.trace import TraceRecorder  # publish --trace only

        try:
            settings.trace.parent.mkdir(parents=True, exist_ok=True)
            self.trace = TraceRecorder(settings.trace, redact=REDACTOR.redact, clock=self.clock)
        except OSError as exc:
            raise UsageError(
                f"cannot write the trace file {settings.trace}: {exc.strerror or exc}",
                hint="give --trace a file path in a writable directory; nothing was sent",
            ) from None

    # -- endings -----------------------------------------------------------------

    def _fail(self, err: ReleasePublisherError) -> int:
        self.result.status = STATUS_TIMEOUT if isinstance(err, ProcessingTimeout) else STATUS_FAILED
        self.result.error = ErrorInfo(
            kind=err.kind,
            message=REDACTOR.redact(err.message),
            hint=REDACTOR.redact(err.hint) if err.hint else None,
            exit_code=err.exit_code,
            artifact=getattr(err, "artifact_name", None),
            location=dataclasses.asdict(err.location) if err.location is not None else None,
        )
        if self.verbose:
            self._print_traceback()
        self.host.report_error(err)
        rendered = err.render()
        done = [f"{a.name}={a.id}" for a in self.result.artifacts if a.id]
        done += [f"{i.type} {i.file}={i.id}" for i in self.result.images if i.id]
        if done:
            rendered += f"\n  uploaded before the failure: {', '.join(done)}"
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

    def _checkpoint(self, result: ReleaseResult) -> None:
        """Write the result file now (:meth:`ResultFile.write`; never raises)."""
        self.result_file.write(result)

    def _show_result_line(self) -> None:
        """The one line that says how the run ended, with ``--quiet`` and after any
        failed ``publish`` (a successful publish already showed it with its details)."""
        failed = self.args.command == "publish" and not self.result.ok
        if self._result_line_shown or not (self.quiet or failed):
            return
        result = self.result
        what = f" ({result.app_key} {result.version})" if result.app_key else ""
        log.info("Result: %s%s", result.status, what, extra={RESULT_LINE: True})

    def _finish(self) -> None:
        # the run's own warnings (the stages log them) become host annotations too
        for warning in self.result.warnings[self._warnings_reported :]:
            self.host.report_warning(warning)
        self._warnings_reported = len(self.result.warnings)
        if self.trace is not None:
            self.trace.close()
        if self.args.command != "publish":
            return
        self.result_file.write(self.result)
        if self.result_stdout:
            self.stdout.write(REDACTOR.redact(self.result.to_json()))
            self.stdout.flush()
        try:
            # None when the first write failed: no result-file output names it then
            warnings = self.host.publish(
                self.result,
                result_file=self.result_file.path,
                trace_file=self.trace.path if self.trace is not None else None,
            )
        except Exception as exc:  # noqa: BLE001 - outputs must never fail a finished upload
            warnings = [f"could not write the CI outputs: {exc}"]
        for warning in warnings:
            log.warning("%s", warning)


def _quiet_filter(record: logging.LogRecord) -> bool:
    """``--quiet``: warnings, errors and the result line pass."""
    return record.levelno >= logging.WARNING or bool(getattr(record, RESULT_LINE, False))


def _stderr(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()

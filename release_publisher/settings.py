"""``Settings``: what a ``publish`` or ``check`` run was asked to do, read from the
command line and the environment once, validated once, then never changed.

Paths given on the command line (``--result-json``, ``--resume``, ``--ca-bundle``,
``--trace``) are made absolute here, relative to where the tool was started, not to
``--working-directory`` (which the config and artifact paths follow). Bad values are
a :class:`~release_publisher.errors.UsageError` (exit 2) naming the option, before any
file is read or request sent. The argparse ``Namespace`` is only read.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .urls import check_base_url

DEFAULT_CONFIG = "marketplace-release.yml"
ENV_USER = "MARKETPLACE_USER"
ENV_TOKEN = "MARKETPLACE_TOKEN"  # noqa: S105 - the variable's name, not a secret
#: environment defaults of --base-url, --ca-bundle and --http-timeout (an option wins)
ENV_BASE_URL = "RELEASE_PUBLISHER_BASE_URL"
ENV_CA_BUNDLE = "RELEASE_PUBLISHER_CA_BUNDLE"
ENV_HTTP_TIMEOUT = "RELEASE_PUBLISHER_HTTP_TIMEOUT"
#: ``--result-json -``: the result JSON goes to stdout (and the log to stderr)
RESULT_TO_STDOUT = "-"


@dataclass(frozen=True, kw_only=True)
class CredentialsSource:
    """Where the Marketplace credentials come from: the raw ``user`` and ``token``
    (None: not given) and the name of each one's source for messages (``--user`` or
    ``MARKETPLACE_USER``, ``--token`` or ``MARKETPLACE_TOKEN``). Never printed."""

    user: str | None
    token: str | None
    user_source: str
    token_source: str

    def __repr__(self) -> str:
        return (
            f"CredentialsSource(user_source={self.user_source}, token_source={self.token_source})"
        )

    @property
    def given(self) -> bool:
        """True when a user or a token is given (not blank)."""
        return bool((self.user or "").strip() or (self.token or "").strip())


@dataclass(frozen=True, kw_only=True)
class Settings:
    """One ``publish`` or ``check`` run's settings.

    ``config`` the release config path (relative to ``working_directory``);
    ``release_version`` the ``--app-version`` (alias ``--version``) override;
    ``base_url`` the validated ``--base-url`` (else ``$RELEASE_PUBLISHER_BASE_URL``)
    override (no trailing slash; None: the config's); ``poll_timeout`` the
    ``--poll-timeout`` override (seconds; None: the config's); ``http_timeout`` the
    read/send timeout (``--http-timeout``, else ``$RELEASE_PUBLISHER_HTTP_TIMEOUT``;
    seconds; None: the client's default); ``ca_bundle`` (``--ca-bundle``, else
    ``$RELEASE_PUBLISHER_CA_BUNDLE``), ``result_json``, ``resume`` and ``dotenv``
    absolute paths or None; ``result_stdout`` True for ``--result-json -`` (then
    ``result_json`` is None); ``quiet`` only warnings, errors and the result line
    (``verbose`` wins); ``credentials`` their source (``publish`` only).
    """

    command: str
    config: Path
    working_directory: str | None = None
    release_version: str | None = None
    base_url: str | None = None
    verbose: bool = False
    dry_run: bool = False
    poll_timeout: float | None = None
    http_timeout: float | None = None
    ca_bundle: Path | None = None
    result_json: Path | None = None
    resume: Path | None = None
    credentials: CredentialsSource | None = None
    quiet: bool = False
    result_stdout: bool = False
    dotenv: Path | None = None
    #: ``--if-exists fail|skip`` (None: the config's ``release.if-exists``)
    if_exists: str | None = None
    #: ``--trace``: the wire trace's absolute path (None: no trace).
    trace: Path | None = None

    @staticmethod
    def result_path_of(args: argparse.Namespace) -> Path | None:
        """The absolute ``--result-json`` path of ``args`` (None: not given, or ``-``
        for stdout), known even when another option is refused, so the failure is
        still reported there."""
        value = getattr(args, "result_json", None)
        return None if value == RESULT_TO_STDOUT else _absolute(value)

    @staticmethod
    def result_to_stdout(args: argparse.Namespace) -> bool:
        """True for ``--result-json -``: the result JSON goes to stdout, the log to
        stderr (known before the options are judged: it decides where logs go)."""
        return getattr(args, "result_json", None) == RESULT_TO_STDOUT

    @staticmethod
    def resume_path_of(args: argparse.Namespace) -> Path | None:
        """The absolute ``--resume`` path of ``args`` (None: not given), known before
        the options are judged: the result is never written over it with less."""
        return _absolute(getattr(args, "resume", None))

    @staticmethod
    def dotenv_path_of(args: argparse.Namespace) -> Path | None:
        """The absolute ``--dotenv`` path of ``args`` (None: not given; the host may
        still take ``RELEASE_PUBLISHER_DOTENV``), needed when the host is chosen."""
        return _absolute(getattr(args, "dotenv", None))

    @classmethod
    def from_args(cls, args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
        """The settings of parsed ``args`` (of ``publish`` or ``check``) and ``env``.
        Raises :class:`UsageError` for a bad ``--base-url``, ``--poll-timeout`` or
        ``--http-timeout`` (or their environment variables, named in the message)."""
        credentials = None
        if args.command == "publish":
            credentials = CredentialsSource(
                user=args.user if args.user is not None else env.get(ENV_USER),
                token=args.token if args.token is not None else env.get(ENV_TOKEN),
                user_source="--user" if args.user is not None else ENV_USER,
                token_source="--token" if args.token is not None else ENV_TOKEN,
            )
        base_url, base_url_name = _option_or_env(args, "base_url", "--base-url", env, ENV_BASE_URL)
        http_timeout, timeout_name = _option_or_env(
            args, "http_timeout", "--http-timeout", env, ENV_HTTP_TIMEOUT
        )
        ca_bundle, _ = _option_or_env(args, "ca_bundle", "--ca-bundle", env, ENV_CA_BUNDLE)
        if args.command != "publish":  # check: only --base-url of these applies
            http_timeout = ca_bundle = None
        return cls(
            command=args.command,
            config=Path(args.config),
            working_directory=args.working_directory or None,
            release_version=args.release_version,
            base_url=check_base_url(str(base_url), name=base_url_name) if base_url else None,
            verbose=bool(args.verbose),
            dry_run=bool(getattr(args, "dry_run", False)),
            poll_timeout=_seconds(getattr(args, "poll_timeout", None), "--poll-timeout"),
            http_timeout=_seconds(http_timeout, timeout_name),
            ca_bundle=_absolute(None if ca_bundle is None else str(ca_bundle)),
            result_json=cls.result_path_of(args),
            resume=_absolute(getattr(args, "resume", None)),
            credentials=credentials,
            quiet=bool(getattr(args, "quiet", False)) and not args.verbose,
            result_stdout=cls.result_to_stdout(args),
            dotenv=cls.dotenv_path_of(args),
            if_exists=getattr(args, "if_exists", None),
            trace=_absolute(getattr(args, "trace", None)),
        )


def _option_or_env(
    args: argparse.Namespace, dest: str, option: str, env: Mapping[str, str], variable: str
) -> tuple[str | float | None, str]:
    """The value of ``option`` (attribute ``dest`` of ``args``) when given, else the
    environment ``variable`` when set and not blank, else None; with the name to show
    in an error (the option's or the variable's)."""
    value = getattr(args, dest, None)
    if value is not None and value != "":
        return value, option
    text = env.get(variable, "").strip()
    return (text or None), variable


def positive_seconds(
    value: str | float, *, name: str, show_value: bool = True, hint: str | None = None
) -> float:
    """``value`` (a number or its text) as seconds when positive and finite: the one
    rule of ``--poll-timeout``, ``--http-timeout`` and the action's ``poll-timeout``
    input. ``name`` names the option or input in the error; ``show_value`` False keeps
    the value out of it (an action input). Raises UsageError."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        shown = f", got {seconds:g}" if show_value else ""
        raise UsageError(f"{name} must be a positive number of seconds{shown}", hint=hint)
    return seconds


def _seconds(value: str | float | None, option: str) -> float | None:
    """``value`` (seconds, or their text) checked by :func:`positive_seconds`; None
    stays None."""
    return None if value is None else positive_seconds(value, name=option)


def _absolute(value: str | None) -> Path | None:
    """``value`` as an absolute, normalised path (``~`` expanded, ``a/../b`` -> ``b``:
    it is shown in outputs); None or empty: None. Symbolic links are not resolved."""
    return Path(os.path.normpath(Path(value).expanduser().absolute())) if value else None

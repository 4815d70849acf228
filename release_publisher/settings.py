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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import UsageError

DEFAULT_CONFIG = "marketplace-release.yml"
ENV_USER = "MARKETPLACE_USER"
ENV_TOKEN = "MARKETPLACE_TOKEN"  # noqa: S105 - the variable's name, not a secret


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
    ``release_version`` the ``--version`` override; ``base_url`` the validated
    ``--base-url`` override (no trailing slash; None: the config's); ``poll_timeout``
    the ``--poll-timeout`` override (seconds; None: the config's); ``http_timeout`` the
    read/send timeout (seconds; None: the client's default); ``ca_bundle``,
    ``result_json`` and ``resume`` absolute paths or None; ``credentials`` their
    source (``publish`` only).
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
    #: ``--if-exists fail|skip`` (None: the config's ``release.if-exists``)
    if_exists: str | None = None
    #: ``--trace``: the wire trace's absolute path (None: no trace).
    trace: Path | None = None

    @staticmethod
    def result_path_of(args: argparse.Namespace) -> Path | None:
        """The absolute ``--result-json`` path of ``args`` (None: not given), known
        even when another option is refused, so the failure is still reported there."""
        return _absolute(getattr(args, "result_json", None))

    @classmethod
    def from_args(cls, args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
        """The settings of parsed ``args`` (of ``publish`` or ``check``) and ``env``.
        Raises :class:`UsageError` for a bad ``--base-url``, ``--poll-timeout`` or
        ``--http-timeout``."""
        credentials = None
        if args.command == "publish":
            credentials = CredentialsSource(
                user=args.user if args.user is not None else env.get(ENV_USER),
                token=args.token if args.token is not None else env.get(ENV_TOKEN),
                user_source="--user" if args.user is not None else ENV_USER,
                token_source="--token" if args.token is not None else ENV_TOKEN,
            )
        return cls(
            command=args.command,
            config=Path(args.config),
            working_directory=args.working_directory or None,
            release_version=args.release_version,
            base_url=check_base_url(args.base_url) if args.base_url else None,
            verbose=bool(args.verbose),
            dry_run=bool(getattr(args, "dry_run", False)),
            poll_timeout=_seconds(getattr(args, "poll_timeout", None), "--poll-timeout"),
            http_timeout=_seconds(getattr(args, "http_timeout", None), "--http-timeout"),
            ca_bundle=_absolute(getattr(args, "ca_bundle", None)),
            result_json=_absolute(getattr(args, "result_json", None)),
            resume=_absolute(getattr(args, "resume", None)),
            credentials=credentials,
            if_exists=getattr(args, "if_exists", None),
            trace=_absolute(getattr(args, "trace", None)),
        )


def check_base_url(url: str) -> str:
    """Validate a ``--base-url``: http(s) with a host, no credentials. Returns it
    stripped, without a trailing slash. Raises UsageError."""
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


def _seconds(value: float | None, option: str) -> float | None:
    """``value`` (seconds) checked by :func:`positive_seconds`; None stays None."""
    return None if value is None else positive_seconds(value, name=option)


def _absolute(value: str | None) -> Path | None:
    """``value`` as an absolute path (``~`` expanded); None or empty: None."""
    return Path(value).expanduser().absolute() if value else None

"""Credentials and secret redaction, shared by the client and every output sink.

Credentials never come from the config file: only from the environment
(``MARKETPLACE_USER``, ``MARKETPLACE_TOKEN``), CLI options or action inputs. Every form
a secret can take in our output (the token, each of its lines, the ``Authorization``
header's base64 of ``user:token``) is registered with a :class:`Redactor`, which a
logging filter and every sink apply before writing anything.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import UsageError

REDACTED = "***"


@dataclass(frozen=True)
class Credentials:
    """Validated Marketplace credentials: ``user`` is the Atlassian account email,
    ``token`` its API token. ``repr`` never shows the token."""

    user: str
    token: str

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, token=<hidden>)"

    @property
    def basic_value(self) -> str:
        """The base64 part of the ``Authorization: Basic`` header."""
        raw = f"{self.user}:{self.token}".encode()
        return base64.b64encode(raw).decode("ascii")

    def secret_forms(self) -> list[str]:
        """Every form of the token that must never be printed: the token, each of its
        lines, and base64 of ``user:token`` (standard and URL-safe)."""
        forms = {self.token, self.basic_value}
        forms.add(base64.urlsafe_b64encode(f"{self.user}:{self.token}".encode()).decode())
        forms.update(line for line in self.token.splitlines() if line.strip())
        return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def make_credentials(
    user: str | None,
    token: str | None,
    *,
    user_source: str = "MARKETPLACE_USER",
    token_source: str = "MARKETPLACE_TOKEN",  # noqa: S107 - a variable name, not a secret
) -> Credentials:
    """Validate and normalise credentials.

    Surrounding whitespace (a trailing newline from a secrets store, ``\\r\\n``, a
    leading space) is trimmed. Raises :class:`UsageError` naming the *source* (never the
    value) when the user or token is missing or empty, when the user contains ``:``,
    or when either holds characters an HTTP header cannot carry (non-ASCII, control
    characters, an inner line break).
    """
    clean_user = (user or "").strip()
    clean_token = (token or "").strip()
    if not clean_user:
        raise UsageError(
            f"no Marketplace user: {user_source} is empty or unset",
            hint=f"set {user_source} to the Atlassian account email that owns the API token",
        )
    if not clean_token:
        raise UsageError(
            f"no Marketplace API token: {token_source} is empty or unset",
            hint=f"set {token_source} from a CI secret (an Atlassian account API token)",
        )
    if ":" in clean_user:
        raise UsageError(
            f"{user_source} contains ':', which HTTP Basic auth cannot carry in a user name",
            hint="use the account email address alone",
        )
    for value, source in ((clean_user, user_source), (clean_token, token_source)):
        bad = _header_problem(value)
        if bad:
            raise UsageError(
                f"{source} contains {bad}; the value is not shown",
                hint=f"copy the {'API token' if source == token_source else 'user'} again "
                "into the CI secret, without extra characters",
            )
    return Credentials(clean_user, clean_token)


def _header_problem(value: str) -> str | None:
    """Why ``value`` cannot go into an HTTP header, or None."""
    if any(ch in value for ch in "\r\n"):
        return "a line break"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return "a control character"
    if any(ord(ch) > 0x7E for ch in value):
        return "a non-ASCII character"
    return None


class Redactor:
    """Replaces every registered secret with ``***`` in text. Thread-safe; secrets
    shorter than 4 characters are ignored (they would redact ordinary words)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The registered secrets, longest first."""
        return tuple(self._secrets)

    def add(self, *secrets: str) -> None:
        """Register more secrets (each line of a multi-line value too)."""
        with self._lock:
            found = set(self._secrets)
            for secret in secrets:
                for form in (secret, *secret.splitlines(), secret.strip()):
                    if len(form) >= 4:
                        found.add(form)
            self._secrets = sorted(found, key=len, reverse=True)
            self._pattern = (
                re.compile("|".join(re.escape(s) for s in self._secrets)) if self._secrets else None
            )

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``***``."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(REDACTED, text)


#: The process-wide redactor used by the logging filter and the sinks.
REDACTOR = Redactor()


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message, redacts it with a
    :class:`Redactor`, and stores the result back (args cleared)."""

    def __init__(self, redactor: Redactor = REDACTOR) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keeps the record."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not hide the log line
            message = str(record.msg)
        record.msg = self.redactor.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        return True

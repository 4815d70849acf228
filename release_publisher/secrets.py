"""Credentials and secret redaction, shared by the client and every output sink.

Credentials never come from the config file: only from the environment
(``MARKETPLACE_USER``, ``MARKETPLACE_TOKEN``), CLI options or action inputs. Every form
a secret can take in our output (the token, each of its lines, the ``Authorization``
header's base64 of ``user:token``) is registered with a :class:`Redactor`, which a
logging filter and every sink apply before writing anything.

A registered secret is matched in every encoding it can reach an output in (see
:meth:`Redactor.add`): as given; URL-encoded (any hex case, ``+`` for space, encoded
twice); JSON- or ``repr``-escaped (``\\"``, ``\\\\``, ``\\/``, ``\\u00XX``,
``\\xXX``); HTML character references; and split across lines (whitespace or an
escaped line break between any two characters). Its base64 forms (standard,
URL-safe, with or without padding, of ``user:token`` and of the token alone, and the
aligned core of each inside a longer base64 text: :func:`base64_forms`) and its hex
(either case) are registered the same way.

Logging: :func:`install_redaction` puts redaction AND one-line escaping
(:mod:`release_publisher.safe_text`) on a handler, so that every record reaching it
(also those propagating from ``urllib3.connectionpool``) is redacted;
:func:`register_credentials` registers the credentials' forms once.

Imports: the standard library, :mod:`release_publisher.errors` and
:mod:`release_publisher.safe_text`.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from .errors import UsageError
from .safe_text import neutralize_commands, one_line, rendered_message

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
        """Every literal form of the token that must never be printed (also what a
        CI runner is asked to mask): the token, each of its lines, its URL-encoded
        forms (upper- and lower-case hex, ``+`` for space), its hex (lower and upper
        case), and base64 of ``user:token`` and of the token alone
        (:func:`base64_forms`: standard and URL-safe, with and without padding, and
        the aligned core of each when embedded in a longer base64 text). A
        :class:`Redactor` matches more encodings of each of them."""
        forms = {self.token}
        for raw in (f"{self.user}:{self.token}".encode(), self.token.encode()):
            forms.update(base64_forms(raw))
        forms.update({self.token.encode().hex(), self.token.encode().hex().upper()})
        encoded = quote(self.token, safe="")
        forms.update({encoded, _lower_hex(encoded), quote_plus(self.token, safe="")})
        forms.update(line for line in self.token.splitlines() if line.strip())
        return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


#: Shorter base64 texts (of 5 bytes or less) are left out: they would match ordinary words.
_MIN_BASE64 = 8


def base64_forms(raw: bytes) -> set[str]:
    """Every base64 text that shows ``raw`` (standard and URL-safe alphabets, with
    and without ``=`` padding): its encoding alone, and the aligned core of each of
    the three alignments it can have inside a longer base64 text (``raw`` starting at
    a byte offset of 0, 1 or 2 modulo 3 there). A base64 character holds 6 bits of
    a 3-byte group, so inside a longer text only the groups made of ``raw``'s bytes
    alone are the same whatever surrounds them: the core is the encoding of
    ``raw[skip:]`` cut to whole groups, ``skip`` (0, 2, 1) being the bytes that
    share a group with the bytes before. The 1 to 3 characters at each end of an
    embedded secret (mixed with its neighbours' bits) are not secret on their own.
    Forms under 8 characters are left out (they would match ordinary words)."""
    forms: set[str] = set()
    for skip in range(3):
        part = raw[skip:]
        cores = [part[: len(part) // 3 * 3]]
        if skip == 0:
            cores.append(part)  # the secret alone, its last group padded
        for core in cores:
            for encode in (base64.b64encode, base64.urlsafe_b64encode):
                text = encode(core).decode("ascii")
                forms.update({text, text.rstrip("=")})
    return {form for form in forms if len(form) >= _MIN_BASE64}


def _lower_hex(encoded: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)


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


#: Between two characters of a secret: whitespace or an escaped line break (a value
#: wrapped, folded or joined by our own whitespace collapsing), at most 12 of them.
_GAP = r"(?:\s|\\+[rnt]){0,12}"
_HTML_NAMED = {'"': "&quot;", "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;|&apos;"}


def _char_pattern(char: str) -> str:
    """Every way ``char`` can appear once encoded by the quoting layers we know."""
    code = ord(char)
    # The encoded forms come before the raw one: the last character of a secret,
    # ``\\`` sent as ``\\u005c``, must be matched whole, not as its first backslash.
    forms = ["".join(f"%(?:25)*(?i:{byte:02x})" for byte in char.encode("utf-8"))]
    if char == " ":
        forms.append(r"\+")
    if code < 0x10000:
        forms.append(rf"\\+u(?i:{code:04x})")
    if code < 0x100:
        forms.append(rf"\\+x(?i:{code:02x})")
    forms.append(rf"&#0*{code};|&#[xX]0*(?i:{code:x});")
    if char in _HTML_NAMED:
        forms.append(_HTML_NAMED[char])
    forms.append(r"\\*" + re.escape(char))  # raw, or escaped with backslashes (JSON, repr)
    return "(?:" + "|".join(forms) + ")"


def secret_pattern(secret: str) -> str:
    """A regular expression matching ``secret`` in any encoding :class:`Redactor`
    covers (see the module doc)."""
    return _GAP.join(_char_pattern(char) for char in secret)


def _first_chars(secrets: Iterable[str]) -> str:
    """A lookahead for the characters a match of any of ``secrets`` can start with
    (its first character, or the first of an encoding: ``%``, ``\\``, ``&``, ``+``).
    It changes no match; it lets the regex engine leave at once at every other
    position of a text, instead of trying every encoding of every secret there."""
    chars = set("%\\&+")
    chars.update(secret[0] for secret in secrets)
    return "(?=[" + "".join(re.escape(char) for char in sorted(chars)) + "])"


class Redactor:
    """Replaces every registered secret, in every encoding listed in the module doc,
    with ``***`` in text. Thread-safe; secrets shorter than 4 characters are ignored
    (they would redact ordinary words)."""

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
        """Register more secrets (each line of a multi-line value too); each is then
        matched in every encoding of :func:`secret_pattern`."""
        with self._lock:
            found = set(self._secrets)
            for secret in secrets:
                for form in (secret, *secret.splitlines(), secret.strip()):
                    if len(form) >= 4:
                        found.add(form)
            self._secrets = sorted(found, key=len, reverse=True)
            self._pattern = (
                re.compile(
                    _first_chars(self._secrets)
                    + "(?:"
                    + "|".join(secret_pattern(s) for s in self._secrets)
                    + ")",
                    # re.IGNORECASE,
                )
                if self._secrets
                else None
            )

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``***``. A
        secret spelled with invisible characters between its letters (zero-width or
        other format characters, combining marks, NULs, terminal colour codes) is found
        too: such a text comes back without those characters, the secret redacted."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        text = pattern.sub(REDACTED, text)
        if _HIDDEN.search(text):
            visible = _HIDDEN.sub("", text)
            if pattern.search(visible):
                return pattern.sub(REDACTED, visible)
        return text


#: What a server may put between a secret's letters to slip past matching while it still
#: reads the same: terminal CSI sequences, NUL, format characters (soft hyphen, zero-width
#: and bidi controls, BOM), combining marks.
_HIDDEN = re.compile(
    "\x1b\\[[0-9;?]*[ -/]*[@-~]|[\x00\u00ad\u0300-\u036f\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)

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
        record.msg = self.redactor.redact(rendered_message(record))
        record.args = None
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        return True


class RedactingFormatter(logging.Formatter):
    """Wraps a handler's ``inner`` formatter (default: ``%(message)s``): each record's
    message is redacted and escaped to one line (:func:`~release_publisher.safe_text.one_line`)
    before ``inner`` formats it; the whole formatted text (traceback included) is
    redacted again, and no line of it can start a CI workflow command
    (:func:`~release_publisher.safe_text.neutralize_commands`)."""

    def __init__(self, inner: logging.Formatter | None = None, redactor: Redactor = REDACTOR):
        super().__init__()
        self.inner = inner or logging.Formatter("%(message)s")
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """The record formatted by ``inner``, redacted, one line per message."""
        copy = logging.makeLogRecord(record.__dict__)
        copy.msg = one_line(self.redactor.redact(rendered_message(record)))
        copy.args = None
        copy.exc_text = None
        text = self.redactor.redact(self.inner.format(copy))
        return neutralize_commands(text)


def install_redaction(handler: logging.Handler, redactor: Redactor = REDACTOR) -> None:
    """Make every record ``handler`` emits redacted by ``redactor`` and one line per
    message: a :class:`RedactingFilter` on the handler (handler filters see the
    records propagating from child loggers such as ``urllib3.connectionpool``, which
    a filter on the root LOGGER never sees) and its formatter wrapped in a
    :class:`RedactingFormatter`. Call it after ``handler.setFormatter(...)``; calling
    it twice does nothing more."""
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter(redactor))
    if not isinstance(handler.formatter, RedactingFormatter):
        handler.setFormatter(RedactingFormatter(handler.formatter, redactor))


def register_credentials(credentials: Credentials, redactor: Redactor = REDACTOR) -> list[str]:
    """Register every form of ``credentials``' token with ``redactor`` (once per
    process is enough: every sink and :func:`install_redaction` handler uses
    :data:`REDACTOR`); returns the literal forms, for a CI runner's masking."""
    forms = credentials.secret_forms()
    redactor.add(*forms)
    return forms

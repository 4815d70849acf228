"""Text from outside (a server's answer, the config, an input) made safe to print on
one line: no raw line break (a CI runner executes a line that starts with
``::warning::``, ``::add-mask::``, ``##[``...), no terminal control sequence, no bidi
control that would show the text in another order than it is.

:func:`one_line` is THE escaping function for any such value before it goes into a
message; :func:`neutralize_commands` keeps a multi-line text (a traceback) from
holding a line that a runner reads as a workflow command; :class:`OneLineFilter` is
a logging filter that makes every record's message one line.

Standard library only; imports nothing of the project (any layer may use it).
"""

from __future__ import annotations

import logging
import re

__all__ = ["OneLineFilter", "neutralize_commands", "one_line", "rendered_message"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: C0 and C1 controls, DEL, the Unicode line/paragraph separators, and the bidi
#: controls (ALM, LRM, RLM, the embeddings and overrides U+202A-U+202E, the isolates
#: U+2066-U+2069): a right-to-left override in a server's message would show the rest
#: of the line reversed ("Trojan Source").
#: Also the other invisible format characters (soft hyphen, zero-width space and
#: joiners, word joiner, BOM, interlinear annotation, Arabic number signs, Mongolian
#: vowel separator, tag characters): text that looks like another text.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0001\U000e0020-\U000e007f]"
)
#: A line a CI runner may read as a command (GitHub ``::name::``, Azure ``##[``,
#: ``##vso[``), leading whitespace allowed.
_COMMAND_LINE = re.compile(r"^([ \t]*)(::|##)", re.MULTILINE)


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def one_line(text: str) -> str:
    """``text`` with every line break, tab, control and bidi control character shown
    as an escape (``\\n``, ``\\r``, ``\\t``, ``\\x1b``, ``\\u2028``, ``\\u202e``): the
    result is one printable line, shown in the order it is. Everything else
    (backslashes too) is kept, so plain text is unchanged."""
    if not text:
        return text
    return _UNSAFE.sub(_escape, text)


def neutralize_commands(text: str) -> str:
    """``text`` (several lines, e.g. a traceback) with ``|`` put before every line
    that starts (after spaces or tabs) with ``::`` or ``##``, so no line of it runs
    as a CI workflow command; line breaks are kept."""
    return _COMMAND_LINE.sub(r"\1| \2", text)


def rendered_message(record: logging.LogRecord) -> str:
    """``record``'s message with its arguments formatted in; a bad format string gives
    the raw ``msg`` instead of an error (it must not hide the log line)."""
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - see the docstring
        return str(record.msg)


class OneLineFilter(logging.Filter):
    """A logging filter (for a handler) that renders each record's message and
    stores it back escaped by :func:`one_line` (``args`` cleared): one line per
    record whatever the values formatted into it. Always keeps the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Escape ``record``'s message in place."""
        record.msg = one_line(rendered_message(record))
        record.args = None
        return True

"""``${VAR}`` interpolation of config string VALUES, following Docker Compose's rules.

Applied by :mod:`.document` to each string value after YAML parsing (never to the raw file
text, never to keys). Supported forms (``VAR`` is ``[A-Za-z_][A-Za-z0-9_]*``):

=====================  =========================================================
``$$``                 a literal ``$``
``${VAR}``, ``$VAR``   the value of VAR; an error if VAR is unset (set but empty
                       gives an empty string)
``${VAR:-default}``    ``default`` if VAR is unset or empty
``${VAR-default}``     ``default`` if VAR is unset
``${VAR:?message}``    an error carrying ``message`` if VAR is unset or empty
``${VAR?message}``     an error carrying ``message`` if VAR is unset
``${VAR:+other}``      ``other`` if VAR is set and not empty, else empty
``${VAR+other}``       ``other`` if VAR is set, else empty
=====================  =========================================================

Defaults may themselves contain ``${...}``. Substituted values are never
interpolated again. A ``$`` followed by anything else is an error (write ``$$``).
Unlike Compose, an unset variable without a default is an error, not an empty
string: a release must not go out with an empty value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class InterpolationError(ValueError):
    """A value could not be interpolated. ``message`` and ``hint`` are short and never
    contain a variable's value; ``variable`` names the variable when one is involved."""

    def __init__(self, message: str, *, hint: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.variable = variable


def interpolate(
    text: str, env: Mapping[str, str], *, forbid: Callable[[str], bool] | None = None
) -> str:
    """Return ``text`` with every ``$$``, ``$VAR`` and ``${...}`` form expanded from
    ``env``. Raises :class:`InterpolationError` for an unset variable without a
    default, a ``${VAR:?msg}``/``${VAR?msg}`` whose condition holds, an unclosed or
    malformed ``${...}``, a lone ``$``, or a variable whose name ``forbid`` refuses
    (a credential such as ``MARKETPLACE_TOKEN``: its value would be sent to Marketplace
    in a request body or printed)."""
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c != "$":
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            end = _closing_brace(text, i + 2)
            if end < 0:
                raise InterpolationError(
                    f"unclosed '${{' in {_short(text)!r}",
                    hint="close it with '}', or write $$ for a literal $",
                )
            out.append(_expand(text[i + 2 : end], env, forbid))
            i = end + 1
            continue
        m = _NAME.match(text, i + 1)
        if m is None:
            raise InterpolationError(
                f"a '$' not followed by a variable name in {_short(text)!r}",
                hint="write $$ for a literal $, or ${VAR} for a variable",
            )
        out.append(_expand(m.group(), env, forbid))
        i = m.end()
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing a ``${`` whose body starts at ``start``, or -1."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _expand(body: str, env: Mapping[str, str], forbid: Callable[[str], bool] | None) -> str:
    m = _NAME.match(body)
    if m is None:
        raise InterpolationError(
            f"invalid variable reference '${{{_short(body)}}}'",
            hint="a variable name is letters, digits and '_' and does not start with a digit",
        )
    name = m.group()
    rest = body[m.end() :]
    if forbid is not None and forbid(name):
        raise InterpolationError(
            f"${{{name}}} looks like a credential: its value would go into the release "
            "(a request body, the logs, the result)",
            hint="credentials are read from MARKETPLACE_USER / MARKETPLACE_TOKEN by the tool "
            "itself; never reference them in the config",
            variable=name,
        )
    is_set = name in env
    value = env.get(name, "")
    if not rest:
        if not is_set:
            raise InterpolationError(
                f"environment variable {name} is not set",
                hint=f"set {name} (a release must not go out with an empty value), "
                f"or give a default: ${{{name}:-value}}",
                variable=name,
            )
        return value
    colon = rest.startswith(":")
    op = rest[1:2] if colon else rest[:1]
    arg = rest[2:] if colon else rest[1:]
    if op not in ("-", "?", "+"):
        raise InterpolationError(
            f"invalid variable reference '${{{_short(body)}}}'",
            hint="use ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message} or ${VAR?message}",
            variable=name,
        )
    missing = not value if colon else not is_set
    if op == "-":
        return interpolate(arg, env, forbid=forbid) if missing else value
    if op == "?":
        if missing:
            state = "not set or empty" if colon else "not set"
            reason = f": {_short(arg)}" if arg else ""
            raise InterpolationError(
                f"environment variable {name} is {state}{reason}",
                hint=f"set {name} before running release-publisher",
                variable=name,
            )
        return value
    return "" if missing else interpolate(arg, env, forbid=forbid)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."

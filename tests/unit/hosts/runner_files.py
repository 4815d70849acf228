"""Readers that apply the CI hosts' own rules to what the adapters write, so tests
check the files the way GitHub's runner and GitLab read them (not the way our writer
hopes they are read).

* :func:`parse_github_output`: the runner's file-command parser (``NAME=VALUE`` and
  ``NAME<<DELIMITER`` heredocs; on Linux only LF ends a line).
* :func:`parse_workflow_commands`: ``::command k=v,k=v::data`` lines with the runner's
  unescaping (data: ``%0D %0A %25``; properties also ``%3A %2C``; ``%25`` last).
* :func:`parse_gitlab_dotenv`: GitLab's dotenv report rules (one ``KEY=value`` per line,
  keys ``[A-Za-z0-9_]``, no blank line, values stripped, <= 5 KB, <= 20 variables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def _read_line(text: str, index: int) -> tuple[str | None, str | None, int]:
    """The runner's ReadLine on Linux: (line, newline, next index)."""
    if index >= len(text):
        return None, None, index
    lf = text.find("\n", index)
    if lf < 0:
        return text[index:], None, len(text)
    return text[index:lf], "\n", lf + 1


def parse_github_output(text: str) -> dict[str, str]:
    """Parse a ``GITHUB_OUTPUT`` file as the runner does; raises ValueError where the
    runner fails the step (bad line, missing delimiter)."""
    out: dict[str, str] = {}
    index = 0
    line, _, index = _read_line(text, index)
    while line is not None:
        if line:
            eq = line.find("=")
            heredoc = line.find("<<")
            if eq >= 0 and (heredoc < 0 or eq < heredoc):
                name, value = line.split("=", 1)
                if not name:
                    raise ValueError(f"invalid format {line!r}: empty name")
                out[name] = value
            elif heredoc >= 0 and (eq < 0 or heredoc < eq):
                name, delimiter = line.split("<<", 1)
                if not name or not delimiter:
                    raise ValueError(f"invalid format {line!r}")
                start = end = index
                temp, newline, index = _read_line(text, index)
                while temp != delimiter:
                    if temp is None:
                        raise ValueError(f"matching delimiter not found {delimiter!r}")
                    if newline is None:
                        raise ValueError("value line at end of file without a newline")
                    end = index - len(newline or "")
                    temp, newline, index = _read_line(text, index)
                out[name] = text[start:end] if end > start else ""
            else:
                raise ValueError(f"invalid format {line!r}")
        line, _, index = _read_line(text, index)
    return out


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


@dataclass
class Command:
    """One workflow command as the runner reads it."""

    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""


def parse_workflow_command(line: str) -> Command | None:
    """``::name k=v,...::data`` -> Command (unescaped), or None for an ordinary line."""
    stripped = line.strip()
    if not stripped.startswith("::"):
        return None
    end = stripped.find("::", 2)
    if end < 0:
        return None
    info, data = stripped[2:end], stripped[end + 2 :]
    name, _, props_text = info.partition(" ")
    props: dict[str, str] = {}
    for pair in filter(None, props_text.split(",")):
        key, _, value = pair.partition("=")
        props[key] = _unescape_property(value)
    return Command(name, props, _unescape_data(data))


def parse_workflow_commands(text: str) -> list[Command]:
    """Every workflow command in ``text`` (one per line), in order."""
    found = (parse_workflow_command(line) for line in text.split("\n"))
    return [c for c in found if c is not None]


GITLAB_DOTENV_MAX_BYTES = 5 * 1024
GITLAB_DOTENV_MAX_VARIABLES = 20
_GITLAB_KEY = re.compile(r"\A[a-zA-Z0-9_]+\Z")


def parse_gitlab_dotenv(data: bytes) -> dict[str, str]:
    """Parse a dotenv report as GitLab does; raises ValueError where GitLab rejects the
    whole report (size, count, a line without ``=``, a bad key)."""
    if len(data) > GITLAB_DOTENV_MAX_BYTES:
        raise ValueError(f"dotenv report too large: {len(data)} bytes")
    out: dict[str, str] = {}
    for line in data.decode("utf-8").splitlines():
        match = re.match(r"^(.*?)=(.*)$", line)
        if match is None:
            raise ValueError(f"invalid format: {line!r}")
        key, value = match.group(1).strip(), match.group(2).strip()
        if not _GITLAB_KEY.match(key):
            raise ValueError(f"invalid key {key!r}")
        out[key] = value
    if len(out) > GITLAB_DOTENV_MAX_VARIABLES:
        raise ValueError(f"too many variables: {len(out)}")
    return out

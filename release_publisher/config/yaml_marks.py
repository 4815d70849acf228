"""Reading a config file into a YAML node tree that keeps the marks (1-based line and
column) of every node.

- bytes: a regular file only (a FIFO or device is refused before reading, never
  waited on: :func:`release_publisher.regular_file.read_regular_file`), at most
  :data:`MAX_CONFIG_BYTES`; UTF-16/UTF-32 (BOM or NUL bytes) and
  invalid UTF-8 are refused at their line/column; a UTF-8 BOM is dropped (CRLF is
  handled by YAML itself);
- YAML: composed with ``SafeLoader`` only (no construction yet), recording which
  scalars carry an explicit tag (``!!str 1.10``); syntax errors, tab indentation and
  control characters become :class:`~release_publisher.errors.ConfigError` at their
  file:line:col;
- nesting: more than :data:`MAX_DEPTH` levels of lists and mappings (``[[[[...]]]]``,
  in flow or block style, or through aliases) is refused at the line where it goes too
  deep, before PyYAML's recursive composer could raise RecursionError;
- :func:`walk` lists every node with its field path and refuses recursive aliases
  and alias bombs (more than 20,000 nodes) before anything is expanded.

May import: PyYAML, :mod:`release_publisher.errors`, :mod:`release_publisher.regular_file`.
Knows nothing of the config's fields, the schema or the typed config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError, Location
from ..regular_file import RegularFileError, read_regular_file

MAX_CONFIG_BYTES = 1024 * 1024
"""A release config is a few hundred bytes; anything over 1 MiB is refused."""
_MAX_NODES = 20_000
MAX_DEPTH = 64
"""Most levels of nested lists and mappings in a config (a release config has 4)."""


STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
MERGE_TAG = "tag:yaml.org,2002:merge"


def read_text(path: Path, file: str) -> str:
    """The text of the config file at ``path`` (``file`` is its name for messages):
    at most :data:`MAX_CONFIG_BYTES` bytes, UTF-8 (a BOM is dropped). Raises
    :class:`ConfigError` for a missing file, a directory, a FIFO, device or socket
    (refused without blocking), an unreadable or oversized file, UTF-16/UTF-32 and
    invalid UTF-8."""
    try:
        data = read_regular_file(path, MAX_CONFIG_BYTES)
    except RegularFileError as exc:
        raise _read_error(exc, file) from None
    return _decode(data, file)


def _read_error(exc: RegularFileError, file: str) -> ConfigError:
    location = Location(file=file)
    if exc.reason == "missing":
        return ConfigError(
            f"config file not found: {file} (working directory: {Path.cwd()})",
            hint="check the path; a relative path is resolved against the working directory",
            location=location,
        )
    if exc.reason == "directory":
        return ConfigError(
            f"{file} is a directory, not a config file",
            hint="give the path of the YAML config file itself",
            location=location,
        )
    if exc.reason == "not-regular":
        return ConfigError(
            f"config file {file} {exc.problem}; it is not read",
            hint="give the path of the YAML config file itself (a FIFO, a device or "
            "/dev/stdin is not read: it could block or never end)",
            location=location,
        )
    if exc.reason == "too-large":
        return ConfigError(
            f"config file {file} is larger than {MAX_CONFIG_BYTES} bytes",
            hint="a release config is a few lines of YAML; check the path",
            location=location,
        )
    return ConfigError(
        f"config file {file} {exc.problem}",
        hint="check that the file exists and is readable",
        location=location,
    )


def _decode(data: bytes, file: str) -> str:
    utf8_hint = "save the file as UTF-8 (without a byte order mark, or with the UTF-8 one)"
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if data.startswith(bom):
            raise ConfigError(
                f"the config file is encoded as {name} (byte order mark {bom.hex(' ')}), not UTF-8",
                hint=utf8_hint,
                location=Location(file=file, line=1, col=1),
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        raise ConfigError(
            "the config file contains NUL bytes: it looks like UTF-16 or UTF-32, not UTF-8",
            hint=utf8_hint,
            location=Location(file=file, line=line, col=col),
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        raise ConfigError(
            f"the config file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            hint=utf8_hint,
            location=Location(file=file, line=line, col=col),
        ) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


# ------------------------------------------------------------------------ YAML


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers which scalars carry an explicit tag (``!!str 1.10``)."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.explicit: set[int] = set()
        self.file = file
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """PyYAML's recursive composer, refusing nesting deeper than :data:`MAX_DEPTH`."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                m = event.start_mark
                raise too_deep(Location(file=self.file, line=m.line + 1, col=m.column + 1))
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_scalar_node(self, anchor: Any) -> ScalarNode:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        node = super().compose_scalar_node(anchor)
        if getattr(event, "tag", None) not in (None, "!"):
            self.explicit.add(id(node))
        return node


def compose(text: str, file: str) -> tuple[Node, set[int]]:
    """The root node and the ids of scalar nodes that carry an explicit tag."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text, file)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.reader.ReaderError as exc:
        line, col = _text_position(text, exc.position)
        char = exc.character
        code = char if isinstance(char, int) else ord(char)
        raise ConfigError(
            f"the config file contains the control character U+{code:04X}",
            hint="remove it (only printable text, tabs and line breaks are allowed)",
            location=Location(file=file, line=line, col=col),
        ) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before
        raise too_deep(Location(file=file)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        raise ConfigError(
            f"cannot parse the config file: {exc}", location=Location(file=file)
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise ConfigError(
            "the config file is empty",
            hint="start with: format: 1, then app: (key, version) and artifacts:",
            location=Location(file=file, line=1, col=1),
        )
    if not isinstance(root, MappingNode):
        raise ConfigError(
            f"the top level of the config must be a mapping (key: value lines), "
            f"found {node_kind(root)}",
            hint="start with: format: 1, then app: (key, version) and artifacts:",
            location=mark(file, root, ""),
        )
    return root, loader.explicit if loader is not None else set()


def too_deep(location: Location) -> ConfigError:
    """The error for lists and mappings nested more than :data:`MAX_DEPTH` levels."""
    return ConfigError(
        f"the config is nested too deeply (more than {MAX_DEPTH} levels of lists and mappings)",
        hint="a release config is a few levels deep: check for unbalanced [ or { "
        "and for aliases nested in aliases",
        location=location,
    )


def _text_position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
        mark = exc.context_mark  # e.g. an unclosed quote: point at where it opened
    err_line = mark.line + 1 if mark is not None else None
    for number, raw in enumerate(text.splitlines(), start=1):
        if err_line is not None and number > err_line:
            break
        indent = raw[: len(raw) - len(raw.lstrip(" \t"))]
        if "\t" in indent and raw.strip():
            return ConfigError(
                "a tab character is used for indentation",
                hint="indent with spaces (YAML does not allow tabs for indentation)",
                location=Location(file=file, line=number, col=indent.index("\t") + 1),
            )
    problem = exc.problem or "invalid YAML"
    message = f"YAML syntax error: {problem}"
    if exc.context and exc.context_mark is not None:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    hint = "check the indentation and quoting on this line and the one before it"
    if "mapping values are not allowed" in problem:
        hint = (
            "line up the keys of one mapping with the same number of spaces, and quote "
            "a value that contains ': '"
        )
    elif "'\\t'" in problem:
        message = "a tab character is not allowed here"
        hint = "replace the tab with spaces (indent with spaces, never tabs)"
    elif exc.context and "flow" in exc.context:
        hint = "inside { } or [ ], quote values that contain {, }, [, ], ',' or ': '"
    elif "expected a single document" in f"{problem} {exc.context}":
        hint = "keep one YAML document in the file (remove the extra '---')"
    return ConfigError(
        message,
        hint=hint,
        location=Location(
            file=file,
            line=err_line,
            col=mark.column + 1 if mark is not None else None,
        ),
    )


def node_kind(node: Node) -> str:
    """A node in words for messages: ``a mapping``, ``a list``, ``the scalar '...'``."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the scalar {show(node.value)}"


def mark(file: str, node: Node, path: str) -> Location:
    """The 1-based file:line:col of ``node``, labelled with the field path ``path``."""
    m = node.start_mark
    return Location(file=file, line=m.line + 1, col=m.column + 1, field=path or None)


def join_path(parent: str, key: str | int) -> str:
    """The field path of child ``key`` of ``parent``: ``app.key``, ``artifacts[0]``."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def walk(
    node: Node, path: str, stack: list[int], counter: list[int], *, file: str | None = None
) -> list[tuple[str, Node]]:
    """All (path, node) pairs in document order; refuses recursion, huge graphs and
    nesting (aliases expanded) deeper than :data:`MAX_DEPTH`."""
    if len(stack) >= MAX_DEPTH:
        m = node.start_mark
        raise too_deep(Location(file=file, line=m.line + 1, col=m.column + 1, field=path or None))
    counter[0] += 1
    if counter[0] > _MAX_NODES:
        raise ConfigError(
            f"the config has more than {_MAX_NODES} YAML nodes (aliases expanding?)",
            hint="write the release config out plainly, without anchors and aliases",
        )
    if id(node) in stack:
        raise ConfigError(
            "the config contains a recursive YAML alias",
            hint="write the release config out plainly, without anchors and aliases",
        )
    out: list[tuple[str, Node]] = [(path, node)]
    stack.append(id(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            out.extend(walk(value_node, join_path(path, str(key)), stack, counter, file=file))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            out.extend(walk(item, join_path(path, i), stack, counter, file=file))
    stack.pop()
    return out


def show(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"

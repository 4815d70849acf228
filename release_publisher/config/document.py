"""From the YAML node tree to a :class:`Document`: plain data (dicts, lists, scalars)
plus the file:line:col of every field path, checked on the way.

In order: :func:`check_keys` (credential-looking keys first, then non-text keys,
merge keys, duplicate keys), :func:`check_format` (``format: 1`` before anything
else), then :func:`build_document` (unsupported tags, the per-field scalar checks
of :mod:`.fields`, ``${VAR}`` interpolation of string values, interpolated numbers
and booleans of number/boolean fields).

May import: PyYAML, :mod:`.yaml_marks`, :mod:`.fields`, :mod:`.interpolate`,
:mod:`.model` (defaults), :mod:`release_publisher.errors`. Knows nothing of the
schema or of the typed config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError, Location
from .fields import (
    BOOL_FIELD,
    CREDENTIALS_HINT,
    EXPECT_VALUE,
    FLOAT_TAG,
    INT_TAG,
    NUMBER_FIELD,
    NUMBER_TEXT,
    STRING_FIELD,
    check_expect_value,
    check_finite,
    check_number_text,
    looks_like_secret_key,
    require_text,
)
from .interpolate import InterpolationError, interpolate
from .model import DEFAULT_ARTIFACT_NAME
from .yaml_marks import MAP_TAG, MERGE_TAG, SEQ_TAG, join_path, mark, node_kind, show, walk

Problem = tuple[Location, str, str]
"""One config problem: where, what is wrong, what to do."""


FORMAT = 1


def check_keys(root: Node, file: str) -> None:
    """Refuse, in this order, credential-looking keys anywhere, then non-text keys,
    YAML merge keys (``<<``) and duplicate keys, each at its file:line:col; also
    refuses recursive aliases and alias bombs (:func:`.yaml_marks.walk`).
    Raises :class:`ConfigError`."""
    nodes = walk(root, "", [], [0], file=file)
    # Credential-looking keys first: this message wins over every other key error.
    for path, node in nodes:
        if not isinstance(node, MappingNode):
            continue
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and looks_like_secret_key(str(key_node.value)):
                field_path = join_path(path, str(key_node.value))
                raise ConfigError(
                    f"the key {key_node.value!r} looks like a credential; {CREDENTIALS_HINT}",
                    hint="remove the key and its value from the config file (and rotate "
                    "the credential if the file was ever committed)",
                    location=mark(file, key_node, field_path),
                )
    for path, node in nodes:
        if not isinstance(node, MappingNode):
            continue
        seen: dict[str, Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ConfigError(
                    f"{path or 'the top level'} has a key that is {node_kind(key_node)}; "
                    "keys must be plain words",
                    hint="write keys as plain words, e.g. file: ...",
                    location=mark(file, key_node, path),
                )
            key = str(key_node.value)
            if key_node.tag == MERGE_TAG:
                raise ConfigError(
                    "YAML merge keys (<<) are not supported in the release config",
                    hint="write the keys out in full",
                    location=mark(file, key_node, path),
                )
            first = seen.get(key)
            if first is not None:
                raise ConfigError(
                    f"duplicate key {key!r} in {path or 'the top level'} (lines "
                    f"{first.start_mark.line + 1} and {key_node.start_mark.line + 1})",
                    hint="YAML would silently keep only the last one; remove one of them",
                    location=mark(file, key_node, join_path(path, key)),
                )
            seen[key] = key_node


@dataclass
class Document:
    """The config as plain data (``data``), with the location of every field path's
    value (``value_locs``) and key (``key_locs``), and the ``${VAR}`` template of
    every interpolated value (``templates``, for messages)."""

    file: str
    data: dict[str, Any]
    value_locs: dict[str, Location] = field(default_factory=dict)
    key_locs: dict[str, Location] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    root_loc: Location | None = None

    def loc(self, path: str) -> Location:
        """Where the value at field path ``path`` is (file only when not in the file)."""
        if not path and self.root_loc is not None:
            return self.root_loc
        return self.value_locs.get(path) or Location(file=self.file, field=path or None)


class _Builder:
    def __init__(
        self, file: str, env: Mapping[str, str], skip: set[str], explicit: set[int]
    ) -> None:
        self.file = file
        self.env = env
        self.skip = skip
        self.explicit = explicit
        self.constructor = yaml.constructor.SafeConstructor()
        self.doc = Document(file=file, data={})

    def build(self, root: Node) -> Document:
        self.doc.root_loc = mark(self.file, root, "")
        data = self._node(root, "", None)
        assert isinstance(data, dict)
        self.doc.data = data
        return self.doc

    def _node(self, node: Node, path: str, key_node: Node | None) -> Any:
        if isinstance(node, MappingNode | SequenceNode):
            expected = MAP_TAG if isinstance(node, MappingNode) else SEQ_TAG
            if node.tag != expected:
                self._bad_tag(node, path)
            if path:
                anchor = key_node if key_node is not None else node
                self.doc.value_locs[path] = mark(self.file, anchor, path)
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for k_node, v_node in node.value:
                key = str(k_node.value)
                child = join_path(path, key)
                self.doc.key_locs[child] = mark(self.file, k_node, child)
                result[key] = self._node(v_node, child, k_node)
            return result
        if isinstance(node, SequenceNode):
            return [self._node(item, join_path(path, i), None) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        self.doc.value_locs[path] = mark(self.file, node, path)
        return self._scalar(node, path, key_node)

    def _bad_tag(self, node: Node, path: str) -> None:
        raise ConfigError(
            f"unsupported YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} on "
            f"{path or 'the top level'}",
            hint="remove the tag; the release config uses plain YAML",
            location=mark(self.file, node, path),
        )

    def _construct(self, node: ScalarNode, path: str) -> Any:
        if node.tag in (INT_TAG, FLOAT_TAG):
            key = path.rsplit(".", 1)[-1]
            check_number_text(str(node.value), path, key, mark(self.file, node, path))
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            self._bad_tag(node, path)
            raise  # pragma: no cover - _bad_tag always raises
        except ValueError:  # pragma: no cover - check_number_text refuses long numbers
            self._bad_tag(node, path)
            raise
        return value

    def _scalar(self, node: ScalarNode, path: str, key_node: Node | None) -> Any:
        text = str(node.value)
        key_text = str(key_node.value) if key_node is not None else path
        if STRING_FIELD.match(path):
            require_text(
                node,
                path,
                key_text,
                file=self.file,
                explicit=self.explicit,
                construct=self._construct,
            )
        value = self._construct(node, path)
        if EXPECT_VALUE.match(path):
            check_expect_value(node, path, key_text, value, file=self.file, explicit=self.explicit)
        check_finite(value, text, path, mark(self.file, node, path))
        if not isinstance(value, str) or path in self.skip:
            return value
        if "$" not in value:
            return value
        try:
            result = interpolate(value, self.env, forbid=looks_like_secret_key)
        except InterpolationError as exc:
            raise ConfigError(
                f"{path}: {exc.message}",
                hint=exc.hint,
                location=mark(self.file, node, path),
            ) from None
        self.doc.templates[path] = text
        # a template cannot carry a YAML type, so an interpolated number or boolean is
        # read as one where the field takes it (an `expect` value is compared with what
        # Marketplace reports: `${DC:-true}` must match the boolean true)
        expect_value = EXPECT_VALUE.match(path) is not None
        if (NUMBER_FIELD.match(path) or expect_value) and NUMBER_TEXT.match(result):
            where = mark(self.file, node, path)
            check_number_text(result, path, key_text, where)
            number = float(result) if "." in result else int(result)
            check_finite(number, f"{result} (from {text})", path, where)
            return number
        if (BOOL_FIELD.match(path) or expect_value) and result in ("true", "false"):
            return result == "true"
        return result


def build_document(
    root: Node, file: str, *, env: Mapping[str, str], skip: set[str], explicit: set[int]
) -> Document:
    """The plain data of the checked node tree ``root`` (a mapping), with the location
    of every field path and the ``${VAR}`` template of every interpolated value.

    ``env`` is the environment for interpolation; field paths in ``skip`` (e.g.
    ``app.version`` under ``--version``) are not interpolated; ``explicit`` holds
    the ids of scalars with an explicit tag (from :func:`.yaml_marks.compose`).
    Raises :class:`ConfigError` at file:line:col for an unsupported tag, a string
    field YAML reads as a non-string, a bad ``expect`` value or an unset variable.
    """
    return _Builder(file, env, skip, explicit).build(root)


def check_format(root: Node, file: str) -> None:
    """``format: 1`` is checked first: a file in another format fails for that reason
    alone, not for the fields that format spells differently."""
    assert isinstance(root, MappingNode)
    value_node = next(
        (v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "format"), None
    )
    if value_node is None:
        raise ConfigError(
            "the config has no `format` key: this release-publisher reads format 1",
            hint="write `format: 1` at the top of the file",
            location=Location(file=file, line=1, col=1, field="format"),
        )
    value: Any = None
    shown = node_kind(value_node)
    if isinstance(value_node, ScalarNode):
        if value_node.tag in (INT_TAG, FLOAT_TAG):
            check_number_text(
                str(value_node.value), "format", "format", mark(file, value_node, "format")
            )
        try:
            value = yaml.constructor.SafeConstructor().construct_object(value_node)
        except (yaml.YAMLError, ValueError):
            value = None
        shown = show(value_node.value) if value is None else show(value)
    if type(value) is int and value == FORMAT:
        return
    hint = "write `format: 1` (the number 1, not quoted)"
    if type(value) is int:
        hint = f"write the config in format 1, or use a release-publisher that reads format {value}"
    raise ConfigError(
        f"format {shown} is not supported: this release-publisher reads format 1",
        hint=hint,
        location=mark(file, value_node, "format"),
    )


def artifact_names(doc: Document) -> str:
    """The artifact names of the document, comma-separated in file order (an entry
    without ``name:`` is ``artifact``), or ``(none)``; for messages."""
    artifacts = doc.data.get("artifacts")
    names = [
        str(e.get("name", DEFAULT_ARTIFACT_NAME))
        for e in (artifacts if isinstance(artifacts, list) else [])
        if isinstance(e, dict)
    ]
    return ", ".join(dict.fromkeys(names)) or "(none)"

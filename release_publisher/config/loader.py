"""Load and validate a release config (format 1) into a :class:`ReleaseConfig`.

The steps, each failing with a :class:`~release_publisher.errors.ConfigError` that
names the file, 1-based line and column, the dotted field path and a fix:

1. read bytes; refuse UTF-16/UTF-32 and invalid UTF-8; drop a UTF-8 BOM (CRLF is
   handled by YAML itself);
2. compose the YAML node tree (``SafeLoader``) so every scalar keeps its source
   text, tag and position; syntax errors and tab indentation are reported here;
3. walk the keys: credential-looking keys, duplicate keys, non-text keys;
4. build plain data: string-valued fields must be YAML strings (``version: 1.10``
   is the number 1.1), then ``${VAR}`` interpolation of string values;
5. ``format: 1``, then the shipped JSON Schema (draft 2020-12, with the ``uri``
   format actually checked), then the rules a schema cannot say (unique names; in the
   optional ``release:`` section: the artifact and image type it names exist,
   ``min-build <= max-build``, one entry per host product, the notes file exists).

jsonschema is imported lazily: module import must stay cheap for CLI start-up.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError, Location
from .interpolate import InterpolationError, interpolate
from .model import (
    DEFAULT_ARTIFACT_NAME,
    DEFAULT_BASE_URL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_POLL_TIMEOUT,
    DEFAULT_UPLOAD_SPACING,
    ArtifactSpec,
    Compatibility,
    ImageSpec,
    ListingSpec,
    ReleaseConfig,
    VersionSpec,
)

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_Problem = tuple[Location, str, str]
"""One config problem: where, what is wrong, what to do."""

SCHEMA_PATH = Path(__file__).with_name("schema.json")
"""The shipped JSON Schema (draft 2020-12) for config format 1."""

FORMAT = 1
MAX_CONFIG_BYTES = 1024 * 1024
"""A release config is a few hundred bytes; anything over 1 MiB is refused."""
_MAX_NODES = 20_000
_MAX_SHOWN_ERRORS = 4
_CREDENTIALS_HINT = (
    "credentials never come from the config file; set MARKETPLACE_USER / "
    "MARKETPLACE_TOKEN (or the action's user/token inputs)"
)

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

# Fields whose value must be a YAML string (never a number/boolean/null).
_STRING_FIELD = re.compile(
    r"^(?:app\.(?:key|version)|artifacts\[\d+\]\.(?:name|file|url|sha512)"
    r"|images\[\d+\]\.(?:type|file)|marketplace\.base-url"
    r"|release\.(?:artifact|hosting|payment-model|license-type|summary"
    r"|notes\.(?:file|text)|listing\.(?:state|screenshots)|agreements\[\d+\]"
    r"|compatibility\[\d+\]\.parent-software-id))$"
)
_URL_FIELD = re.compile(
    r"^(?:artifacts\[\d+\]\.url|marketplace\.base-url|release\.agreements\[\d+\])$"
)
_NUMBER_FIELD = re.compile(
    r"^(?:polling\.(?:timeout|interval)|uploads\.spacing"
    r"|release\.(?:build-number|compatibility\[\d+\]\.(?:min|max)-build))$"
)
# Booleans of the release section; an interpolated "true"/"false" becomes a boolean.
_BOOL_FIELD = re.compile(r"^release\.(?:beta|supported|copy-from-previous)$")
_EXPECT_VALUE = re.compile(r"^artifacts\[\d+\]\.expect\.[^.]+$")
_NUMBER_TEXT = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")

# Plain scalars some YAML reader (1.1 or 1.2 core schema) takes for a non-string.
_NOT_TEXT = re.compile(
    r"""^(?:
      ~|null|Null|NULL
    | true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF
    | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*
    | [-+]?0x[0-9a-fA-F_]+ | [-+]?0o[0-7_]+ | [-+]?0b[01_]+
    | [-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
    | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    )$""",
    re.VERBOSE,
)

# Words that make a key look like it holds a credential.
_SECRET_WORDS = frozenset(
    {
        "token",
        "tokens",
        "password",
        "passwords",
        "passwd",
        "secret",
        "secrets",
        "apikey",
        "credential",
        "credentials",
        "auth",
    }
)

_EXAMPLES = {
    "format": "format: 1",
    "app": 'app: {key: "com.example.hello", version: "1.4.2"}',
    "artifacts": 'artifacts: [{file: "target/*.jar"}]',
    "app.key": 'key: "com.example.hello"',
    "app.version": 'version: "1.4.2"',
    "name": 'name: "server"',
    "file": 'file: "target/hello-*.jar"',
    "url": 'url: "https://example.com/releases/hello-1.4.2.jar"',
    "sha512": 'sha512: "<128 hex digits>"',
    "type": 'type: "icon"',
    "image.file": 'file: "marketing/icon.png"',
    "base-url": f'base-url: "{DEFAULT_BASE_URL}"',
    "release.artifact": 'artifact: "server" (the name of an artifacts[] entry)',
    "release.hosting": "hosting: datacenter (cloud, server or datacenter)",
    "release.build-number": "build-number: auto (or a whole number such as 1004002)",
    "release.payment-model": "payment-model: free",
    "release.license-type": 'license-type: "<license type ID>"',
    "release.summary": 'summary: "Fixes a crash on start"',
    "release.notes.file": 'file: "CHANGELOG.md"',
    "release.notes.text": 'text: "Fixes a crash on start"',
    "release.listing.state": "state: public",
    "release.listing.screenshots": "screenshots: screenshot (an images[] type)",
    "parent-software-id": 'parent-software-id: "jira"',
    "min-build": "min-build: 900000",
    "max-build": "max-build: 1000000",
    "compatibility": (
        'compatibility: [{parent-software-id: "jira", min-build: 900000, max-build: 1000000}]'
    ),
}

_ALLOWED_KEYS = {
    "": ("format", "app", "artifacts", "images", "marketplace", "polling", "uploads", "release"),
    "app": ("key", "version"),
    "artifact": ("name", "file", "url", "sha512", "expect"),
    "image": ("type", "file"),
    "marketplace": ("base-url",),
    "polling": ("timeout", "interval"),
    "uploads": ("spacing",),
    "release": (
        "artifact",
        "hosting",
        "build-number",
        "copy-from-previous",
        "compatibility",
        "payment-model",
        "license-type",
        "beta",
        "supported",
        "summary",
        "notes",
        "agreements",
        "listing",
    ),
    "release.notes": ("file", "text"),
    "release.listing": ("state", "screenshots"),
    "compatibility": ("parent-software-id", "min-build", "max-build"),
}


# --------------------------------------------------------------------------- public


def schema_text() -> str:
    """The shipped JSON Schema (draft 2020-12) for config format 1, as JSON text
    (what ``release-publisher schema`` prints)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


def load_config(
    path: Path,
    *,
    env: Mapping[str, str] | None = None,
    version_override: str | None = None,
) -> ReleaseConfig:
    """Read, interpolate and validate the release config at ``path`` (format 1).

    ``env`` is the environment for ``${VAR}`` interpolation of string values
    (default ``os.environ``); see :mod:`release_publisher.config.interpolate`.

    ``version_override`` (from ``--version``, usually a tag name) replaces
    ``app.version`` and sets ``version_source="--version"``. When it is ``v`` or
    ``V`` followed by a digit, that one letter is dropped: tag ``v1.4.2`` means
    version ``1.4.2``. Any other text is taken literally (``release-1.4.2`` stays
    as is). With an override, ``app.version`` may be missing from the file and is
    not interpolated (an unset ``${VAR}`` there is then no error).

    Returns a :class:`ReleaseConfig` whose ``base_dir`` is the config file's
    directory (resolved) and whose ``locations`` maps every field path present in
    the file (``"app.version"``, ``"artifacts[0].file"``, ``"images[1].type"``...)
    to its file/line/column. ``sha512`` is lowercased; a trailing ``/`` of
    ``marketplace.base-url`` is dropped; times are seconds (float).

    Raises :class:`ConfigError` (exit code 2) with ``location`` (file, line, col,
    field) and a ``hint`` for: a missing/unreadable file, a non-UTF-8 encoding, a
    YAML syntax error or tab indentation, an empty file or non-mapping top level,
    duplicate keys, credential-looking keys, a non-string value in a string field,
    an unset variable, ``format`` missing or not 1, any schema violation, duplicate
    artifact names and an empty or blank ``version_override``; in the optional
    ``release:`` section (built into ``ReleaseConfig.release``, a
    :class:`VersionSpec`): a ``release.artifact`` that names no artifact, a
    ``release.listing.screenshots`` image type no ``images[]`` entry has,
    ``min-build > max-build``, two compatibility entries for one host product and a
    ``release.notes.file`` that does not exist relative to the config file.
    Compatibility being required when there is nothing to copy is checked when the
    release is planned (:mod:`release_publisher.versions.plan`), not here.
    """
    file = str(path)
    override = _normalise_override(version_override)
    text = _read_text(path, file)
    root, explicit = _compose(text, file)
    _check_keys(root, file)
    _check_format(root, file)
    skip = {"app.version"} if override is not None else set()
    builder = _Builder(file, os.environ if env is None else env, skip, explicit)
    doc = builder.build(root)
    _validate(doc, version_optional=override is not None)
    return _to_config(doc, path, override)


# ------------------------------------------------------------------ reading bytes


def _read_text(path: Path, file: str) -> str:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(
            f"config file not found: {file} (working directory: {Path.cwd()})",
            hint="check the path; a relative path is resolved against the working directory",
            location=Location(file=file),
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{file} is a directory, not a config file",
            hint="give the path of the YAML config file itself",
            location=Location(file=file),
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read config file {file}: {exc.strerror or exc}",
            hint="check that the file exists and is readable",
            location=Location(file=file),
        ) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"config file {file} is larger than {MAX_CONFIG_BYTES} bytes",
            hint="a release config is a few lines of YAML; check the path",
            location=Location(file=file),
        )
    return _decode(data, file)


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

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.explicit: set[int] = set()

    def compose_scalar_node(self, anchor: Any) -> ScalarNode:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        node = super().compose_scalar_node(anchor)
        if getattr(event, "tag", None) not in (None, "!"):
            self.explicit.add(id(node))
        return node


def _compose(text: str, file: str) -> tuple[Node, set[int]]:
    """The root node and the ids of scalar nodes that carry an explicit tag."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
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
            f"found {_node_kind(root)}",
            hint="start with: format: 1, then app: (key, version) and artifacts:",
            location=_mark(file, root, ""),
        )
    return root, loader.explicit if loader is not None else set()


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


def _node_kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the scalar {_show(node.value)}"


def _mark(file: str, node: Node, path: str) -> Location:
    m = node.start_mark
    return Location(file=file, line=m.line + 1, col=m.column + 1, field=path or None)


def _join(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


# ---------------------------------------------------------------- key checks


def _key_words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]
    joined = [a + b for a, b in itertools.pairwise(words)]
    return words + joined + ["".join(words)]


def looks_like_secret_key(key: str) -> bool:
    """True when a config key looks like it holds a credential: one of its words
    (split at ``-``, ``_``, ``.`` and camelCase) is token, password, passwd, secret,
    api-key/apikey, credential(s) or auth (``accessToken``, ``api_key``,
    ``MARKETPLACE_TOKEN``, ``auth``; not ``author``)."""
    return any(w in _SECRET_WORDS for w in _key_words(key))


def _walk(node: Node, path: str, stack: list[int], counter: list[int]) -> list[tuple[str, Node]]:
    """All (path, node) pairs in document order; refuses recursion and huge graphs."""
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
            out.extend(_walk(value_node, _join(path, str(key)), stack, counter))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            out.extend(_walk(item, _join(path, i), stack, counter))
    stack.pop()
    return out


def _check_keys(root: Node, file: str) -> None:
    nodes = _walk(root, "", [], [0])
    # Credential-looking keys first: this message wins over every other key error.
    for path, node in nodes:
        if not isinstance(node, MappingNode):
            continue
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and looks_like_secret_key(str(key_node.value)):
                field_path = _join(path, str(key_node.value))
                raise ConfigError(
                    f"the key {key_node.value!r} looks like a credential; {_CREDENTIALS_HINT}",
                    hint="remove the key and its value from the config file (and rotate "
                    "the credential if the file was ever committed)",
                    location=_mark(file, key_node, field_path),
                )
    for path, node in nodes:
        if not isinstance(node, MappingNode):
            continue
        seen: dict[str, Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ConfigError(
                    f"{path or 'the top level'} has a key that is {_node_kind(key_node)}; "
                    "keys must be plain words",
                    hint="write keys as plain words, e.g. file: ...",
                    location=_mark(file, key_node, path),
                )
            key = str(key_node.value)
            if key_node.tag == _MERGE_TAG:
                raise ConfigError(
                    "YAML merge keys (<<) are not supported in the release config",
                    hint="write the keys out in full",
                    location=_mark(file, key_node, path),
                )
            first = seen.get(key)
            if first is not None:
                raise ConfigError(
                    f"duplicate key {key!r} in {path or 'the top level'} (lines "
                    f"{first.start_mark.line + 1} and {key_node.start_mark.line + 1})",
                    hint="YAML would silently keep only the last one; remove one of them",
                    location=_mark(file, key_node, _join(path, key)),
                )
            seen[key] = key_node


# ------------------------------------------------------------- building data


@dataclass
class _Doc:
    file: str
    data: dict[str, Any]
    value_locs: dict[str, Location] = field(default_factory=dict)
    key_locs: dict[str, Location] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    root_loc: Location | None = None

    def loc(self, path: str) -> Location:
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
        self.doc = _Doc(file=file, data={})

    def build(self, root: Node) -> _Doc:
        self.doc.root_loc = _mark(self.file, root, "")
        data = self._node(root, "", None)
        assert isinstance(data, dict)
        self.doc.data = data
        return self.doc

    def _node(self, node: Node, path: str, key_node: Node | None) -> Any:
        if isinstance(node, MappingNode | SequenceNode):
            expected = _MAP_TAG if isinstance(node, MappingNode) else _SEQ_TAG
            if node.tag != expected:
                self._bad_tag(node, path)
            if path:
                anchor = key_node if key_node is not None else node
                self.doc.value_locs[path] = _mark(self.file, anchor, path)
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for k_node, v_node in node.value:
                key = str(k_node.value)
                child = _join(path, key)
                self.doc.key_locs[child] = _mark(self.file, k_node, child)
                result[key] = self._node(v_node, child, k_node)
            return result
        if isinstance(node, SequenceNode):
            return [self._node(item, _join(path, i), None) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        self.doc.value_locs[path] = _mark(self.file, node, path)
        return self._scalar(node, path, key_node)

    def _bad_tag(self, node: Node, path: str) -> None:
        raise ConfigError(
            f"unsupported YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} on "
            f"{path or 'the top level'}",
            hint="remove the tag; the release config uses plain YAML",
            location=_mark(self.file, node, path),
        )

    def _construct(self, node: ScalarNode, path: str) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            self._bad_tag(node, path)
            raise  # pragma: no cover - _bad_tag always raises

    def _scalar(self, node: ScalarNode, path: str, key_node: Node | None) -> Any:
        text = str(node.value)
        key_text = str(key_node.value) if key_node is not None else path
        if _STRING_FIELD.match(path):
            self._require_text(node, path, key_text)
        value = self._construct(node, path)
        if _EXPECT_VALUE.match(path):
            self._check_expect_value(node, path, key_text, value)
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
                location=_mark(self.file, node, path),
            ) from None
        self.doc.templates[path] = text
        if _NUMBER_FIELD.match(path) and _NUMBER_TEXT.match(result):
            return float(result) if "." in result else int(result)
        if _BOOL_FIELD.match(path) and result in ("true", "false"):
            return result == "true"
        return result

    def _require_text(self, node: ScalarNode, path: str, key_text: str) -> None:
        text = str(node.value)
        plain = node.style is None
        example = _example(path)
        if plain and text == "":
            raise ConfigError(
                f"{path} is empty",
                hint=f"give a value, e.g. {example}",
                location=_mark(self.file, node, path),
            )
        if node.tag == _STR_TAG and (
            not plain or id(node) in self.explicit or not _NOT_TEXT.match(text)
        ):
            return
        if node.tag == _STR_TAG:
            problem = f"YAML 1.2 tools read {text} as a number, boolean or null"
        else:
            problem = f"YAML reads {text} as {_describe(self._construct(node, path))}"
        raise ConfigError(
            f"{path} must be a string, but {problem}",
            hint=f'quote it: {key_text}: "{text}"',
            location=_mark(self.file, node, path),
        )

    def _check_expect_value(self, node: ScalarNode, path: str, key_text: str, value: Any) -> None:
        text = str(node.value)
        if value is None:
            raise ConfigError(
                f"{path} has no value",
                hint=f"give the value Marketplace must report, e.g. {key_text}: true",
                location=_mark(self.file, node, path),
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(
                f"{path} must be a finite number, a string or true/false",
                hint=f'quote it if you mean text: {key_text}: "{text}"',
                location=_mark(self.file, node, path),
            )
        if isinstance(value, str):
            return
        if not isinstance(value, bool | int | float):
            raise ConfigError(
                f"{path}: YAML reads {text} as {_describe(value)}",
                hint=f'quote it: {key_text}: "{text}"',
                location=_mark(self.file, node, path),
            )
        if node.style is not None or id(node) in self.explicit:
            return
        if json.dumps(value) != text:
            raise ConfigError(
                f"{path}: YAML reads {text} as {_describe(value)}",
                hint=f'quote it if you mean text: {key_text}: "{text}"',
                location=_mark(self.file, node, path),
            )


def _example(path: str) -> str:
    """A short YAML example for the field at ``path``."""
    key = path.rsplit(".", 1)[-1]
    if path.startswith("images[") and key == "file":
        key = "image.file"
    return _EXAMPLES.get(path) or _EXAMPLES.get(key) or f"{key}: ..."


def _describe(value: Any) -> str:
    if value is None:
        return "null (no value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    return f"a {type(value).__name__} ({_show(str(value))})"


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _safe_url(value: str) -> str:
    """The URL with any ``user:password@`` part removed, for messages."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return value.split("@", 1)[-1] if "@" in value else value
    if "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return parts._replace(netloc=f"***@{host}").geturl()
    return value


# ------------------------------------------------------------------ validation


def _check_format(root: Node, file: str) -> None:
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
    shown = _node_kind(value_node)
    if isinstance(value_node, ScalarNode):
        try:
            value = yaml.constructor.SafeConstructor().construct_object(value_node)
        except yaml.YAMLError:
            value = None
        shown = _show(value_node.value) if value is None else _show(value)
    if type(value) is int and value == FORMAT:
        return
    hint = "write `format: 1` (the number 1, not quoted)"
    if type(value) is int:
        hint = f"write the config in format 1, or use a release-publisher that reads format {value}"
    raise ConfigError(
        f"format {shown} is not supported: this release-publisher reads format 1",
        hint=hint,
        location=_mark(file, value_node, "format"),
    )


@functools.cache
def _validator() -> Draft202012Validator:
    """The schema validator, with the ``uri`` format really checked (rfc3986-validator).
    Built on first use: importing jsonschema costs start-up time."""
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text())
    # schema.json describes the file as an editor sees it: a ${...} value may stand for
    # any valid value, and --version may supply app.version. The tool checks the
    # interpolated values by the field rules alone, and app.version (see _validate).
    schema["$defs"]["template"] = False
    schema["properties"]["app"]["required"] = ["key", "version"]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _validate(doc: _Doc, *, version_optional: bool) -> None:
    problems: list[tuple[Location, str, str]] = []
    seen: set[tuple[int | None, int | None]] = set()
    for error in _validator().iter_errors(doc.data):
        if (
            version_optional
            and error.validator == "required"
            and list(error.absolute_path) == ["app"]
            and set(error.validator_value) - set(error.instance) == {"version"}
        ):
            continue
        problem = _explain(doc, error)
        # One problem per spot: a second one there is mostly the same mistake again
        # (an unknown key 'versoin' and a missing 'version').
        spot = (problem[0].line, problem[0].col)
        if spot in seen:
            continue
        seen.add(spot)
        problems.append(problem)
    problems.extend(_check_names(doc))
    for problem in _check_release(doc):
        spot = (problem[0].line, problem[0].col)
        if spot not in seen:
            seen.add(spot)
            problems.append(problem)
    if not problems:
        return
    problems.sort(key=lambda p: (p[0].line or 0, p[0].col or 0))
    loc, message, hint = problems[0]
    if len(problems) > 1:
        extra = [f"\n  also: {p[0]}: {p[1]}" for p in problems[1:_MAX_SHOWN_ERRORS]]
        more = len(problems) - _MAX_SHOWN_ERRORS
        message += "".join(extra) + (f"\n  ... and {more} more" if more > 0 else "")
    raise ConfigError(message, hint=hint, location=loc)


def _path_of(parts: Any) -> str:
    path = ""
    for part in parts:
        path = _join(path, part if isinstance(part, int) else str(part))
    return path


def _allowed_for(path: str) -> tuple[str, ...]:
    if re.fullmatch(r"artifacts\[\d+\]", path):
        return _ALLOWED_KEYS["artifact"]
    if re.fullmatch(r"images\[\d+\]", path):
        return _ALLOWED_KEYS["image"]
    if re.fullmatch(r"release\.compatibility\[\d+\]", path):
        return _ALLOWED_KEYS["compatibility"]
    return _ALLOWED_KEYS.get(path, ())


def _value_text(doc: _Doc, path: str, value: Any) -> str:
    if value is None:
        return "no value"
    if isinstance(value, str) and _URL_FIELD.match(path):
        value = _safe_url(value)
    shown = _show(value)
    template = doc.templates.get(path)
    return f"{shown} (from {template})" if template else shown


def _explain(doc: _Doc, error: ValidationError) -> tuple[Location, str, str]:
    """Turn one schema error into (location, message, hint)."""
    path = _path_of(error.absolute_path)
    where = path or "the top level"
    kind = error.validator
    value = error.instance
    rule: Any = error.validator_value
    loc = doc.loc(path)
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = _allowed_for(path)
        extra = next(k for k in value if k not in allowed)
        child = _join(path, extra)
        close = difflib.get_close_matches(extra, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        hint += "allowed keys here: " + ", ".join(allowed)
        return doc.key_locs.get(child, loc), f"unknown key {extra!r} in {where}", hint
    if kind == "required" and isinstance(value, dict):
        missing = next(k for k in rule if k not in value)
        child = _join(path, missing)
        example = _example(child)
        unknown = [k for k in value if k not in _allowed_for(path)]
        typo = difflib.get_close_matches(missing, unknown, n=1)
        if typo:
            return (
                doc.key_locs.get(_join(path, typo[0]), loc),
                f"{child} is missing ({where} has the unknown key {typo[0]!r})",
                f"spell the key {missing!r}",
            )
        loc = Location(file=loc.file, line=loc.line, col=loc.col, field=child)
        return loc, f"{child} is missing", f"add {example} under {where}"
    if path == "release" or path.startswith("release."):
        special = _explain_release(doc, error, path)
        if special is not None:
            return special
    if kind == "oneOf" and isinstance(value, dict):
        if "file" in value and "url" in value:
            return (
                loc,
                f"{where} has both file and url",
                "give exactly one: file (a local file) or url (Marketplace fetches it)",
            )
        return (
            loc,
            f"{where} has neither file nor url",
            'add file: "target/*.jar" (a local file) or url: "https://..." (Marketplace '
            "fetches it)",
        )
    if kind == "dependentRequired":
        return (
            doc.loc(_join(path, "sha512")),
            f"{_join(path, 'sha512')} is only allowed with url",
            "remove sha512: the checksum of a local file is computed and verified anyway",
        )
    if kind == "propertyNames" or "propertyNames" in error.schema_path:
        value = error.instance
        return (
            doc.key_locs.get(_join(path, str(value)), loc),
            f"{where} has the key {_show(value)}, which is not a details field name",
            "expect keys are field names of the artifact's details, e.g. dataCenterCompatible",
        )
    shown = _value_text(doc, path, value)
    key = path.rsplit(".", 1)[-1]
    if kind == "type":
        want = error.validator_value
        if want == "object":
            hint = f"write indented key: value lines under {key}:"
            if re.fullmatch(r"(?:artifacts|images)\[\d+\]", path) and isinstance(value, str):
                hint = f'write the entry as a mapping: - file: "{value}"'
            return loc, f"{where} must be a mapping (key: value lines), got {shown}", hint
        if want == "array":
            return (
                loc,
                f"{where} must be a list (lines starting with '- '), got {shown}",
                (f"write each entry as a '- ' item under {key}:"),
            )
        if want == "number":
            hint = f"write a number of seconds, e.g. {key}: 30"
            if isinstance(value, str) and _NUMBER_TEXT.match(value):
                hint = f"remove the quotes: {key}: {value}"
            return loc, f"{where} must be a number (seconds), got {shown}", hint
        if isinstance(want, list):
            return (
                loc,
                f"{where} must be a string, number or true/false, got {shown}",
                (f"write a single value, e.g. {key}: true"),
            )
        return (
            loc,
            f"{where} must be a string, got {shown}",
            (
                f'quote it: {key}: "..."'
                if not isinstance(value, dict | list)
                else f'write a single quoted value: {key}: "..."'
            ),
        )
    if kind == "minLength":
        return (
            loc,
            f"{where} is empty{_from(doc, path)}",
            (f"give a value, e.g. {_example(path)}"),
        )
    if kind == "minItems":
        return (
            loc,
            f"{where} is empty: at least one entry is needed",
            ('add an entry, e.g. - file: "target/*.jar"'),
        )
    if kind in ("pattern", "format") and _URL_FIELD.match(path):
        return loc, *_url_problem(where, value, shown)
    if kind == "pattern":
        return loc, *_pattern_problem(path, where, key, shown)
    if kind in ("exclusiveMinimum", "minimum", "maximum"):
        bound = error.validator_value
        rule = {"exclusiveMinimum": f"> {bound}", "minimum": f">= {bound}"}.get(kind, f"<= {bound}")
        return (
            loc,
            f"{where} must be {rule} seconds, got {shown}",
            (f"set a number of seconds {rule}"),
        )
    return loc, f"{where}: {error.message[:120]}", "see `release-publisher schema`"


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _explain_release(doc: _Doc, error: ValidationError, path: str) -> _Problem | None:
    """Schema errors in the ``release:`` section that the generic wording gets wrong
    (booleans, whole numbers, enums, ``build-number``, ``notes``); None: use the
    generic wording."""
    kind = error.validator
    value = error.instance
    rule: Any = error.validator_value
    loc = doc.loc(path)
    key = path.rsplit(".", 1)[-1]
    shown = _value_text(doc, path, value)
    if kind == "type" and rule == "boolean":
        hint = f"write {key}: true or {key}: false"
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            hint = f"remove the quotes: {key}: {value.strip().lower()}"
        return loc, f"{path} must be true or false, got {shown}", hint
    if kind == "type" and rule == "integer":
        hint = f"write a whole number, e.g. {_example(path)}"
        if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            hint = f"remove the quotes: {key}: {value.strip()}"
        return loc, f"{path} must be a whole number, got {shown}", hint
    if kind == "anyOf" and path == "release.build-number":
        hint = "write build-number: auto, or a whole number >= 1 such as 1004002"
        if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            hint = f"remove the quotes: build-number: {value.strip()}"
        return loc, f"{path} must be auto or a whole number >= 1, got {shown}", hint
    if kind == "enum":
        options = [str(o) for o in rule]
        same = [o for o in options if _squash(o) == _squash(str(value))]
        close = same or difflib.get_close_matches(str(value).lower(), options, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        hint += f"write one of: {', '.join(options)}"
        return loc, f"{path} must be one of {', '.join(options)}; got {shown}", hint
    if kind in ("minimum", "maximum"):
        bound = ">=" if kind == "minimum" else "<="
        return loc, f"{path} must be {bound} {rule}, got {shown}", f"write {_example(path)}"
    if kind == "minItems":
        return (
            loc,
            f"{path} is empty: at least one entry is needed",
            f"add an entry, e.g. {_example(path)}, or remove {key}: to copy it from "
            "the previous version",
        )
    if kind == "maxLength":
        return (
            loc,
            f"{path} is {len(str(value))} characters long; at most {rule} are allowed",
            "shorten it; put the details in release.notes",
        )
    if kind == "uniqueItems":
        return loc, f"{path} lists the same URL more than once", "list each URL once"
    if kind == "oneOf" and isinstance(value, dict) and path == "release.notes":
        if "file" in value and "text" in value:
            return loc, f"{path} has both file and text", "give exactly one: file or text"
        return (
            loc,
            f"{path} has neither file nor text",
            'add file: "CHANGELOG.md" (its section for this version) or text: "..."',
        )
    if kind == "pattern" and not _URL_FIELD.match(path):
        if path == "release.artifact":
            return (
                loc,
                f"{path} must be an artifact name (lowercase letters, digits and '-'), got {shown}",
                f"write the name of an artifacts[] entry: {_artifact_names(doc)}",
            )
        if path == "release.listing.screenshots":
            return (
                loc,
                f"{path} must be a lowercase image type slug, got {shown}",
                "name an image type of images[], e.g. screenshots: screenshot",
            )
        return loc, f"{path} must not contain whitespace, got {shown}", f"e.g. {_example(path)}"
    return None


def _artifact_names(doc: _Doc) -> str:
    artifacts = doc.data.get("artifacts")
    names = [
        str(e.get("name", DEFAULT_ARTIFACT_NAME))
        for e in (artifacts if isinstance(artifacts, list) else [])
        if isinstance(e, dict)
    ]
    return ", ".join(dict.fromkeys(names)) or "(none)"


def _from(doc: _Doc, path: str) -> str:
    template = doc.templates.get(path)
    return f" (after interpolating {template})" if template else ""


def _url_problem(where: str, value: Any, shown: str) -> tuple[str, str]:
    text = str(value)
    if not text.strip():
        return f"{where} is empty", 'give an http or https URL, e.g. "https://example.com/x.jar"'
    scheme = text.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text) else ""
    if scheme and scheme not in ("http", "https"):
        return (
            f"{where} must be an http or https URL, got a URL with the scheme {scheme}:",
            "use an https:// URL that Marketplace can download without credentials",
        )
    if not scheme:
        return f"{where} is not a URL: {shown}", "write a full URL, e.g. https://example.com/x.jar"
    authority = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", text).split("/", 1)[0]
    if "@" in authority.split("?", 1)[0].split("#", 1)[0]:
        return (
            f"{where} has credentials in the URL",
            "use a URL that needs no credentials; credentials never go in the config file",
        )
    return (
        f"{where} is not a valid URL (RFC 3986): {shown}",
        "percent-encode spaces and special characters (a space is %20); "
        "IPv6 hosts go in [brackets]",
    )


def _pattern_problem(path: str, where: str, key: str, shown: str) -> tuple[str, str]:
    if key == "name":
        return (
            f"{where} must be lowercase letters, digits and '-', got {shown}",
            "e.g. name: server",
        )
    if key == "type":
        return (
            f"{where} must be a lowercase image type slug, got {shown}",
            "e.g. type: icon, banner, screenshot (lowercase letters, digits and '-')",
        )
    if key == "sha512":
        return (
            f"{where} must be 128 hex digits, got {shown}",
            "paste the output of `sha512sum FILE` without the file name or a 'sha512:' prefix",
        )
    if path == "app.version":
        return (
            f"{where} has surrounding whitespace or control characters: {shown}",
            'write the version alone, e.g. version: "1.4.2"',
        )
    if path == "app.key":
        return f"{where} contains whitespace: {shown}", 'e.g. key: "com.example.hello"'
    return f"{where} does not have the expected form: {shown}", "see `release-publisher schema`"


def _check_names(doc: _Doc) -> list[tuple[Location, str, str]]:
    artifacts = doc.data.get("artifacts")
    if not isinstance(artifacts, list):
        return []
    first: dict[str, int] = {}
    problems: list[tuple[Location, str, str]] = []
    for i, entry in enumerate(artifacts):
        if not isinstance(entry, dict):
            continue
        name = entry.get("name", DEFAULT_ARTIFACT_NAME)
        if not isinstance(name, str):
            continue
        if name not in first:
            first[name] = i
            continue
        j = first[name]
        loc = doc.loc(f"artifacts[{i}].name") if "name" in entry else doc.loc(f"artifacts[{i}]")
        unnamed = "name" not in entry or "name" not in artifacts[j]
        hint = (
            "an artifact without name: is named 'artifact'; give each one a name, "
            "e.g. name: server and name: dc"
            if unnamed
            else "give each artifact a different name"
        )
        other = doc.loc(f"artifacts[{j}]")
        problems.append(
            (
                loc,
                f"artifacts[{i}] and artifacts[{j}] (line {other.line}) are both named {name!r}",
                hint,
            )
        )
    return problems


def _check_release(doc: _Doc) -> list[_Problem]:
    """Rules of the ``release:`` section a schema cannot say: the artifact and the
    screenshot image type it names exist, ``min-build <= max-build``, one entry per
    host product, and the notes file exists (relative to the config file)."""
    release = doc.data.get("release")
    if not isinstance(release, dict):
        return []
    problems: list[_Problem] = []
    artifact = release.get("artifact")
    artifacts = doc.data.get("artifacts")
    if isinstance(artifact, str) and isinstance(artifacts, list):
        names = [e.get("name", DEFAULT_ARTIFACT_NAME) for e in artifacts if isinstance(e, dict)]
        if artifact not in names:
            close = difflib.get_close_matches(artifact, [str(n) for n in names], n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                (
                    doc.loc("release.artifact"),
                    f"release.artifact {artifact!r} is not the name of an artifact "
                    f"(artifacts: {_artifact_names(doc)})",
                    hint + "name one of the artifacts (an entry without name: is named 'artifact')",
                )
            )
    listing = release.get("listing")
    shots = listing.get("screenshots") if isinstance(listing, dict) else None
    if isinstance(shots, str):
        images = doc.data.get("images")
        types = list(
            dict.fromkeys(
                str(e["type"])
                for e in (images if isinstance(images, list) else [])
                if isinstance(e, dict) and "type" in e
            )
        )
        if shots not in types:
            have = f"image types: {', '.join(types)}" if types else "the config has no images"
            problems.append(
                (
                    doc.loc("release.listing.screenshots"),
                    f"release.listing.screenshots names the image type {shots!r}, which no "
                    f"images[] entry has ({have})",
                    f"add an images[] entry with type: {shots}, or name one of the image "
                    "types the config uploads",
                )
            )
    problems.extend(_check_compatibility(doc, release.get("compatibility")))
    notes = release.get("notes")
    notes_file = notes.get("file") if isinstance(notes, dict) else None
    if isinstance(notes_file, str) and notes_file:
        base = Path(doc.file).resolve().parent
        target = base / notes_file
        try:
            ok, is_dir = target.is_file(), target.is_dir()
        except (OSError, ValueError):
            ok, is_dir = False, False
        if not ok:
            what = "is a directory, not a file" if is_dir else "does not exist"
            problems.append(
                (
                    doc.loc("release.notes.file"),
                    f"release.notes.file {notes_file!r} {what} (looked for {target})",
                    f"give the changelog's path relative to the config file's directory "
                    f"({base}), e.g. file: CHANGELOG.md",
                )
            )
    return problems


def _check_compatibility(doc: _Doc, compat: Any) -> list[_Problem]:
    if not isinstance(compat, list):
        return []
    problems: list[_Problem] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(compat):
        if not isinstance(entry, dict):
            continue
        path = f"release.compatibility[{i}]"
        low, high = entry.get("min-build"), entry.get("max-build")
        if (
            isinstance(low, int | float)
            and isinstance(high, int | float)
            and not isinstance(low, bool)
            and not isinstance(high, bool)
            and low > high
        ):
            problems.append(
                (
                    doc.loc(f"{path}.min-build"),
                    f"{path}: min-build {low} is greater than max-build {high}",
                    "min-build is the lowest supported host build number: swap the two values",
                )
            )
        product = entry.get("parent-software-id")
        if not isinstance(product, str):
            continue
        if product in first:
            j = first[product]
            other = doc.loc(f"release.compatibility[{j}]")
            problems.append(
                (
                    doc.loc(f"{path}.parent-software-id"),
                    f"{path} and release.compatibility[{j}] (line {other.line}) are both "
                    f"for {product!r}",
                    "give one entry per host product, with one build-number range",
                )
            )
        else:
            first[product] = i
    return problems


# ------------------------------------------------------------------ result


def _normalise_override(version_override: str | None) -> str | None:
    if version_override is None:
        return None
    if version_override == "" or not version_override.strip():
        raise ConfigError(
            "--version is empty",
            hint="pass the version to release, e.g. --version 1.4.2 (or a tag such as v1.4.2)",
        )
    if version_override != version_override.strip() or any(
        ord(c) < 32 or ord(c) == 127 for c in version_override
    ):
        raise ConfigError(
            f"--version {version_override!r} has surrounding whitespace or control characters",
            hint="pass the version alone, e.g. --version 1.4.2",
        )
    v = version_override
    if len(v) >= 2 and v[0] in "vV" and v[1] in "0123456789":
        return v[1:]
    return v


def _to_config(doc: _Doc, path: Path, override: str | None) -> ReleaseConfig:
    data = doc.data
    app = data["app"]
    artifacts = tuple(
        ArtifactSpec(
            name=entry.get("name", DEFAULT_ARTIFACT_NAME),
            file=entry.get("file"),
            url=entry.get("url"),
            sha512=entry["sha512"].lower() if "sha512" in entry else None,
            expect=dict(entry.get("expect", {})),
            location=doc.loc(f"artifacts[{i}]"),
        )
        for i, entry in enumerate(data["artifacts"])
    )
    images = tuple(
        ImageSpec(type=entry["type"], file=entry["file"], location=doc.loc(f"images[{i}]"))
        for i, entry in enumerate(data.get("images", []))
    )
    polling = data.get("polling", {})
    uploads = data.get("uploads", {})
    base_url = str(data.get("marketplace", {}).get("base-url", DEFAULT_BASE_URL))
    locations = dict(doc.value_locs)
    if override is not None:
        locations.pop("app.version", None)
    return ReleaseConfig(
        path=path,
        base_dir=path.resolve().parent,
        app_key=app["key"],
        version=override if override is not None else app["version"],
        artifacts=artifacts,
        images=images,
        base_url=base_url.rstrip("/") or base_url,
        poll_timeout=float(polling.get("timeout", DEFAULT_POLL_TIMEOUT)),
        poll_interval=float(polling.get("interval", DEFAULT_POLL_INTERVAL)),
        upload_spacing=float(uploads.get("spacing", DEFAULT_UPLOAD_SPACING)),
        version_source="--version" if override is not None else "config",
        release=_to_release(data.get("release")),
        locations=locations,
    )


def _to_release(data: dict[str, Any] | None) -> VersionSpec | None:
    """The validated ``release:`` section as a :class:`VersionSpec` (None when absent)."""
    if data is None:
        return None
    notes: dict[str, Any] = data.get("notes", {})
    listing: dict[str, Any] | None = data.get("listing")
    stated = set(data)
    stated.update(f"notes.{k}" for k in notes)
    stated.update(f"listing.{k}" for k in listing or {})
    build = data.get("build-number", "auto")
    compat = data.get("compatibility")
    return VersionSpec(
        artifact=data["artifact"],
        hosting=data["hosting"],
        build_number="auto" if build == "auto" else int(build),
        copy_from_previous=bool(data.get("copy-from-previous", True)),
        compatibility=None
        if compat is None
        else tuple(
            Compatibility(
                parent_software_id=e["parent-software-id"],
                min_build=int(e["min-build"]),
                max_build=int(e["max-build"]),
            )
            for e in compat
        ),
        payment_model=data.get("payment-model"),
        license_type=data.get("license-type"),
        beta=bool(data.get("beta", False)),
        supported=bool(data.get("supported", True)),
        summary=data.get("summary"),
        notes_file=notes.get("file"),
        notes_text=notes.get("text"),
        agreements=tuple(data.get("agreements", ())),
        listing=None
        if listing is None
        else ListingSpec(
            state=listing.get("state", "public"), screenshots=listing.get("screenshots")
        ),
        stated=frozenset(stated),
    )

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

Each step has its own module: :mod:`.yaml_marks` (1, 2), :mod:`.document` (3, 4),
:mod:`.validate` with :mod:`.schema`, :mod:`.explain` and :mod:`.cross_field` (5),
:mod:`.build` (the typed config). jsonschema is imported lazily (:mod:`.schema`):
module import must stay cheap for CLI start-up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .build import normalise_version_override, to_config
from .document import build_document, check_format, check_keys
from .model import ReleaseConfig
from .validate import validate
from .yaml_marks import compose, read_text


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
    override = normalise_version_override(version_override)
    text = read_text(path, file)
    root, explicit = compose(text, file)
    check_keys(root, file)
    check_format(root, file)
    skip = {"app.version"} if override is not None else set()
    doc = build_document(
        root, file, env=os.environ if env is None else env, skip=skip, explicit=explicit
    )
    validate(doc, version_optional=override is not None)
    return to_config(doc, path, override)


def peek_config_data(path: Path, *, env: Mapping[str, str]) -> Mapping[str, Any] | None:
    """The interpolated data of the config at ``path`` read best-effort, NOT validated
    (any shape), or None when it cannot be read that far: for start-up work that may
    begin before the config is judged (the CLI starts hashing the artifacts it names).
    ``app.version`` is not interpolated (a ``--app-version`` may replace it). Never
    raises; :func:`load_config` reports every problem."""
    file = str(path)
    try:
        root, explicit = compose(read_text(path, file), file)
        check_keys(root, file)
        doc = build_document(root, file, env=env, skip={"app.version"}, explicit=explicit)
    except (ConfigError, OSError, ValueError, RecursionError):
        return None
    return doc.data

"""The release config (format 1): YAML with line marks, ``${VAR}`` interpolation,
the shipped JSON Schema and the typed :class:`ReleaseConfig`.

Public API:

- :func:`load_config` -- read, interpolate and validate a config file into a
  :class:`ReleaseConfig`, or raise :class:`~release_publisher.errors.ConfigError`
  (exit code 2) with file/line/column/field and a hint;
- :func:`schema_text` / :data:`SCHEMA_PATH` -- the shipped JSON Schema (draft 2020-12),
  printed by ``release-publisher schema`` and usable by editors through a
  ``# yaml-language-server: $schema=...`` comment.

Importing this package is cheap (no jsonschema import until a config is loaded).
"""

from __future__ import annotations

from .fields import looks_like_secret_key
from .loader import load_config, peek_config_data
from .model import DEFAULT_BASE_URL, ArtifactSpec, ImageSpec, ReleaseConfig
from .schema import SCHEMA_PATH, schema_text
from .yaml_marks import MAX_CONFIG_BYTES

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_CONFIG_BYTES",
    "SCHEMA_PATH",
    "ArtifactSpec",
    "ImageSpec",
    "ReleaseConfig",
    "load_config",
    "looks_like_secret_key",
    "peek_config_data",
    "schema_text",
]

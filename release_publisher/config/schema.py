"""The shipped JSON Schema (draft 2020-12) for config format 1 and its validator.

jsonschema is imported on the first :func:`validator` call, never at module import:
CLI start-up (``--help``, ``schema``) must not pay for it.

May import: jsonschema (lazily). Knows nothing of YAML, messages or the typed config.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("schema.json")
"""The shipped JSON Schema (draft 2020-12) for config format 1."""


def schema_text() -> str:
    """The shipped JSON Schema (draft 2020-12) for config format 1, as JSON text
    (what ``release-publisher schema`` prints)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


@functools.cache
def validator() -> Draft202012Validator:
    """The schema validator, with the ``uri`` format really checked (rfc3986-validator).
    Built on first use: importing jsonschema costs start-up time."""
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text())
    # schema.json describes the file as an editor sees it: a ${...} value may stand for
    # any valid value, and --version may supply app.version. The tool validates the
    # interpolated values, by the same schema without those two allowances.
    schema["$defs"]["template"] = False
    schema["properties"]["app"]["required"] = ["key", "version"]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

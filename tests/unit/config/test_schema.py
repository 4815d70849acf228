"""The shipped JSON Schema: valid draft 2020-12, documented and closed, format checking
active, and jsonschema not imported by ``import release_publisher.config``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from release_publisher.config import SCHEMA_PATH, schema_text

from .helpers import FULL, arts, fail


def _walk_schema(node: object, path: str = "#") -> list[tuple[str, dict[str, object]]]:
    out: list[tuple[str, dict[str, object]]] = []
    if isinstance(node, dict):
        out.append((path, node))
        for key, value in node.items():
            out.extend(_walk_schema(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_walk_schema(value, f"{path}/{i}"))
    return out


def _walk(node: Any, path: str) -> list[str]:
    """Paths of schema properties without a description."""
    out: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                out.append(f"{path}.{name}")
        for key, value in node.items():
            out.extend(_walk(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_walk(value, f"{path}[{i}]"))
    return out


def test_schema_is_valid_draft_2020_12_and_documented() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
    for path, node in _walk_schema(schema):
        props = node.get("properties")
        if isinstance(props, dict) and path.split("/")[-1] != "properties":
            assert node.get("additionalProperties") is False, path
            for name, prop in props.items():
                assert isinstance(prop, dict)
                assert prop.get("title") and prop.get("description"), f"{path}/{name}"


def test_full_example_validates_against_the_shipped_schema(tmp_path: Path) -> None:
    """Editors use the schema on the raw YAML: the full example must pass there too."""
    import yaml
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        json.loads(schema_text()), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(yaml.safe_load(FULL))) == []


def test_import_does_not_load_jsonschema() -> None:
    code = "import sys, release_publisher.config; print('jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_format_checker_is_active(tmp_path: Path) -> None:
    """Passes the schema's http(s) pattern; only the RFC 3986 ``uri`` format check
    (jsonschema FormatChecker + rfc3986-validator) rejects it."""
    import json
    import re

    from release_publisher.config import schema_text

    value = "https://[bad/x.jar"
    pattern = json.loads(schema_text())["$defs"]["url"]["pattern"]
    assert re.search(pattern, value), "the test value must pass the pattern"
    err = fail(tmp_path, arts(f'  - url: "{value}"\n'))
    assert err.location is not None
    assert (err.location.line, err.location.field) == (6, "artifacts[0].url")
    assert "not a valid URL (RFC 3986)" in err.message


def test_release_schema_describes_every_property_and_closes_every_object() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    release = schema["properties"]["release"]
    assert _walk(release, "release") == []
    assert _walk(schema["$defs"]["compatibility"], "compatibility") == []
    for obj in (
        release,
        release["properties"]["notes"],
        release["properties"]["listing"],
        schema["$defs"]["compatibility"],
    ):
        assert obj["additionalProperties"] is False

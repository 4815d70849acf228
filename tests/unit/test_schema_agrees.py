"""The shipped JSON Schema agrees with the tool: every config the loader accepts
validates against ``release_publisher/config/schema.json`` as an editor or
``check-jsonschema`` sees the file (before interpolation), and the refused ones are
refused by both. Each row runs ``load_config`` and the schema (jsonschema with the
``uri`` format checked; ``check-jsonschema`` too, where installed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from release_publisher.config import load_config, schema_text
from release_publisher.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "release_publisher" / "config" / "schema.json"
SCHEMA = json.loads(schema_text())
HEAD = 'format: 1\napp: {key: com.example.hello, version: "1.4.2"}\n'
FILE_ARTIFACT = "artifacts: [{name: server, file: target/hello.jar}]\n"
RELEASE = "release:\n  artifact: server\n  hosting: datacenter\n  summary: Hello\n"


@dataclass(frozen=True)
class Row:
    """A config, the environment it is read with, ``--version`` and the verdict."""

    text: str
    accepted: bool
    env: dict[str, str] = field(default_factory=dict)
    version: str | None = None


ROWS: dict[str, Row] = {
    "minimal": Row(HEAD + FILE_ARTIFACT, True),
    "the README's url artifact with a default": Row(
        HEAD + 'artifacts: [{name: dc, url: "${OBR_URL:-https://example.com/a.obr}"}]\n', True
    ),
    "url from an unset-check variable": Row(
        HEAD + 'artifacts: [{name: dc, url: "${OBR_URL:?set OBR_URL}"}]\n',
        True,
        env={"OBR_URL": "https://example.com/a.obr"},
    ),
    "version from the environment": Row(
        'format: 1\napp: {key: com.example.hello, version: "${V:-1.4.2}"}\n' + FILE_ARTIFACT,
        True,
    ),
    "key from the environment": Row(
        'format: 1\napp: {key: "${APP_KEY}", version: "1.4.2"}\n' + FILE_ARTIFACT,
        True,
        env={"APP_KEY": "com.example.hello"},
    ),
    "base-url from the environment": Row(
        HEAD + FILE_ARTIFACT + 'marketplace: {base-url: "${MARKETPLACE_URL}"}\n',
        True,
        env={"MARKETPLACE_URL": "http://127.0.0.1:8080"},
    ),
    "polling numbers from the environment": Row(
        HEAD + FILE_ARTIFACT + 'polling: {timeout: "${T:-600}", interval: "${I:-2.5}"}\n', True
    ),
    "build-number auto from the environment": Row(
        HEAD + FILE_ARTIFACT + RELEASE + '  build-number: "${BUILD_NUMBER:-auto}"\n', True
    ),
    "build-number number from the environment": Row(
        HEAD + FILE_ARTIFACT + RELEASE + '  build-number: "${BUILD_NUMBER:-auto}"\n',
        True,
        env={"BUILD_NUMBER": "1004002"},
    ),
    "booleans from the environment": Row(
        HEAD
        + FILE_ARTIFACT
        + RELEASE
        + '  beta: "${BETA:-false}"\n  supported: "${SUPPORTED:-true}"\n'
        + '  copy-from-previous: "${COPY:-true}"\n',
        True,
    ),
    "enums from the environment": Row(
        HEAD
        + FILE_ARTIFACT
        + RELEASE.replace("hosting: datacenter", 'hosting: "${HOSTING:-datacenter}"')
        + '  listing: {state: "${STATE:-private}"}\n',
        True,
    ),
    "compatibility from the environment": Row(
        HEAD
        + FILE_ARTIFACT
        + RELEASE
        + "  compatibility:\n"
        + '    - {parent-software-id: jira, min-build: "${MIN:-1}", max-build: "${MAX:-9}"}\n',
        True,
    ),
    "agreement URL from the environment": Row(
        HEAD + FILE_ARTIFACT + RELEASE + '  agreements: ["${EULA_URL:-https://e.com/eula}"]\n',
        True,
    ),
    "an exclude list": Row(
        HEAD + "artifacts: [{name: server, file: target/*.jar, exclude: [target/*-sources.jar]}]\n",
        True,
    ),
    "an exclude glob from the environment": Row(
        HEAD + 'artifacts: [{name: server, file: target/*.jar, exclude: ["${EXCLUDE}"]}]\n',
        True,
        env={"EXCLUDE": "target/*-sources.jar"},
    ),
    # refused by both
    "no artifacts": Row(HEAD + "artifacts: []\n", False),
    "exclude with url": Row(
        HEAD + "artifacts: [{name: dc, url: https://e.com/a.obr, exclude: [a.obr]}]\n", False
    ),
    "exclude that is not a list": Row(
        HEAD + "artifacts: [{name: server, file: target/*.jar, exclude: target/*-sources.jar}]\n",
        False,
    ),
    "an empty exclude glob": Row(
        HEAD + 'artifacts: [{name: server, file: target/*.jar, exclude: [""]}]\n', False
    ),
    "unknown key": Row(HEAD + FILE_ARTIFACT + "polling: {timout: 5}\n", False),
    "file and url": Row(
        HEAD + "artifacts: [{name: a, file: a.jar, url: https://e.com/a.jar}]\n", False
    ),
    "url that is not http": Row(HEAD + "artifacts: [{name: a, url: ftp://e.com/a.jar}]\n", False),
    "build-number zero": Row(HEAD + FILE_ARTIFACT + RELEASE + "  build-number: 0\n", False),
    "boolean that is a word": Row(HEAD + FILE_ARTIFACT + RELEASE + "  beta: maybe\n", False),
    "format 2": Row(HEAD.replace("format: 1", "format: 2") + FILE_ARTIFACT, False),
    "polling timeout negative": Row(HEAD + FILE_ARTIFACT + "polling: {timeout: -1}\n", False),
    "escaped dollar is a literal": Row(
        HEAD + 'artifacts: [{name: a, url: "$${NOT_A_VARIABLE}"}]\n', False
    ),
}
#: Accepted by the tool only with --version (the action's `version` input): the
#: schema, which cannot know about --version, accepts the file.
NO_VERSION = Row(
    "format: 1\napp: {key: com.example.hello}\n" + FILE_ARTIFACT, True, version="v1.4.2"
)


def tool_accepts(row: Row, tmp_path: Path) -> bool:
    path = tmp_path / "marketplace-release.yml"
    path.write_text(row.text)
    try:
        load_config(path, env=row.env, version_override=row.version)
    except ConfigError:
        return False
    return True


def schema_accepts(text: str) -> bool:
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(yaml.safe_load(text))


def check_jsonschema() -> str | None:
    found = shutil.which("check-jsonschema") or str(
        Path(sys.executable).with_name("check-jsonschema")
    )
    return found if Path(found).is_file() else None


@pytest.fixture(scope="module")
def check_jsonschema_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bool]:
    """check-jsonschema's verdict per row (one run over all rows), or {} when the tool
    is not installed."""
    command = check_jsonschema()
    if command is None:
        return {}
    root = tmp_path_factory.mktemp("rows")
    files = {}
    for number, (name, row) in enumerate(ROWS.items()):
        files[name] = root / f"row{number}.yml"
        files[name].write_text(row.text)
    run = subprocess.run(
        [command, "-o", "json", "--schemafile", str(SCHEMA_FILE), *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(run.stdout)
    bad = {Path(error["filename"]).name for error in report.get("errors", [])}
    return {name: path.name not in bad for name, path in files.items()}


@pytest.mark.parametrize("name", list(ROWS))
def test_tool_and_schema_agree(
    name: str, tmp_path: Path, check_jsonschema_verdicts: dict[str, bool]
) -> None:
    row = ROWS[name]
    assert tool_accepts(row, tmp_path) is row.accepted
    assert schema_accepts(row.text) is row.accepted
    if check_jsonschema_verdicts:
        assert check_jsonschema_verdicts[name] is row.accepted


def test_check_jsonschema_is_installed_in_ci() -> None:
    """CI must compare with the real client, never skip it."""
    if check_jsonschema() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("check-jsonschema is not installed (the test extra installs it)")
        pytest.skip("check-jsonschema is not installed")


def test_config_left_to_version_is_accepted_with_version_only(tmp_path: Path) -> None:
    assert tool_accepts(NO_VERSION, tmp_path)
    assert schema_accepts(NO_VERSION.text)
    without = Row(NO_VERSION.text, False)
    assert not tool_accepts(without, tmp_path)  # the tool still requires it


def test_schema_has_a_stable_id_and_valid_examples() -> None:
    assert SCHEMA["$id"].startswith(
        "https://raw.githubusercontent.com/example-org/release-publisher/v1/"
    )
    assert SCHEMA["$id"].endswith("/release_publisher/config/schema.json")
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["examples"]
    for example in SCHEMA["examples"]:
        assert schema_accepts(json.dumps(example))


def test_the_example_release_config_is_accepted_by_both() -> None:
    example = REPO / "examples" / "release.yml"
    load_config(example, env={})
    assert schema_accepts(example.read_text())

"""``${VAR}`` interpolation: the function itself and its use by the loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config import load_config
from release_publisher.config.interpolate import InterpolationError, interpolate
from release_publisher.errors import ConfigError

from .helpers import MINIMAL, fail, load

ENV = {"SET": "value", "EMPTY": "", "V": "1.10", "D": "$HOME"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${SET}", "value"),
        ("$SET", "value"),
        ("a-${SET}-b", "a-value-b"),
        ("$SET.jar", "value.jar"),
        ("${EMPTY}", ""),
        ("${UNSET:-dflt}", "dflt"),
        ("${EMPTY:-dflt}", "dflt"),
        ("${SET:-dflt}", "value"),
        ("${UNSET-dflt}", "dflt"),
        ("${EMPTY-dflt}", ""),
        ("${UNSET:-}", ""),
        ("${SET:?needed}", "value"),
        ("${EMPTY?needed}", ""),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("$$", "$"),
        ("$${SET}", "${SET}"),
        ("cost: $$5", "cost: $5"),
        ("${UNSET:-${SET}}", "value"),
        ("${UNSET:-a${UNSET2:-b}c}", "abc"),
        ("${D}", "$HOME"),  # substituted values are not interpolated again
        ("${V}", "1.10"),
    ],
)
def test_interpolate(text: str, expected: str) -> None:
    assert interpolate(text, ENV) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("${UNSET}", "UNSET is not set"),
        ("$UNSET", "UNSET is not set"),
        ("${EMPTY:?give the version}", "EMPTY is not set or empty: give the version"),
        ("${UNSET?required}", "UNSET is not set: required"),
        ("${SET", "unclosed"),
        ("${1X}", "invalid variable reference"),
        ("${SET:=x}", "invalid variable reference"),
        ("${}", "invalid variable reference"),
        ("price $5", "not followed by a variable name"),
        ("trailing $", "not followed by a variable name"),
    ],
)
def test_interpolate_errors(text: str, fragment: str) -> None:
    with pytest.raises(InterpolationError) as info:
        interpolate(text, ENV)
    assert fragment in info.value.message
    assert info.value.hint


def test_loader_interpolates_string_values(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('"1.4.2"', "${VERSION}")
        .replace("com.example.hello", "${KEY:-com.example.default}")
        .replace("target/hello.jar", "target/hello-${VERSION}.jar")
    )
    cfg = load(tmp_path, text, env={"VERSION": "1.10"})
    assert cfg.version == "1.10"  # a string, exactly as given: never the number 1.1
    assert cfg.app_key == "com.example.default"
    assert cfg.artifacts[0].file == "target/hello-1.10.jar"


def test_loader_defaults_to_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from release_publisher.config import load_config

    monkeypatch.setenv("RP_TEST_VERSION", "9.9.9")
    path = tmp_path / "release.yml"
    path.write_text(MINIMAL.replace('"1.4.2"', "${RP_TEST_VERSION}"))
    assert load_config(path).version == "9.9.9"


def test_unset_variable_is_an_error_with_location(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace('"1.4.2"', "${RELEASE_VERSION}"))
    assert "RELEASE_VERSION is not set" in err.message
    assert err.location is not None
    assert (err.location.line, err.location.col, err.location.field) == (4, 12, "app.version")
    assert err.hint is not None and "RELEASE_VERSION" in err.hint


def test_required_message_is_shown(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace('"1.4.2"', '"${V:?set V to the tag}"'), env={"V": ""})
    assert "set V to the tag" in err.message


def test_empty_after_interpolation_names_the_template(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace('"1.4.2"', "${VERSION}"), env={"VERSION": ""})
    assert err.location is not None and err.location.field == "app.version"
    assert "is empty" in err.message and "${VERSION}" in err.message


def test_keys_and_raw_text_are_not_interpolated(tmp_path: Path) -> None:
    # A ${...} in a comment is never looked at.
    cfg = load(tmp_path, "# uses ${NOT_SET_ANYWHERE}\n" + MINIMAL)
    assert cfg.version == "1.4.2"
    # A key is taken literally: ${K} is an unknown key, even when K names a real key.
    err = fail(tmp_path, MINIMAL + "${K}: 1\n", env={"K": "images"})
    assert "unknown key '${K}'" in err.message


def test_dollar_escape_in_values(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace("target/hello.jar", "target/$$weird.jar"))
    assert cfg.artifacts[0].file == "target/$weird.jar"


def test_interpolated_numbers_for_time_fields(tmp_path: Path) -> None:
    text = MINIMAL + "polling:\n  timeout: ${TIMEOUT:-600}\n  interval: ${INTERVAL}\n"
    cfg = load(tmp_path, text, env={"INTERVAL": "0.5"})
    assert (cfg.poll_timeout, cfg.poll_interval) == (600.0, 0.5)
    err = fail(tmp_path, text, env={"INTERVAL": "soon"})
    assert err.location is not None and err.location.field == "polling.interval"
    assert "(from ${INTERVAL})" in err.message


def test_interpolated_url_with_credentials_is_not_echoed(tmp_path: Path) -> None:
    text = MINIMAL.replace("file: target/hello.jar", "url: ${ARTIFACT_URL}")
    err = fail(tmp_path, text, env={"ARTIFACT_URL": "https://bot:tok3n-xyz@example.com/a.jar"})
    assert "credentials in the URL" in err.message
    assert "tok3n-xyz" not in err.render()


@pytest.mark.parametrize(
    "template",
    ["${MARKETPLACE_TOKEN}", "v-$MARKETPLACE_TOKEN", "${NOPE:-${API_KEY}}", "${MY_PASSWORD:-x}"],
)
def test_a_credential_variable_is_never_interpolated(tmp_path: Path, template: str) -> None:
    """A credential referenced in a value would be sent to Marketplace (e.g. in the
    version's release summary) or printed: refused, without showing its value."""
    secret = "tok-ABCDEF-123456"
    env = {"MARKETPLACE_TOKEN": secret, "API_KEY": secret, "MY_PASSWORD": secret}
    path = tmp_path / "release.yml"
    path.write_text(
        "format: 1\n"
        'app: {key: com.example.hello, version: "1.4.2"}\n'
        "artifacts: [{file: a.jar}]\n"
        f'marketplace: {{base-url: "https://example.com/{template}"}}\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, env=env)
    assert "looks like a credential" in info.value.message
    assert info.value.location is not None and info.value.location.line == 4
    assert secret not in info.value.render()


def test_interpolated_expect_values_take_the_type_marketplace_reports(tmp_path: Path) -> None:
    """`expect` is compared with `details`: `${DC:-true}` must be the boolean true (a
    template cannot carry a YAML type), a number a number; other text stays text."""
    text = MINIMAL + (
        "    expect:\n"
        '      dataCenterCompatible: "${DC:-true}"\n'
        '      licensingEnabled: "${LIC}"\n'
        '      pluginsVersion: "${PV:-2}"\n'
        '      addOnType: "${TYPE:-plugin}"\n'
    )
    cfg = load(tmp_path, text, env={"LIC": "false"})
    assert cfg.artifacts[0].expect == {
        "dataCenterCompatible": True,
        "licensingEnabled": False,
        "pluginsVersion": 2,
        "addOnType": "plugin",
    }

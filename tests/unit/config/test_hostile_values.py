"""Hostile values in the config: NaN and infinity in any number, numbers of thousands
of digits, lists and mappings nested thousands of levels deep (issue 15, items 3, 11).
Each is a ConfigError (exit 2) with the file, line and field, never a RecursionError,
a ValueError or a value that passes every bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import MINIMAL, fail, load

NUMBER_FIELDS = [
    ("polling:\n  timeout: {v}\n", "polling.timeout", 8),
    ("polling:\n  interval: {v}\n", "polling.interval", 8),
    ("uploads:\n  spacing: {v}\n", "uploads.spacing", 8),
    (
        "release:\n  artifact: artifact\n  hosting: datacenter\n  build-number: {v}\n",
        "release.build-number",
        10,
    ),
    (
        "release:\n  artifact: artifact\n  hosting: datacenter\n  compatibility:\n"
        "    - {{parent-software-id: jira, min-build: {v}, max-build: 2}}\n",
        "release.compatibility[0].min-build",
        11,
    ),
    ("artifacts:\n  - url: https://example.com/a.jar\n    expect: {{n: {v}}}\n", None, None),
]


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "+.inf", "1.0e+999"])
@pytest.mark.parametrize(("template", "field", "line"), NUMBER_FIELDS)
def test_nan_and_infinity_are_refused_in_every_number(
    tmp_path: Path, value: str, template: str, field: str | None, line: int | None
) -> None:
    text = MINIMAL + template.format(v=value)
    if field is None:  # expect values: their own message, same rule
        text = MINIMAL.replace("artifacts:\n  - file: target/hello.jar\n", "") + template.format(
            v=value
        )
    err = fail(tmp_path, text)
    assert "finite number" in err.message, err.render()
    assert err.location is not None and err.location.line is not None
    assert err.location.file == str(tmp_path / "release.yml")
    if field is not None:
        assert err.location.field == field
        assert err.location.line == line


def test_nan_polling_timeout_no_longer_loads(tmp_path: Path) -> None:
    # before: loaded as nan, passed `check`, and the poll deadline never came
    err = fail(tmp_path, MINIMAL + "polling:\n  timeout: .nan\n")
    assert err.render().startswith(
        f"ConfigError: {tmp_path / 'release.yml'}:8:12 (polling.timeout)"
    )
    assert "not a number" in err.message


def test_interpolated_number_is_bounded_too(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "polling:\n  timeout: ${T}\n", env={"T": "9" * 5000})
    assert err.location is not None and err.location.field == "polling.timeout"
    assert "5000 characters" in err.message


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ("polling:\n  timeout: {v}\n", "polling.timeout"),
        ("polling:\n  timeout: 1.{v}\n", "polling.timeout"),
        (
            "release:\n  artifact: artifact\n  hosting: datacenter\n  build-number: {v}\n",
            "release.build-number",
        ),
        ("images:\n  - type: icon\n    file: {v}\n", "images[0].file"),
    ],
)
def test_numbers_of_5000_digits_are_refused_not_a_value_error(
    tmp_path: Path, template: str, field: str
) -> None:
    err = fail(tmp_path, MINIMAL + template.format(v="9" * 5000))
    assert err.location is not None and err.location.field == field
    assert "characters" in err.message


def test_format_of_5000_digits_is_refused(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("format: 1", "format: " + "1" * 5000))
    assert err.location is not None and err.location.field == "format"


def test_a_long_number_that_fits_is_fine(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        MINIMAL + "release:\n  artifact: artifact\n  hosting: datacenter\n"
        "  build-number: 9223372036854775807\n",
    )
    assert cfg.release is not None and cfg.release.build_number == 2**63 - 1


@pytest.mark.parametrize(
    "nested",
    [
        pytest.param("[" * 50_000 + "]" * 50_000, id="flow-lists"),
        pytest.param("{a: " * 50_000 + "1" + "}" * 50_000, id="flow-mappings"),
        pytest.param("[" * 50_000, id="unclosed"),
        pytest.param("\n" + "".join("  " * i + "- \n" for i in range(1, 200)), id="block-lists"),
        pytest.param(
            "\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 200)), id="block-mappings"
        ),
    ],
)
def test_deep_nesting_is_refused_with_the_file(tmp_path: Path, nested: str) -> None:
    err = fail(tmp_path, MINIMAL + "images: " + nested + "\n")
    assert "nested too deeply" in err.message, err.render()
    assert err.location is not None and err.location.file == str(tmp_path / "release.yml")
    assert err.location.line is not None


def test_deep_nesting_through_aliases_is_refused(tmp_path: Path) -> None:
    lines = ["x0: &a0 [1]"] + [f"x{i}: &a{i} [*a{i - 1}]" for i in range(1, 200)]
    err = fail(tmp_path, MINIMAL + "\n".join(lines) + "\n")
    assert "nested too deeply" in err.message
    assert err.location is not None and err.location.file == str(tmp_path / "release.yml")

"""What a new version copies from: the newest public, non-beta, supported version of
its major line, or the version ``release.copy-from`` names; what was passed over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release_publisher.config.model import VersionSpec
from release_publisher.errors import ConfigError, FileCheckError
from release_publisher.release.captions import caption_for
from release_publisher.release.copying import (
    choose_previous,
    find_copy_from,
    newest_of_previous_line,
    passed_over,
)
from release_publisher.release.existing import ExistingVersion, parse_version
from release_publisher.release.render import render_plan
from release_publisher.release.rules import build_version_plan, require_complete

COMPAT = [{"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}]


def version(build: int, number: str, **extra: Any) -> ExistingVersion:
    return parse_version(
        {
            "buildNumber": build,
            "versionNumber": number,
            "compatibilities": COMPAT,
            "supportedPaymentModel": "free",
            "state": "public",
            **extra,
        }
    )


def spec(**kw: Any) -> VersionSpec:
    return VersionSpec(artifact="jar0", hosting="datacenter", **kw)


def test_a_beta_with_the_highest_build_is_not_copied_from() -> None:
    beta = version(5, "1.1.1-beta.1", beta=True)
    stable = version(4, "1.1.0")
    assert choose_previous([beta, stable], "1.2.0") == stable
    assert passed_over([beta, stable], "1.2.0") == [(beta, "beta")]


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"beta": True}, "beta"),
        ({"state": "private"}, "state private"),
        ({"state": "ARCHIVED"}, "state ARCHIVED"),
        ({"supported": False}, "not supported"),
    ],
)
def test_versions_that_are_not_public_stable_and_supported_are_passed_over(
    extra: dict[str, Any], why: str
) -> None:
    skipped = version(9, "1.3.0", **extra)
    assert choose_previous([skipped], "1.4.0") is None
    assert passed_over([skipped], "1.4.0") == [(skipped, why)]


def test_an_active_version_in_any_case_qualifies() -> None:
    active = version(3, "1.0.0", state="ACTIVE")
    assert choose_previous([active], "1.1.0") == active


def test_nothing_qualifying_names_what_was_passed_over() -> None:
    versions = [version(5, "1.1.1-beta.1", beta=True), version(4, "1.1.0", state="private")]
    plan = build_version_plan(
        spec(), version_number="1.2.0", artifact_id=None, versions=versions, notes=None
    )
    assert plan.previous is None
    text = "\n".join(plan.missing)
    assert "1.1.1-beta.1 (build 5): beta" in text
    assert "1.1.0 (build 4): state private" in text
    assert "public, non-beta, supported" in text


def test_the_plan_states_the_rule() -> None:
    plan = build_version_plan(
        spec(), version_number="1.2.0", artifact_id=None, versions=[version(4, "1.1.0")],
        notes=None,
    )  # fmt: skip
    assert any("public, non-beta, supported" in line for line in render_plan(plan))


def test_copy_from_names_the_version_to_copy_from() -> None:
    older = version(2, "1.9.0", compatibilities=[{**COMPAT[0], "maxBuildNumber": 5}])
    plan = build_version_plan(
        spec(copy_from="1.9.0"),
        version_number="2.0.0",
        artifact_id=None,
        versions=[older, version(3, "1.9.1")],
        notes=None,
    )
    assert plan.copied_from == older
    assert plan.body["compatibilities"][0]["maxBuildNumber"] == 5
    assert plan.complete


def test_copy_from_an_unknown_version_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        find_copy_from([version(3, "1.9.1")], "1.9.0")
    assert "1.9.1" in caught.value.message and "release.copy-from" in caught.value.message


def test_a_new_major_line_is_offered_the_newest_version_of_the_previous_line() -> None:
    versions = [version(3, "1.9.1"), version(4, "1.10.0-beta", beta=True), version(1, "0.5")]
    assert newest_of_previous_line(versions, "2.0.0") == versions[0]
    plan = build_version_plan(
        spec(), version_number="2.0.0", artifact_id=None, versions=versions, notes=None
    )
    with pytest.raises(ConfigError) as caught:
        require_complete(plan)
    assert 'copy-from: "1.9.1"' in (caught.value.hint or "")


def test_a_caption_file_beside_the_image_and_the_default(tmp_path: Path) -> None:
    image = tmp_path / "01-nav.png"
    image.write_bytes(b"png")
    assert caption_for(image) == ("01-nav", "file name")
    (tmp_path / "01-nav.png.txt").write_text("\n  The navigation  \nmore\n", encoding="utf-8")
    assert caption_for(image) == ("The navigation", "01-nav.png.txt")
    assert caption_for(image, [("01-nav.png", "From config")]) == ("From config", "config")


def test_a_bad_caption_file_is_a_file_error(tmp_path: Path) -> None:
    image = tmp_path / "s.png"
    (tmp_path / "s.png.txt").write_bytes(b"\xff\xfe bad")
    with pytest.raises(FileCheckError):
        caption_for(image)
    (tmp_path / "s.png.txt").write_text("x" * 300, encoding="utf-8")
    with pytest.raises(FileCheckError) as caught:
        caption_for(image)
    assert "1..255" in caught.value.message

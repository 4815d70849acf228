"""What Marketplace stored against what was sent, and what a duplicate answer means."""

from __future__ import annotations

from typing import Any

from release_publisher.release.readback import compare_stored, duplicate_is_ours

SENT: dict[str, Any] = {
    "buildNumber": 101,
    "versionNumber": "1.4.2",
    "beta": True,
    "supported": True,
    "compatibilities": [
        {"parentSoftwareId": "jira", "minBuildNumber": 1, "maxBuildNumber": 2},
        {"parentSoftwareId": "confluence", "minBuildNumber": 3, "maxBuildNumber": 4},
    ],
    "frameworkDetails": {"frameworkId": "plugin", "attributes": {"artifactId": "a1"}},
    "changelog": {"releaseNotes": "- fixed"},
}


def test_a_faithful_echo_has_no_difference() -> None:
    stored = {
        **SENT,
        "buildNumber": "101",  # digits as text
        "compatibilities": [  # other order, extra keys the server adds
            {**SENT["compatibilities"][1], "name": "Confluence"},
            SENT["compatibilities"][0],
        ],
        "state": "active",
        "_links": {},
    }
    assert compare_stored(SENT, stored) == []


def test_fields_the_server_does_not_echo_are_not_compared() -> None:
    assert compare_stored(SENT, {"buildNumber": 101}) == []


def test_each_difference_names_the_field_sent_and_stored() -> None:
    stored = {
        **SENT,
        "beta": False,
        "versionNumber": "1.4.3",
        "frameworkDetails": {"attributes": {"artifactId": "zz"}},
    }
    found = {d.field: (d.sent_text, d.stored_text) for d in compare_stored(SENT, stored)}
    assert found == {
        "versionNumber": ('"1.4.2"', '"1.4.3"'),
        "beta": ("true", "false"),
        "frameworkDetails.attributes.artifactId": ('"a1"', '"zz"'),
    }


def test_a_narrowed_compatibility_is_a_difference() -> None:
    stored = {**SENT, "compatibilities": SENT["compatibilities"][:1]}
    (diff,) = compare_stored(SENT, stored)
    assert diff.field == "compatibilities"


def test_a_stored_answer_that_is_not_an_object_is_a_difference() -> None:
    assert compare_stored(SENT, ["x"])[0].field == "(version)"


def stored_with(artifact: str, number: str = "1.4.2") -> dict[str, Any]:
    return {"versionNumber": number, "frameworkDetails": {"attributes": {"artifactId": artifact}}}


def test_duplicate_verdicts() -> None:
    ours = dict(version_number="1.4.2", artifact_id="a1", checksum="ab" * 64)
    assert duplicate_is_ours(stored_with("a1"), **ours, their_checksum=None) == "ours"
    assert duplicate_is_ours(stored_with("a9"), **ours, their_checksum="AB" * 64) == "concurrent"
    assert duplicate_is_ours(stored_with("a9"), **ours, their_checksum="cd" * 64) == "other"
    assert duplicate_is_ours(stored_with("a1", "1.4.3"), **ours, their_checksum=None) == "other"
    assert duplicate_is_ours("nonsense", **ours, their_checksum=None) == "other"

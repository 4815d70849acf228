"""Version rules: Marketplace answers parsed liberally, the copy/auto/conflict rules,
the exact request bodies, the dry-run text and the refusal of incomplete plans."""

from __future__ import annotations

import json
from typing import Any

import pytest

from release_publisher.config.model import Compatibility, ListingSpec, VersionSpec
from release_publisher.errors import ApiError, ConfigError, Location, VerificationError
from release_publisher.release.copying import choose_previous, major_line
from release_publisher.release.existing import (
    AppSoftware,
    ExistingVersion,
    normalize_hosting,
    parse_app_software,
    parse_version,
    select_app_software,
)
from release_publisher.release.render import render_plan
from release_publisher.release.rules import (
    build_version_plan,
    conflict_error,
    find_conflicts,
    next_build_number,
    require_complete,
)

JIRA = Compatibility("jira", 900000, 1000000)


def item(
    build: int,
    number: str,
    *,
    compat: list[dict[str, Any]] | None = None,
    payment: str | None = "free",
    license_id: str | None = None,
    artifact: str | None = None,
    state: str | None = "public",
) -> dict[str, Any]:
    """A version item as Marketplace lists it."""
    out: dict[str, Any] = {"buildNumber": build, "versionNumber": number, "state": state}
    if compat is not None:
        out["compatibilities"] = compat
    if payment is not None:
        out["supportedPaymentModel"] = payment
    if license_id is not None:
        out["licenseType"] = {"id": license_id}
    if artifact is not None:
        out["frameworkDetails"] = {"frameworkId": "plugin", "attributes": {"artifactId": artifact}}
    return out


def version(build: int, number: str, **kw: Any) -> ExistingVersion:
    kw.setdefault(
        "compat", [{"parentSoftwareId": "jira", "minBuildNumber": 1, "maxBuildNumber": 2}]
    )
    return parse_version(item(build, number, **kw))


def spec(**kw: Any) -> VersionSpec:
    kw.setdefault("artifact", "server")
    kw.setdefault("hosting", "datacenter")
    return VersionSpec(**kw)


# ------------------------------------------------------------------ app software


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DATA_CENTER", "datacenter"),
        ("datacenter", "datacenter"),
        ("dataCenter", "datacenter"),
        ("Data Center", "datacenter"),
        ("data-center", "datacenter"),
        ("CLOUD", "cloud"),
        ("Server", "server"),
        ("forge", None),
        (None, None),
        (3, None),
    ],
)
def test_hosting_name_variants(raw: object, expected: str | None) -> None:
    assert normalize_hosting(raw) == expected


def test_app_software_list_and_selection() -> None:
    body = [
        {"appSoftwareId": "c-1", "hosting": "CLOUD", "appKey": "com.example.hello"},
        {"appSoftwareId": 42, "hosting": "DATA_CENTER", "extra": {"ignored": True}},
        {"hosting": "SERVER"},  # no ID: skipped
        "junk",
    ]
    entries = parse_app_software(body)
    assert [(e.id, e.hosting, e.app_key) for e in entries] == [
        ("c-1", "cloud", "com.example.hello"),
        ("42", "datacenter", None),
    ]
    assert select_app_software(entries, "datacenter", app_key="k").id == "42"
    assert parse_app_software({"items": body}) == entries
    assert parse_app_software({"_embedded": {"appSoftware": body}}) == entries


def test_missing_hosting_names_the_ones_the_app_has() -> None:
    entries = parse_app_software([{"appSoftwareId": "1", "hosting": "cloud"}])
    with pytest.raises(ConfigError) as info:
        select_app_software(entries, "datacenter", app_key="com.example.hello")
    assert "has no datacenter app software" in info.value.message
    assert "(it has: cloud)" in info.value.message
    assert info.value.hint == "set release.hosting to one of: cloud"
    with pytest.raises(ConfigError, match="no app software for the app key"):
        select_app_software([], "server", app_key="com.example.hello")


def test_two_ids_for_one_hosting_are_surfaced_not_guessed() -> None:
    entries = [AppSoftware("1", "server", None), AppSoftware("2", "server", None)]
    with pytest.raises(ApiError, match="IDs 1, 2"):
        select_app_software(entries, "server", app_key="k")


def test_unexpected_app_software_shape() -> None:
    with pytest.raises(ApiError) as info:
        parse_app_software({"error": "nope"})
    assert info.value.endpoint == "GET /rest/3/app-software/app-key/{appKey}"


# ----------------------------------------------------------------------- versions


def test_version_item_parsed_liberally() -> None:
    v = parse_version(
        {
            "buildNumber": "100",
            "versionNumber": "1.4.1",
            "compatibilities": [
                {"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000},
                {"parentSoftwareId": "confluence"},  # unreadable: left out, counted
            ],
            "supportedPaymentModel": "paid-via-atlassian",
            "licenseType": {"id": 7, "name": "Commercial"},
            "frameworkDetails": {"frameworkId": "plugin", "attributes": {"artifactId": "a-9"}},
            "state": "public",
            "somethingNew": [1, 2],
        }
    )
    assert (v.build_number, v.version_number, v.compatibilities) == (100, "1.4.1", [JIRA])
    assert (v.payment_model, v.license_type, v.artifact_id, v.state) == (
        "paid-via-atlassian",
        "7",
        "a-9",
        "public",
    )
    assert v.unreadable_compatibilities == 1
    assert v.label == "1.4.1 (build 100)"
    bare = parse_version({"buildNumber": 3, "versionNumber": "0.1"})
    assert (bare.compatibilities, bare.payment_model, bare.license_type) == ([], None, None)
    assert (bare.artifact_id, bare.state, bare.unreadable_compatibilities) == (None, None, 0)


@pytest.mark.parametrize(
    "bad",
    [
        {"versionNumber": "1.0"},
        {"buildNumber": "ten", "versionNumber": "1.0"},
        {"buildNumber": True, "versionNumber": "1.0"},
        {"buildNumber": 1},
        "1.0",
    ],
)
def test_version_without_build_or_version_number_is_refused(bad: Any) -> None:
    with pytest.raises(ApiError) as info:
        parse_version(bad)
    assert info.value.endpoint == "GET /rest/3/app-software/{appSoftwareId}/versions"


# -------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("2.0.1", "2"),
        ("2", "2"),
        ("10.3", "10"),
        ("02.1", "2"),
        ("2-beta", "2"),
        ("2+build.5", "2"),
        ("v2.0", None),
        ("2a.1", None),
        ("beta", None),
        ("", None),
    ],
)
def test_major_line(text: str, line: str | None) -> None:
    assert major_line(text) == line


def test_choose_previous_takes_the_highest_build_of_the_same_major_line() -> None:
    versions = [
        version(100, "1.4.0"),
        version(130, "2.0.0"),  # other line, higher build
        version(120, "1.4.1"),
        version(110, "1.5.0"),  # same line, lower build than 1.4.1
        version(140, "1.4.2"),  # the release itself: left out
    ]
    previous = choose_previous(versions, "1.4.2")
    assert previous is not None and previous.version_number == "1.4.1"
    assert choose_previous(versions, "3.0.0") is None
    assert choose_previous(versions, "next") is None
    assert choose_previous([], "1.0") is None


def test_conflicts_by_version_number_and_by_build_number() -> None:
    versions = [version(100, "1.4.1"), version(101, "1.4.2"), version(102, "1.5.0")]
    by_version = find_conflicts(versions, "1.4.2", 200)
    assert [
        (c.existing.build_number, c.same_version_number, c.same_build_number) for c in by_version
    ] == [(101, True, False)]
    by_build = find_conflicts(versions, "1.6.0", 100)
    assert [(c.existing.version_number, c.same_build_number) for c in by_build] == [("1.4.1", True)]
    both = find_conflicts(versions, "1.4.2", 102)
    assert [c.existing.build_number for c in both] == [101, 102]
    assert find_conflicts(versions, "1.6.0", None) == []


def test_auto_build_number_is_one_above_the_highest_of_any_major_line() -> None:
    versions = [version(5, "1.0"), version(900, "2.0"), version(7, "1.1")]
    assert next_build_number(versions, spec()) == 901
    assert next_build_number([], spec()) == 1
    assert next_build_number(versions, spec(build_number=42)) == 42
    with pytest.raises(ValueError, match="auto"):
        next_build_number(versions, spec(build_number="latest"))


# ----------------------------------------------------------------------- the plan


PREVIOUS = [
    item(
        100,
        "1.4.1",
        compat=[{"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}],
        payment="paid-via-atlassian",
        license_id="commercial",
    ),
    item(90, "1.4.0", compat=[], payment="free"),
    item(80, "0.9", compat=[], payment="free"),
]


def versions_of(items: list[dict[str, Any]]) -> list[ExistingVersion]:
    """Versions as the client lists them (all pages), parsed."""
    return [parse_version(i) for i in items]


def existing() -> list[ExistingVersion]:
    return versions_of(PREVIOUS)


def test_copy_from_the_latest_of_the_same_major_line_gives_the_exact_body() -> None:
    plan = build_version_plan(
        spec(summary="Fixes a crash on start", agreements=("https://example.com/mpa",)),
        version_number="1.4.2",
        artifact_id="art-77",
        versions=existing(),
        notes="- fixed",
    )
    assert plan.complete and not plan.has_placeholders and plan.conflicts == []
    assert plan.copied_from is not None and plan.copied_from.label == "1.4.1 (build 100)"
    assert plan.body == {
        "buildNumber": 101,
        "versionNumber": "1.4.2",
        "compatibilities": [
            {"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}
        ],
        "supportedPaymentModel": "paid-via-atlassian",
        "licenseType": {"id": "commercial"},
        "frameworkDetails": {
            "frameworkId": "plugin",
            "attributes": {"artifactId": "art-77", "pluginFrameworkType": "P2"},
        },
        "supported": True,
        "beta": False,
        "acceptedAgreements": [{"agreementUrl": "https://example.com/mpa"}],
        "changelog": {"releaseSummary": "Fixes a crash on start", "releaseNotes": "- fixed"},
    }
    sources = {s.field: s.source for s in plan.sources}
    assert sources["compatibilities"] == "copied from 1.4.1 (build 100)"
    assert sources["supportedPaymentModel"] == "copied from 1.4.1 (build 100)"
    assert sources["licenseType"] == "copied from 1.4.1 (build 100)"
    assert sources["buildNumber"] == "auto: 1 + the highest existing build number (100)"
    assert sources["beta"] == "default"


def test_explicit_values_override_what_would_be_copied() -> None:
    plan = build_version_plan(
        spec(
            compatibility=(Compatibility("confluence", 8000, 9000),),
            payment_model="free",
            license_type="gpl",
            build_number=5000,
            beta=True,
            stated=frozenset({"beta"}),
        ),
        version_number="1.4.2",
        artifact_id="a",
        versions=existing(),
        notes=None,
    )
    assert plan.body["compatibilities"] == [
        {"parentSoftwareId": "confluence", "minBuildNumber": 8000, "maxBuildNumber": 9000}
    ]
    assert (plan.body["supportedPaymentModel"], plan.body["licenseType"]) == ("free", {"id": "gpl"})
    assert (plan.body["buildNumber"], plan.body["beta"]) == (5000, True)
    assert "changelog" not in plan.body and "acceptedAgreements" not in plan.body
    assert plan.copied_from is None  # nothing was actually copied
    assert plan.previous is not None and plan.previous.build_number == 100
    assert {s.field: s.source for s in plan.sources}["beta"] == "config"


def test_first_release_of_a_new_major_line_is_missing_compatibility_and_refused() -> None:
    plan = build_version_plan(
        spec(), version_number="2.0.0", artifact_id=None, versions=existing(), notes=None
    )
    assert not plan.complete
    assert plan.missing == [
        "compatibility: first release of major line 2 has no previous version to copy from; "
        "state release.compatibility",
        "payment model: first release of major line 2 has no previous version to copy from; "
        "state release.payment-model",
    ]
    assert "compatibilities" not in plan.body and "licenseType" not in plan.body
    with pytest.raises(ConfigError) as info:
        require_complete(plan, location=Location("release.yml", 9, 1, "release"))
    err = info.value
    assert err.exit_code == 2 and err.location is not None and err.location.line == 9
    assert "cannot create version 2.0.0" in err.message
    assert err.hint is not None
    assert "release.compatibility and release.payment-model" in err.hint

    stated = build_version_plan(
        spec(compatibility=(JIRA,), payment_model="free"),
        version_number="2.0.0",
        artifact_id=None,
        versions=existing(),
        notes=None,
    )
    require_complete(stated)  # nothing missing: no error


@pytest.mark.parametrize(
    ("kw", "versions", "number", "reason"),
    [
        (
            {"copy_from_previous": False},
            PREVIOUS,
            "1.4.2",
            "release.copy-from-previous is false and nothing is stated",
        ),
        ({}, PREVIOUS, "next", "version 'next' does not start with a number"),
        ({}, [item(3, "5.0", compat=[], payment=None)], "5.1", "has no compatibility to copy"),
        (
            {},
            [item(3, "5.0", compat=[{"parentSoftwareId": "jira"}])],
            "5.1",
            "has compatibility entries this tool cannot read",
        ),
    ],
)
def test_why_compatibility_is_missing(
    kw: dict[str, Any], versions: list[dict[str, Any]], number: str, reason: str
) -> None:
    plan = build_version_plan(
        spec(**kw),
        version_number=number,
        artifact_id="a",
        versions=versions_of(versions),
        notes=None,
    )
    assert plan.missing_fields[0] == "release.compatibility"
    assert reason in plan.missing[0]


def test_copy_disabled_with_everything_stated_copies_nothing() -> None:
    plan = build_version_plan(
        spec(copy_from_previous=False, compatibility=(JIRA,), payment_model="free"),
        version_number="1.4.2",
        artifact_id="a",
        versions=existing(),
        notes=None,
    )
    assert plan.complete and plan.copied_from is None and "licenseType" not in plan.body


def test_dry_run_placeholders_and_rendering() -> None:
    software = AppSoftware("dc-42", "datacenter", "com.example.hello")
    plan = build_version_plan(
        spec(listing=ListingSpec("private", "screenshot")),
        version_number="1.4.2",
        artifact_id=None,
        versions=existing(),
        notes=None,
        app_software=software,
    )
    artifact = plan.body["frameworkDetails"]["attributes"]["artifactId"]
    assert artifact == "<artifact ID of 'server' after upload>"
    assert plan.has_placeholders
    assert plan.versions_path == "/rest/3/app-software/dc-42/versions"
    lines = render_plan(plan)
    text = "\n".join(lines)
    assert "App software: dc-42 (datacenter)" in lines
    assert "Previous version of major line 1: 1.4.1 (build 100)" in lines
    assert (
        "Copied from 1.4.1 (build 100): compatibilities, supportedPaymentModel, licenseType"
        in lines
    )
    # the exact bodies, as JSON, after their request lines
    start = lines.index("Request: POST /rest/3/app-software/dc-42/versions") + 1
    assert json.loads("\n".join(lines[start:])) == plan.body
    assert "Missing" not in text


def test_render_shows_missing_and_conflicts() -> None:
    plan = build_version_plan(
        spec(build_number=100),
        version_number="2.0.0",
        artifact_id="a",
        versions=existing(),
        notes=None,
    )
    lines = render_plan(plan)
    assert "App software: <resolved at run time> (datacenter)" in lines
    assert "Previous version of major line 2: none" in lines
    assert any(
        line.startswith("  - compatibility: first release of major line 2") for line in lines
    )
    assert (
        "Conflict: Marketplace already has 1.4.1 (build 100), state public (same build number)"
        in lines
    )


def test_cloud_uses_a_connect_framework() -> None:
    plan = build_version_plan(
        spec(hosting="cloud"),
        version_number="1.4.2",
        artifact_id="d-1",
        versions=existing(),
        notes=None,
    )
    assert plan.body["frameworkDetails"] == {
        "frameworkId": "connect",
        "attributes": {"artifactId": "d-1"},
    }
    assert "UNVERIFIED" in {s.field: s.source for s in plan.sources}["frameworkDetails"]


def test_duplicate_version_is_refused_with_both_values_shown() -> None:
    versions = versions_of([*PREVIOUS, item(101, "1.4.2", artifact="old")])
    plan = build_version_plan(
        spec(), version_number="1.4.2", artifact_id=None, versions=versions, notes=None
    )
    assert plan.body["buildNumber"] == 102
    error = conflict_error(
        plan.conflicts, version_number=plan.version_number, build_number=plan.build_number
    )
    assert error.exit_code == 5
    # the planned build number means nothing to the user here: not shown
    assert "version 1.4.2 clashes with" in error.message and "102" not in error.message
    assert "1.4.2 (build 101) public" in error.message


def test_duplicate_build_number_is_a_conflict() -> None:
    plan = build_version_plan(
        spec(build_number=100),
        version_number="1.4.2",
        artifact_id="a",
        versions=existing(),
        notes=None,
    )
    error = conflict_error(
        plan.conflicts, version_number=plan.version_number, build_number=plan.build_number
    )
    assert isinstance(error, VerificationError)
    assert "1.4.1 (build 100)" in error.message
    fresh = build_version_plan(
        spec(), version_number="1.4.2", artifact_id="a", versions=existing(), notes=None
    )
    assert fresh.conflicts == []

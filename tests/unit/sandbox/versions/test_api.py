"""The sandbox's app software, versions and listing endpoints, over werkzeug's test Client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from release_publisher.clock import FakeClock
from release_publisher.testing import (
    version_body,
)

from ..conftest import AUTH, MakeApp, js
from .conftest import SW, created_version, image_id, jar_id, paths, seed, software_id
from .seeds import KEY, version_seeds


def test_app_key_lists_one_entry_per_hosting(client: Client) -> None:
    created = js(seed(client, {"appKey": KEY, "hostings": ["server", "datacenter"]}))
    entries = js(client.get(f"{SW}/app-key/{KEY}", auth=AUTH))
    assert [e["hosting"] for e in entries] == ["server", "datacenter"]
    assert {e["appKey"] for e in entries} == {KEY}
    assert entries == created["apps"][0]["software"]
    assert len({e["appSoftwareId"] for e in entries}) == 2


def test_unknown_app_key_is_404_and_auth_is_required(client: Client) -> None:
    resp = client.get(f"{SW}/app-key/com.example.nope", auth=AUTH)
    assert resp.status_code == 404
    assert js(resp)["code"] == "NOT_FOUND"
    seed(client, {"appKey": KEY})
    assert client.get(f"{SW}/app-key/{KEY}").status_code == 401


def test_configured_apps_exist_at_start_and_again_after_reset(make_app: MakeApp) -> None:
    client = Client(make_app(apps=((KEY, ("datacenter",)),)))
    first = software_id(client)
    seed(client, {"appKey": "com.example.other"})
    assert client.post("/_sandbox/reset").status_code == 200
    assert software_id(client) != first  # registered again, with a new ID
    assert client.get(f"{SW}/app-key/com.example.other", auth=AUTH).status_code == 404


def test_reseeding_keeps_ids_and_adds_hostings(client: Client) -> None:
    seed(client, {"appKey": KEY, "hostings": ["datacenter"]})
    first = software_id(client)
    seed(client, {"appKey": KEY, "hostings": ["server"]})
    assert software_id(client) == first
    assert software_id(client, "server") != first


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"hostings": ["datacenter"]}, ".appKey"),
        ({"appKey": KEY, "hostings": ["onprem"]}, ".hostings"),
        ({"appKey": KEY, "versions": {"datacenter": [{"buildNumber": 0}]}}, "buildNumber"),
        ({"appKey": KEY, "colour": "red"}, ""),
    ],
)
def test_bad_seed_is_refused_with_the_field(client: Client, body: object, path: str) -> None:
    resp = seed(client, body)
    assert resp.status_code == 400
    assert any(p.endswith(path) for p in paths(resp))
    assert js(client.get("/_sandbox/apps"))["apps"] == []


def test_admin_apps_answer_loopback_only(client: Client) -> None:
    resp = client.post(
        "/_sandbox/apps", json={"appKey": KEY}, environ_overrides={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert resp.status_code == 403


def _seed_versions(client: Client, count: int) -> str:
    versions = version_seeds(count, first_build=100)
    assert seed(client, {"appKey": KEY, "versions": {"datacenter": versions}}).status_code == 201
    return software_id(client)


def test_versions_are_paginated_newest_first(client: Client) -> None:
    sid = _seed_versions(client, 23)
    seen: list[int] = []
    url: str | None = f"{SW}/{sid}/versions?limit=10"
    pages = 0
    while url:
        page = js(client.get(url, auth=AUTH))
        seen += [v["buildNumber"] for v in page["versions"]]
        url = page["links"].get("next")
        pages += 1
        if url:
            assert url.startswith(f"{SW}/{sid}/versions?limit=10&cursor=")
    assert pages == 3
    assert seen == list(range(122, 99, -1))
    first = js(client.get(f"{SW}/{sid}/versions", auth=AUTH))
    assert len(first["versions"]) == 10  # default page size
    assert first["versions"][0]["_links"]["self"]["href"] == f"{SW}/{sid}/versions/122"
    assert first["versions"][0]["state"] == "active"


def test_last_page_has_no_next_link(client: Client) -> None:
    sid = _seed_versions(client, 3)
    assert js(client.get(f"{SW}/{sid}/versions?limit=50", auth=AUTH))["links"] == {}


@pytest.mark.parametrize(
    ("query", "path"),
    [("limit=51", "limit"), ("limit=0", "limit"), ("limit=x", "limit"), ("cursor=zzz", "cursor")],
)
def test_bad_limit_or_cursor_is_400(client: Client, query: str, path: str) -> None:
    sid = _seed_versions(client, 1)
    resp = client.get(f"{SW}/{sid}/versions?{query}", auth=AUTH)
    assert resp.status_code == 400
    assert js(resp)["code"] == "VALIDATION_FAILED"
    assert paths(resp) == {path}


def test_unknown_software_or_build_is_404(client: Client, sid: str) -> None:
    assert client.get(f"{SW}/nope/versions", auth=AUTH).status_code == 404
    assert client.get(f"{SW}/{sid}/versions/77", auth=AUTH).status_code == 404
    assert client.get(f"{SW}/{sid}/versions/x", auth=AUTH).status_code == 404


def test_create_version_from_an_uploaded_jar(client: Client, sid: str, tmp_path: Path) -> None:
    artifact = jar_id(client, tmp_path)
    body = version_body(artifact)
    resp = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert resp.status_code == 201
    created = js(resp)
    href = f"{SW}/{sid}/versions/1004002"
    assert resp.headers["Location"] == href
    assert created["_links"]["self"]["href"] == href
    assert created["_links"]["artifact"]["href"] == f"/rest/3/artifacts/{artifact}"
    assert created["state"] == "active"
    for name, value in body.items():
        assert created[name] == value
    assert js(client.get(href, auth=AUTH)) == created
    listed = js(client.get(f"{SW}/{sid}/versions", auth=AUTH))["versions"]
    assert listed == [created]
    state = js(client.get("/_sandbox/state"))
    software = {s["hosting"]: s for s in state["apps"][0]["software"]}
    assert [v["versionNumber"] for v in software["datacenter"]["versions"]] == ["1.4.2"]
    assert software["server"]["versions"] == []


def test_missing_fields_are_all_reported(client: Client, sid: str) -> None:
    resp = client.post(f"{SW}/{sid}/versions", json={}, auth=AUTH)
    assert resp.status_code == 400
    assert js(resp)["code"] == "VALIDATION_FAILED"
    assert paths(resp) == {
        "buildNumber",
        "versionNumber",
        "compatibilities",
        "supportedPaymentModel",
        "frameworkDetails",
    }
    assert all(e["code"] and e["message"] for e in js(resp)["errors"])


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"buildNumber": -1}, "buildNumber"),
        ({"buildNumber": "12"}, "buildNumber"),
        ({"buildNumber": True}, "buildNumber"),
        ({"versionNumber": ""}, "versionNumber"),
        ({"compatibilities": []}, "compatibilities"),
        (
            {
                "compatibilities": [
                    {"parentSoftwareId": "jira", "minBuildNumber": 9, "maxBuildNumber": 1}
                ]
            },
            "compatibilities[0]",
        ),
        (
            {"compatibilities": [{"parentSoftwareId": "jira", "minBuildNumber": 1}]},
            "compatibilities[0].maxBuildNumber",
        ),
        (
            {"frameworkDetails": {"frameworkId": "plugin", "attributes": {}}},
            "frameworkDetails.attributes.artifactId",
        ),
        (
            {"frameworkDetails": {"frameworkId": "connect", "attributes": {"artifactId": "x"}}},
            "frameworkDetails.frameworkId",
        ),
        ({"supported": "yes"}, "supported"),
        ({"licenseType": "atlassian"}, "licenseType.id"),
    ],
)
def test_invalid_field_is_reported_by_path(
    client: Client, sid: str, tmp_path: Path, change: dict[str, Any], path: str
) -> None:
    body = version_body(jar_id(client, tmp_path)) | change
    resp = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert resp.status_code == 400
    assert path in paths(resp)
    assert js(client.get(f"{SW}/{sid}/versions", auth=AUTH))["versions"] == []


def test_artifact_must_exist_and_match_app_key_and_version(
    client: Client, sid: str, tmp_path: Path
) -> None:
    artifact_path = "frameworkDetails.attributes.artifactId"
    unknown = client.post(f"{SW}/{sid}/versions", json=version_body("0" * 20), auth=AUTH)
    assert js(unknown)["errors"][0]["code"] == "UNKNOWN_ARTIFACT"
    other_key = version_body(jar_id(client, tmp_path, key="com.example.other"))
    resp = client.post(f"{SW}/{sid}/versions", json=other_key, auth=AUTH)
    assert resp.status_code == 400 and paths(resp) == {artifact_path}
    assert "com.example.other" in js(resp)["errors"][0]["message"]
    old_jar = version_body(jar_id(client, tmp_path, version="1.4.1"))
    resp = client.post(f"{SW}/{sid}/versions", json=old_jar, auth=AUTH)
    assert resp.status_code == 400
    assert "1.4.1" in js(resp)["errors"][0]["message"]


def test_artifact_still_processing_is_refused(
    make_app: MakeApp, clock: FakeClock, tmp_path: Path
) -> None:
    client = Client(make_app(processing_delay=5))
    seed(client, {"appKey": KEY})
    sid = software_id(client)
    body = version_body(jar_id(client, tmp_path))
    resp = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert js(resp)["errors"][0]["code"] == "ARTIFACT_NOT_PROCESSED"
    clock.advance(5)
    assert client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH).status_code == 201


def test_cloud_versions_need_no_compatibilities(client: Client, tmp_path: Path) -> None:
    seed(client, {"appKey": KEY, "hostings": ["cloud"]})
    sid = software_id(client, "cloud")
    body = version_body(jar_id(client, tmp_path), number="9.9.9")  # no version check on cloud
    del body["compatibilities"]
    body["frameworkDetails"]["frameworkId"] = "connect"
    assert client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH).status_code == 201


@pytest.mark.parametrize(
    ("build", "number", "dup_paths"),
    [
        (1004002, "1.4.3", {"buildNumber"}),
        (1004003, "1.4.2", {"versionNumber"}),
        (1004002, "1.4.2", {"buildNumber", "versionNumber"}),
    ],
)
def test_duplicate_build_or_version_number_is_409(
    client: Client,
    sid: str,
    tmp_path: Path,
    build: int,
    number: str,
    dup_paths: set[str],
) -> None:
    artifact = jar_id(client, tmp_path)
    assert (
        client.post(f"{SW}/{sid}/versions", json=version_body(artifact), auth=AUTH).status_code
        == 201
    )
    again = version_body(jar_id(client, tmp_path, version=number), build, number)
    resp = client.post(f"{SW}/{sid}/versions", json=again, auth=AUTH)
    assert resp.status_code == 409
    assert js(resp)["code"] == "DUPLICATE_VERSION"
    assert paths(resp) == dup_paths
    assert len(js(client.get(f"{SW}/{sid}/versions", auth=AUTH))["versions"]) == 1


def test_same_version_on_another_hosting_is_no_duplicate(
    client: Client, sid: str, tmp_path: Path
) -> None:
    body = version_body(jar_id(client, tmp_path))
    assert client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH).status_code == 201
    server = software_id(client, "server")
    assert client.post(f"{SW}/{server}/versions", json=body, auth=AUTH).status_code == 201


def test_fault_injection_and_request_log_cover_the_new_endpoints(
    client: Client, sid: str, tmp_path: Path
) -> None:
    body = version_body(jar_id(client, tmp_path))
    assert (
        client.post(
            "/_sandbox/faults", json={"endpoint": "create-version", "status": 503}
        ).status_code
        == 201
    )
    assert client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH).status_code == 503
    assert client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH).status_code == 201
    log = js(client.get("/_sandbox/requests"))["requests"]
    assert [(e["endpoint"], e["status"]) for e in log[-2:]] == [
        ("create_version", 503),
        ("create_version", 201),
    ]


def test_publish_listing_with_uploaded_screenshots(
    client: Client, sid: str, tmp_path: Path
) -> None:
    href = created_version(client, sid, tmp_path)
    shot = image_id(client)
    body = {"state": "public", "screenshots": [{"imageId": shot, "caption": "Board"}]}
    resp = client.post(f"{href}/listing", json=body, auth=AUTH)
    assert resp.status_code == 200
    assert js(resp) == {"state": "PUBLIC", "approvalStatus": "APPROVED", "revision": 1}
    again = client.post(f"{href}/listing", json={**body, "revision": 1}, auth=AUTH)
    assert js(again)["revision"] == 2
    stored = js(client.get(f"{href}/listing", auth=AUTH))
    assert {k: stored[k] for k in ("state", "approvalStatus", "revision")} == js(again)
    assert stored["screenshots"] == body["screenshots"]
    private = client.post(f"{href}/listing", json={"state": "private"}, auth=AUTH)
    assert js(private)["approvalStatus"] == "UNINITIATED"


def test_the_proven_clients_listing_is_accepted_and_served_back_whole(
    client: Client, sid: str, tmp_path: Path
) -> None:
    """allure-bamboo's publish-marketplace.sh sends state PUBLIC, revision 1 and the
    previous listing's fields; GET .../listing serves all of them back."""
    href = created_version(client, sid, tmp_path)
    ids = [image_id(client) for _ in range(4)]
    body = {
        "state": "PUBLIC",
        "revision": 1,
        "screenshots": [{"imageId": ids[0], "caption": "Board"}],
        "highlights": [
            {
                "title": "Fast",
                "caption": "c",
                "summary": "s",
                "thumbnail": {"imageId": ids[1]},
                "screenshot": {"imageId": ids[2], "caption": "h"},
            }
        ],
        "moreDetails": "<p>More</p>",
        "heroImage": {"imageId": ids[3]},
        "youtubeId": "abc",
        "deploymentInstructions": [{"body": "Install"}],
        "developerLinks": {"documentation": "https://docs.example.com", "eula": "https://e"},
    }
    resp = client.post(f"{href}/listing", json=body, auth=AUTH)
    assert resp.status_code == 200, js(resp)
    assert js(resp)["state"] == "PUBLIC"
    stored = js(client.get(f"{href}/listing", auth=AUTH))
    assert {k: v for k, v in stored.items() if k not in ("approvalStatus", "revision")} == {
        k: v for k, v in body.items() if k != "revision"
    }
    assert "listing" not in js(client.get(href, auth=AUTH))  # served by GET .../listing only


def test_a_version_without_a_listing_answers_404_on_get(
    client: Client, sid: str, tmp_path: Path
) -> None:
    href = created_version(client, sid, tmp_path)
    assert client.get(f"{href}/listing", auth=AUTH).status_code == 404
    assert client.get(f"{SW}/{sid}/versions/5/listing", auth=AUTH).status_code == 404


def test_images_of_a_seeded_listing_may_be_carried_over(client: Client, tmp_path: Path) -> None:
    seed(
        client,
        {
            "appKey": KEY,
            "versions": {
                "datacenter": [
                    {
                        "buildNumber": 50,
                        "versionNumber": "0.9.0",
                        "listing": {"state": "PUBLIC", "heroImage": {"imageId": "seeded-hero"}},
                    }
                ]
            },
        },
    )
    sid = software_id(client)
    seeded = js(client.get(f"{SW}/{sid}/versions/50/listing", auth=AUTH))
    assert seeded["heroImage"] == {"imageId": "seeded-hero"}
    href = created_version(client, sid, tmp_path)
    body = {"state": "PUBLIC", "heroImage": {"imageId": "seeded-hero"}}
    assert client.post(f"{href}/listing", json=body, auth=AUTH).status_code == 200


def test_manual_approval_apps_get_submitted(client: Client, tmp_path: Path) -> None:
    seed(client, {"appKey": KEY, "approval": "manual"})
    sid = software_id(client)
    href = created_version(client, sid, tmp_path)
    resp = client.post(f"{href}/listing", json={"state": "PUBLIC"}, auth=AUTH)
    assert js(resp)["approvalStatus"] == "SUBMITTED"


def test_reject_approval_apps_get_a_rejected_private_listing(
    client: Client, tmp_path: Path
) -> None:
    seed(client, {"appKey": KEY, "approval": "reject"})
    sid = software_id(client)
    href = created_version(client, sid, tmp_path)
    resp = client.post(f"{href}/listing", json={"state": "PUBLIC"}, auth=AUTH)
    assert js(resp) == {"state": "PRIVATE", "approvalStatus": "REJECTED", "revision": 1}
    assert js(client.get(f"{href}/listing", auth=AUTH))["approvalStatus"] == "REJECTED"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"state": "public", "screenshots": [{"imageId": "nope"}]}, "screenshots[0].imageId"),
        ({"state": "public", "heroImage": {"imageId": "nope"}}, "heroImage.imageId"),
        (
            {"state": "public", "highlights": [{"thumbnailImageId": "x"}]},
            "highlights[0].thumbnailImageId",
        ),
        ({"state": "draft"}, "state"),
        ({"screenshots": []}, "state"),
    ],
)
def test_bad_listing_is_400(
    client: Client, sid: str, tmp_path: Path, body: dict[str, Any], path: str
) -> None:
    href = created_version(client, sid, tmp_path)
    resp = client.post(f"{href}/listing", json=body, auth=AUTH)
    assert resp.status_code == 400
    assert paths(resp) == {path}
    assert client.get(f"{href}/listing", auth=AUTH).status_code == 404


def test_listing_of_unknown_build_is_404(client: Client, sid: str) -> None:
    resp = client.post(f"{SW}/{sid}/versions/5/listing", json={"state": "public"}, auth=AUTH)
    assert resp.status_code == 404

"""The emulator's app listing (developer space, whole-object PUT with revisions, 409 on
a stale revision) and parent software catalogue."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import Client, TestResponse

from .conftest import AUTH

DEV = "dev-1"


def js(response: TestResponse) -> Any:
    """The JSON body of ``response``."""
    return json.loads(response.get_data(as_text=True))


def seed(client: Client, **extra: Any) -> dict[str, Any]:
    body = {"developerId": DEV, "appKey": "com.example.hello", **extra}
    response = client.post("/_sandbox/product-listings", json=body)
    assert response.status_code == 201, response.text
    return dict(js(response)["productListings"][0])


def test_developer_space_is_paginated_and_hides_private_listings(client: Client) -> None:
    for i in range(12):
        seed(client, appKey=f"com.example.app{i}")
    seed(client, appKey="com.example.private", state="private")
    first = client.get(f"/rest/3/product-listing/developer-space/{DEV}?limit=10", auth=AUTH)
    assert len(js(first)["items"]) == 10
    second = client.get(js(first)["links"]["next"], auth=AUTH)
    assert [i["appKey"] for i in js(second)["items"]] == ["com.example.app10", "com.example.app11"]
    everything = client.get(
        f"/rest/3/product-listing/developer-space/{DEV}?limit=50&includePrivate=true", auth=AUTH
    )
    assert "com.example.private" in [i["appKey"] for i in js(everything)["items"]]


def test_put_replaces_the_whole_listing_and_bumps_the_revision(client: Client) -> None:
    listing = seed(client)
    path = f"/rest/3/product-listing/{listing['productId']}"
    read = js(client.get(path, auth=AUTH))
    body = {**read, "tagLine": "new"}
    answer = client.put(path, json=body, auth=AUTH)
    assert answer.status_code == 200, answer.text
    assert js(answer)["revision"] == read["revision"] + 1
    assert js(client.get(path, auth=AUTH))["tagLine"] == "new"


def test_a_partial_body_or_a_stale_revision_is_refused(client: Client) -> None:
    listing = seed(client)
    path = f"/rest/3/product-listing/{listing['productId']}"
    read = js(client.get(path, auth=AUTH))
    partial = {k: v for k, v in read.items() if k != "summary"}
    refused = client.put(path, json=partial, auth=AUTH)
    assert refused.status_code == 400 and "summary" in js(refused)["message"]
    unknown_image = {**read, "images": {**read["images"], "iconFileId": "nope"}}
    assert client.put(path, json=unknown_image, auth=AUTH).status_code == 400
    assert client.put(path, json=read, auth=AUTH).status_code == 200
    stale = client.put(path, json=read, auth=AUTH)  # read at the old revision
    assert stale.status_code == 409 and js(stale)["code"] == "STALE_REVISION"


def test_edit_after_reads_makes_the_read_revision_stale(client: Client) -> None:
    listing = seed(client, editAfterReads=1)
    path = f"/rest/3/product-listing/{listing['productId']}"
    read = js(client.get(path, auth=AUTH))
    assert client.put(path, json=read, auth=AUTH).status_code == 409
    again = js(client.get(path, auth=AUTH))
    assert again["tagLine"].startswith("edited by someone else")
    assert client.put(path, json=again, auth=AUTH).status_code == 200


def test_parent_software_versions_by_number_and_latest(client: Client) -> None:
    one = client.get("/rest/3/parent-software/jira/versions/number/9.12.0", auth=AUTH)
    assert js(one)["buildNumber"] == 912000
    latest = client.get("/rest/3/parent-software/jira/versions?limit=1", auth=AUTH)
    assert js(latest)["items"][0]["versionNumber"] == "10.4.1"
    rest = client.get(js(latest)["links"]["next"], auth=AUTH)
    assert js(rest)["items"][0]["versionNumber"] == "10.3.1"
    assert (
        client.get("/rest/3/parent-software/jira/versions/number/1.0", auth=AUTH).status_code == 404
    )
    assert client.get("/rest/3/parent-software/jria/versions", auth=AUTH).status_code == 404
    ids = [p["id"] for p in js(client.get("/rest/3/parent-software", auth=AUTH))["parentSoftware"]]
    assert ids == ["jira", "confluence"]

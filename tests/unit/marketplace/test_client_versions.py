"""The client's app software, versions and listing calls against requests-mock."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from release_publisher.clock import FakeClock
from release_publisher.errors import ApiError, TransportError, UsageError

from .helpers import BASE, BASIC, TOKEN, consume, make_client, read_timeout, refused

SW = f"{BASE}/rest/3/app-software"
VERSIONS = f"{SW}/sw-1/versions"


def _version(build: int) -> dict[str, Any]:
    return {"buildNumber": build, "versionNumber": f"1.{build}.0", "state": "active"}


def _body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "buildNumber": 1004002,
        "versionNumber": "1.4.2",
        "compatibilities": [
            {"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}
        ],
        "supportedPaymentModel": "free",
        "frameworkDetails": {
            "frameworkId": "plugin",
            "attributes": {"artifactId": "art-1", "pluginFrameworkType": "P2"},
        },
    }
    body.update(extra)
    return body


def _json_answer(status: int, body: object, headers: dict[str, str] | None = None) -> Any:
    def respond(request: Any, context: Any) -> str:
        consume(request)
        context.status_code = status
        context.headers["Content-Type"] = "application/json"
        context.headers.update(headers or {})
        return json.dumps(body)

    return respond


# ------------------------------------------------------------------ app software


def test_get_app_software_returns_the_raw_list(requests_mock: Any) -> None:
    entries = [
        {"appSoftwareId": "sw-1", "appKey": "com.example/hello", "hosting": "datacenter"},
        {"appSoftwareId": "sw-2", "appKey": "com.example/hello", "hosting": "server", "x": 1},
    ]
    requests_mock.get(f"{SW}/app-key/com.example%2Fhello", json=entries)
    assert make_client().get_app_software(" com.example/hello ") == entries
    assert requests_mock.last_request.headers["Authorization"] == f"Basic {BASIC}"


def test_unknown_app_key_is_an_api_error_naming_the_key(requests_mock: Any) -> None:
    requests_mock.get(
        f"{SW}/app-key/com.example.nope",
        status_code=404,
        json={"code": "NOT_FOUND", "message": "no app", "errors": []},
    )
    with pytest.raises(ApiError) as info:
        make_client().get_app_software("com.example.nope")
    assert info.value.status == 404
    assert "NOT_FOUND: no app" in info.value.message
    assert info.value.hint is not None and "'com.example.nope'" in info.value.hint
    assert requests_mock.call_count == 1  # a 404 is not retried


def test_app_software_that_is_not_a_list_is_a_shape_error(requests_mock: Any) -> None:
    requests_mock.get(f"{SW}/app-key/k", json={"appSoftwareId": "sw-1"})
    with pytest.raises(ApiError, match="not a list of app software objects"):
        make_client().get_app_software("k")


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("get_app_software", (" ",)),
        ("list_versions", ("",)),
        ("get_version", ("sw-1", 0)),
        ("get_version", ("sw-1", True)),
        ("publish_listing", ("sw-1", -3, {"state": "public"})),
        ("create_version", ("sw-1", ["not", "an", "object"])),
        ("create_version", ("sw-1", {"buildNumber": {1, 2}})),
    ],
)
def test_bad_arguments_send_nothing(requests_mock: Any, call: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(UsageError):
        getattr(make_client(), call)(*args)
    assert requests_mock.call_count == 0


def test_page_size_is_checked_before_sending(requests_mock: Any) -> None:
    with pytest.raises(UsageError, match="out of range"):
        make_client().list_versions("sw-1", limit=51)
    assert requests_mock.call_count == 0


# ------------------------------------------------------------------ pagination


def test_list_versions_follows_three_pages_of_every_link_form(requests_mock: Any) -> None:
    def respond(request: Any, context: Any) -> dict[str, Any]:
        cursor = parse_qs(urlsplit(request.url).query).get("cursor", [""])[0]
        if cursor == "":  # relative to the base URL, like _links.self.href
            nxt = "/rest/3/app-software/sw-1/versions?limit=2&cursor=c2"
            return {"versions": [_version(9), _version(8)], "links": {"next": nxt}}
        if cursor == "c2":  # absolute, under _links
            nxt = f"{VERSIONS}?limit=2&cursor=c3"
            return {"items": [_version(7), _version(6)], "_links": {"next": {"href": nxt}}}
        return {"values": [_version(5)], "links": {}}

    requests_mock.get(VERSIONS, json=respond)
    versions = make_client().list_versions("sw-1", limit=2)
    assert [v["buildNumber"] for v in versions] == [9, 8, 7, 6, 5]
    urls = [r.url for r in requests_mock.request_history]
    assert urls == [
        f"{VERSIONS}?limit=2",
        f"{VERSIONS}?limit=2&cursor=c2",
        f"{VERSIONS}?limit=2&cursor=c3",
    ]
    assert all(
        r.headers["Authorization"] == f"Basic {BASIC}" for r in requests_mock.request_history
    )


def test_a_bare_list_page_is_accepted(requests_mock: Any) -> None:
    requests_mock.get(VERSIONS, json=[_version(2), _version(1)])
    assert len(make_client().list_versions("sw-1")) == 2
    assert requests_mock.last_request.qs == {"limit": ["50"]}


@pytest.mark.parametrize(
    "next_link",
    [
        "https://evil.example/rest/3/app-software/sw-1/versions?cursor=c2",
        "//evil.example/rest/3/app-software/sw-1/versions?cursor=c2",
        "http://mp.example.test/marketplace/rest/3/app-software/sw-1/versions?cursor=c2",
    ],
)
def test_next_link_to_another_origin_is_refused(requests_mock: Any, next_link: str) -> None:
    requests_mock.get(VERSIONS, json={"versions": [_version(3)], "links": {"next": next_link}})
    with pytest.raises(ApiError) as info:
        make_client().list_versions("sw-1")
    assert "another origin" in info.value.message
    assert "no request was sent there" in info.value.message
    assert requests_mock.call_count == 1


def test_pagination_stops_at_max_pages(requests_mock: Any) -> None:
    def respond(request: Any, context: Any) -> dict[str, Any]:
        n = int(parse_qs(urlsplit(request.url).query).get("cursor", ["0"])[0])
        return {"versions": [_version(100 - n)], "links": {"next": f"{VERSIONS}?cursor={n + 1}"}}

    requests_mock.get(VERSIONS, json=respond)
    with pytest.raises(ApiError) as info:
        make_client().list_versions("sw-1", max_pages=3)
    assert "more than 3 pages" in info.value.message
    assert "3 versions read" in info.value.message
    assert requests_mock.call_count == 3


def test_a_next_link_back_to_a_read_page_is_refused(requests_mock: Any) -> None:
    requests_mock.get(
        VERSIONS, json={"versions": [_version(1)], "links": {"next": f"{VERSIONS}?limit=50"}}
    )
    with pytest.raises(ApiError, match="already read"):
        make_client().list_versions("sw-1")
    assert requests_mock.call_count == 1


def test_a_page_without_items_is_a_shape_error(requests_mock: Any) -> None:
    requests_mock.get(VERSIONS, json={"data": []})
    with pytest.raises(ApiError, match="not a list of version objects"):
        make_client().list_versions("sw-1")


def test_a_failing_page_is_retried_as_a_get(requests_mock: Any) -> None:
    clock = FakeClock()
    requests_mock.get(
        VERSIONS,
        [{"status_code": 503, "text": "busy"}, {"json": {"versions": [_version(1)]}}],
    )
    assert len(make_client(clock).list_versions("sw-1")) == 1
    assert clock.sleeps == [1.0]


# ------------------------------------------------------------------ create version


def test_create_version_posts_the_body_as_json(requests_mock: Any) -> None:
    created = {**_body(), "state": "active", "_links": {"self": {"href": "/x"}}}
    requests_mock.post(VERSIONS, status_code=201, json=created)
    assert make_client().create_version("sw-1", _body()) == created
    sent = requests_mock.last_request
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(consume(sent)) == _body()


def test_400_shows_every_field_error_and_the_body_sent(requests_mock: Any) -> None:
    errors = [
        {"code": "INVALID", "message": f"problem number {n} " + "x" * 80, "path": f"field{n}"}
        for n in range(8)
    ]
    requests_mock.post(
        VERSIONS,
        text=_json_answer(400, {"code": "VALIDATION_FAILED", "message": "bad", "errors": errors}),
    )
    body = _body(changelog={"releaseNotes": f"oops {TOKEN}"})
    with pytest.raises(ApiError) as info:
        make_client().create_version("sw-1", body)
    error = info.value
    assert error.status == 400
    assert "VALIDATION_FAILED: bad" in error.message
    for n in range(8):  # all of them, beyond the 500 characters of a plain server message
        assert f"field{n}: problem number {n}" in error.message
    assert 'body sent: {"buildNumber": 1004002' in error.message
    assert '"artifactId": "art-1"' in error.message
    assert TOKEN not in error.message and TOKEN not in (error.server_message or "")
    assert error.hint is not None and "fix the fields" in error.hint
    assert requests_mock.call_count == 1


def test_a_huge_body_is_shown_truncated(requests_mock: Any) -> None:
    requests_mock.post(VERSIONS, text=_json_answer(400, {"code": "VALIDATION_FAILED"}))
    with pytest.raises(ApiError) as info:
        make_client().create_version("sw-1", _body(changelog={"releaseNotes": "n" * 50_000}))
    assert "body sent: {" in info.value.message
    assert info.value.message.endswith("...")
    assert len(info.value.message) < 3000


@pytest.mark.parametrize(
    ("status", "code"), [(409, "DUPLICATE_VERSION"), (400, "DUPLICATE_VERSION"), (409, "CONFLICT")]
)
def test_duplicates_get_the_duplicate_hint(requests_mock: Any, status: int, code: str) -> None:
    body = {
        "code": code,
        "message": "version not created",
        "errors": [{"code": "D", "message": "build number 1004002 exists", "path": "buildNumber"}],
    }
    requests_mock.post(VERSIONS, text=_json_answer(status, body))
    with pytest.raises(ApiError) as info:
        make_client().create_version("sw-1", _body())
    assert info.value.status == status
    assert "buildNumber: build number 1004002 exists" in info.value.message
    assert info.value.hint is not None and "exists already" in info.value.hint
    assert requests_mock.call_count == 1


def test_5xx_after_sending_says_the_version_may_exist(requests_mock: Any) -> None:
    requests_mock.post(VERSIONS, text=_json_answer(500, {"code": "INTERNAL_ERROR"}))
    with pytest.raises(ApiError) as info:
        make_client().create_version("sw-1", _body())
    assert "may have been created anyway" in info.value.message
    assert "GET /rest/3/app-software/sw-1/versions" in info.value.message
    assert requests_mock.call_count == 1  # never retried: it may have been stored


def test_read_timeout_after_sending_is_not_retried(requests_mock: Any) -> None:
    def respond(request: Any, context: Any) -> str:
        consume(request)
        raise read_timeout()

    requests_mock.post(VERSIONS, text=respond)
    with pytest.raises(TransportError) as info:
        make_client().create_version("sw-1", _body())
    assert info.value.hint is not None
    assert "GET /rest/3/app-software/sw-1/versions" in info.value.hint
    assert requests_mock.call_count == 1


def test_create_is_retried_when_nothing_can_be_stored(requests_mock: Any) -> None:
    clock = FakeClock()
    ok = {**_body(), "state": "active"}
    requests_mock.post(
        VERSIONS,
        [
            {"exc": refused()},
            {"text": _json_answer(503, {"code": "BUSY"}, {"Retry-After": "7"})},
            {"status_code": 201, "json": ok},
        ],
    )
    assert make_client(clock).create_version("sw-1", _body()) == ok
    assert clock.sleeps == [1.0, 7.0]


# ------------------------------------------------------------------ versions, listings


def test_get_version_and_its_404(requests_mock: Any) -> None:
    requests_mock.get(f"{VERSIONS}/1004002", json=_version(1004002))
    assert make_client().get_version("sw-1", 1004002)["buildNumber"] == 1004002
    requests_mock.get(f"{VERSIONS}/7", status_code=404, json={"code": "NOT_FOUND"})
    with pytest.raises(ApiError) as info:
        make_client().get_version("sw-1", 7)
    assert info.value.hint is not None and "build number 7" in info.value.hint


def test_publish_listing_posts_to_the_build_number(requests_mock: Any) -> None:
    answer = {"state": "public", "approvalStatus": "approved", "revision": 1}
    requests_mock.post(f"{VERSIONS}/1004002/listing", json=answer)
    body = {"state": "public", "screenshots": [{"imageId": "img-1", "caption": "Board"}]}
    assert make_client().publish_listing("sw-1", 1004002, body) == answer
    assert json.loads(consume(requests_mock.last_request)) == body


def test_listing_400_shows_the_field_and_the_body(requests_mock: Any) -> None:
    errors = [{"code": "UNKNOWN_IMAGE", "message": "no image", "path": "screenshots[0].imageId"}]
    requests_mock.post(
        f"{VERSIONS}/5/listing",
        text=_json_answer(400, {"code": "VALIDATION_FAILED", "errors": errors}),
    )
    with pytest.raises(ApiError) as info:
        make_client().publish_listing(
            "sw-1", 5, {"state": "public", "screenshots": [{"imageId": "zz"}]}
        )
    assert "screenshots[0].imageId: no image" in info.value.message
    assert '"imageId": "zz"' in info.value.message


def test_listing_of_unknown_build_gets_a_hint(requests_mock: Any) -> None:
    requests_mock.post(f"{VERSIONS}/5/listing", text=_json_answer(404, {"code": "NOT_FOUND"}))
    with pytest.raises(ApiError) as info:
        make_client().publish_listing("sw-1", 5, {"state": "public"})
    assert info.value.hint is not None and "build number" in info.value.hint


def test_get_listing_reads_the_versions_listing(requests_mock: Any) -> None:
    listing = {"state": "PUBLIC", "approvalStatus": "APPROVED", "revision": 2, "youtubeId": "x"}
    requests_mock.get(f"{VERSIONS}/100/listing", json=listing)
    assert make_client().get_listing("sw-1", 100) == listing


def test_get_listing_404_and_a_non_object_answer_are_api_errors(requests_mock: Any) -> None:
    requests_mock.get(f"{VERSIONS}/5/listing", status_code=404, json={"code": "NOT_FOUND"})
    with pytest.raises(ApiError) as info:
        make_client().get_listing("sw-1", 5)
    assert info.value.status == 404
    requests_mock.get(f"{VERSIONS}/6/listing", json=["not", "a", "listing"])
    with pytest.raises(ApiError):
        make_client().get_listing("sw-1", 6)

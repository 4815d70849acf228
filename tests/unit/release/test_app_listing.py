"""The app listing stage: read-modify-write of the app listing's images (the whole
listing sent back as read), a stale revision not overwritten, and what stops the run
before any upload."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.config.model import AppListingSpec, ImageSpec
from release_publisher.errors import ApiError, ConfigError, VerificationError
from release_publisher.preflight.model import LocalImage, Plan
from release_publisher.release.app_listing import AppListingStage
from release_publisher.release.run import Run, new_result

from ..fakes import KEY, FakeApi, FakePhases, make_plan, publish_run
from ..marketplace.helpers import BASE, consume, make_client

DEV = "0b5c1e2a-7f3d-4e55-9a0b-3c2d1e0f4a5b"
PID = "5e6f7a8b-0000-4000-8000-000000000001"
LISTING: dict[str, Any] = {
    "productId": PID,
    "appKey": KEY,
    "developerId": DEV,
    "appName": "Hello",
    "summary": "Says hello",
    "tagLine": "Hello, world",
    "images": {"iconFileId": "old-icon", "titleLogoFileId": "logo-1", "bannerFileId": None},
    "tags": {"category": ["admin-tools"], "keywords": ["a", "b"]},
    "communityEnabled": True,
    "developerLinks": {"documentation": "https://example.com/docs"},
    "thirdPartyIntegrations": [{"name": "x"}],
    "state": "public",
    "approvalStatus": "approved",
    "approvalDetails": {"reason": None},
    "slug": "hello",
    "cloudComplianceBoundary": [],
    "hostingVisibility": {"datacenter": True},
    "marketingLabels": ["new"],
    "aFieldThisToolDoesNotKnow": {"nested": [1, 2, {"k": "v"}]},
    "revision": 7,
}


def icon_plan(tmp_path: Path, *, icons: int = 1) -> Plan:
    plan = make_plan(tmp_path, images=1, spacing=0)
    extra = []
    for i in range(icons):
        path = tmp_path / f"icon{i}.png"
        path.write_bytes(b"\x89PNG icon")
        extra.append(
            LocalImage(
                spec=ImageSpec(type="icon", file="icon*.png"),
                path=path,
                size=9,
                format="png",
                width=144,
                height=144,
            )
        )
    config = dataclasses.replace(
        plan.config,
        images=(*plan.config.images, *(i.spec for i in extra)),
        app_listing=AppListingSpec(developer_id=DEV, images=(("icon", "icon"),)),
    )
    return Plan(config=config, artifacts=plan.artifacts, images=(*plan.images, *extra))


def fake(clock: FakeClock, listing: dict[str, Any] | None = None) -> FakeApi:
    api = FakeApi(clock)
    api.developer_apps = [
        {"productId": "other", "appKey": "com.x"},
        {"productId": PID, "appKey": KEY},
    ]
    api.app_listings = {PID: copy.deepcopy(listing or LISTING)}
    return api


def test_put_body_is_the_get_body_with_only_the_icon_changed(tmp_path: Path) -> None:
    clock = FakeClock()
    api = fake(clock)
    result, _saved, error = publish_run(icon_plan(tmp_path), api, clock)
    assert error is None
    icon_id = next(i.id for i in result.images if i.type == "icon")
    ((product, body),) = api.put_bodies
    assert product == PID
    assert set(body) == set(LISTING)
    for name, value in LISTING.items():  # field by field, as read
        if name != "images":
            assert body[name] == value, name
    assert body["images"] == {**LISTING["images"], "iconFileId": icon_id}
    assert result.app_listing is not None and result.app_listing.status == "updated"
    assert result.app_listing.revision == 8
    assert result.app_listing_outputs() == {"app-listing-updated": "true"}
    # the order: images uploaded before the listing is written
    kinds = [c[0] for c in api.calls]
    assert kinds.index("image") < kinds.index("put-app-listing")


def test_through_the_real_client_the_put_body_equals_the_get_body(
    tmp_path: Path, requests_mock: Any
) -> None:
    clock = FakeClock()
    space = f"{BASE}/rest/3/product-listing/developer-space/{DEV}"
    requests_mock.get(
        f"{space}?limit=50&includePrivate=true",
        json={"items": [{"productId": "p0", "appKey": "com.x"}], "links": {"next": f"{space}?c=2"}},
    )
    requests_mock.get(f"{space}?c=2", json={"items": [{"productId": PID, "appKey": KEY}]})
    requests_mock.get(f"{BASE}/rest/3/product-listing/{PID}", json=LISTING)
    stored = copy.deepcopy(LISTING) | {"revision": 8}
    stored["images"] = {**LISTING["images"], "iconFileId": "img-1"}
    bodies: list[bytes] = []

    def answer(request: Any, context: Any) -> dict[str, Any]:
        bodies.append(consume(request))
        return stored

    requests_mock.put(f"{BASE}/rest/3/product-listing/{PID}", json=answer)
    plan = icon_plan(tmp_path)
    result = new_result(plan)
    result.images[-1].id = "img-1"
    run = Run(plan=plan, api=make_client(clock), clock=clock, result=result, phases=FakePhases())
    stage = AppListingStage()
    stage.plan(run)
    stage.apply(run)
    (raw,) = bodies
    sent = json.loads(raw)
    assert sent == {**LISTING, "images": {**LISTING["images"], "iconFileId": "img-1"}}
    assert result.app_listing is not None and result.app_listing.status == "updated"


def test_nothing_to_change_sends_no_put(tmp_path: Path) -> None:
    clock = FakeClock()
    api = fake(clock)
    plan = icon_plan(tmp_path)
    result = new_result(plan)
    result.images[-1].id = "old-icon"
    run = Run(plan=plan, api=api, clock=clock, result=result, phases=FakePhases())
    stage = AppListingStage()
    stage.plan(run)
    stage.apply(run)
    assert api.put_bodies == []
    assert result.app_listing is not None and result.app_listing.status == "unchanged"
    assert result.app_listing_outputs() == {"app-listing-updated": "false"}


def test_the_write_uses_the_listing_read_right_before_it(tmp_path: Path) -> None:
    clock = FakeClock()
    api = fake(clock)
    plan = icon_plan(tmp_path)
    result = new_result(plan)
    run = Run(plan=plan, api=api, clock=clock, result=result, phases=FakePhases())
    stage = AppListingStage()
    stage.plan(run)
    # someone else edits the listing between the plan and the write
    api.app_listings[PID] = copy.deepcopy(LISTING) | {"revision": 9, "tagLine": "theirs"}
    result.images[-1].id = "img-1"
    stage.apply(run)
    ((_product, body),) = api.put_bodies
    assert body["revision"] == 9 and body["tagLine"] == "theirs"


def test_a_stale_revision_answer_is_a_clear_error(tmp_path: Path) -> None:
    clock = FakeClock()
    api = fake(clock)

    def refuse(product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        raise ApiError("PUT ...: HTTP 409 STALE_REVISION", status=409)

    api.put_app_listing = refuse  # type: ignore[method-assign]
    result, _saved, error = publish_run(icon_plan(tmp_path), api, clock)
    assert isinstance(error, ApiError)
    assert "NOT overwritten" in error.message and "revision 7" in error.message
    assert error.hint is not None and "run the release again" in error.hint
    assert result.app_listing is not None and result.app_listing.status == "failed"


def test_answer_without_the_ids_sent_is_a_verification_failure(tmp_path: Path) -> None:
    clock = FakeClock()
    api = fake(clock)
    api.put_app_listing = lambda product_id, body: copy.deepcopy(LISTING)  # type: ignore[method-assign]
    _result, _saved, error = publish_run(icon_plan(tmp_path), api, clock)
    assert isinstance(error, VerificationError)
    assert "iconFileId" in error.message


@pytest.mark.parametrize(
    ("change", "kind", "words"),
    [
        ({"approvalStatus": "rejected"}, VerificationError, "rejected"),
        ({"appKey": "com.example.other"}, VerificationError, "not 'com.example.hello'"),
    ],
)
def test_a_listing_that_blocks_stops_before_any_upload(
    tmp_path: Path, change: dict[str, Any], kind: type[Exception], words: str
) -> None:
    clock = FakeClock()
    api = fake(clock, LISTING | change)
    _result, _saved, error = publish_run(icon_plan(tmp_path), api, clock)
    assert isinstance(error, kind) and words in str(error)
    assert not [c for c in api.calls if c[0] in ("upload", "image", "put-app-listing")]


def test_app_missing_from_the_developer_space_is_exit_2(tmp_path: Path) -> None:
    clock = FakeClock()
    api = fake(clock)
    api.developer_apps = [{"productId": "p", "appKey": "com.example.hallo"}]
    _result, _saved, error = publish_run(icon_plan(tmp_path), api, clock)
    assert isinstance(error, ConfigError) and error.exit_code == 2
    assert "closest: com.example.hallo" in str(error)
    assert not [c for c in api.calls if c[0] in ("upload", "image")]


@pytest.mark.parametrize("icons", [0, 2])
def test_an_image_type_needs_exactly_one_image(tmp_path: Path, icons: int) -> None:
    clock = FakeClock()
    api = fake(clock)
    _result, _saved, error = publish_run(icon_plan(tmp_path, icons=icons), api, clock)
    assert isinstance(error, ConfigError) and "exactly one is needed" in str(error)
    assert api.calls == []  # refused before any request


def test_without_the_section_no_app_listing_request(tmp_path: Path) -> None:
    clock = FakeClock()
    api = fake(clock)
    plan = make_plan(tmp_path, images=1, spacing=0)
    result, _saved, error = publish_run(plan, api, clock)
    assert error is None
    assert not [c for c in api.calls if "listing" in c[0] or c[0] == "developer-space"]
    assert "appListing" not in result.to_dict()
    assert result.app_listing_outputs() == {"app-listing-updated": ""}

"""The listing image endpoint, over werkzeug's test Client."""

from __future__ import annotations

from werkzeug.test import Client

from release_publisher.limits import IMAGE_DIMENSIONS
from release_publisher.sandbox.wsgi import SandboxApp
from release_publisher.testing import (
    gif_bytes,
    png_bytes,
)

from .conftest import MakeApp, error_of, js, upload


def test_image_upload_returns_media(client: Client, app: SandboxApp) -> None:
    png = png_bytes(144, 144)
    resp = upload(client, png, "logo.png", path="/rest/3/assets/images/icon")
    assert resp.status_code == 200
    body = js(resp)
    assert body["mediaType"] == "image" and body["mimeType"] == "image/png"
    assert body["name"] == "logo.png" and body["size"] == len(png)
    assert isinstance(body["id"], str) and body["id"]
    [stored] = app.store.images()
    assert stored.image_type == "icon" and app.store.image_path(stored.id).read_bytes() == png


def test_any_lowercase_slug_image_type_is_accepted(client: Client) -> None:
    resp = upload(client, gif_bytes(), "t.gif", path="/rest/3/assets/images/highlight-thumbnail")
    assert resp.status_code == 200 and js(resp)["mimeType"] == "image/gif"


def test_image_is_checked_by_magic_bytes_not_name(client: Client) -> None:
    resp = upload(
        client,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "logo.png",
        path="/rest/3/assets/images/icon",
    )
    assert resp.status_code == 400
    code, message = error_of(js(resp))
    assert code == "VALIDATION_FAILED" and "logo.png" in message


def test_image_type_must_be_a_lowercase_slug(client: Client) -> None:
    resp = upload(client, png_bytes(), "a.png", path="/rest/3/assets/images/Banner")
    assert resp.status_code == 400
    assert "Banner" in error_of(js(resp))[1]


def test_strict_sizes_refuse_a_banner_one_pixel_short_and_store_nothing(
    make_app: MakeApp,
) -> None:
    app = make_app(image_sizes="strict")
    client = Client(app)
    resp = upload(client, png_bytes(1120, 547), "banner.png", path="/rest/3/assets/images/banner")
    assert resp.status_code == 400
    code, message = error_of(js(resp))
    assert code == "VALIDATION_FAILED"
    assert "expected 1120x548, got 1120x547" in message and "'banner'" in message
    assert app.store.images() == []


def test_strict_sizes_take_the_known_size_and_types_without_one(make_app: MakeApp) -> None:
    client = Client(make_app(image_sizes="strict"))
    for image_type, (width, height) in IMAGE_DIMENSIONS.items():
        resp = upload(
            client, png_bytes(width, height), "a.png", path=f"/rest/3/assets/images/{image_type}"
        )
        assert resp.status_code == 200, (image_type, resp.get_data(as_text=True))
    resp = upload(client, png_bytes(640, 401), "s.png", path="/rest/3/assets/images/screenshot")
    assert resp.status_code == 200


def test_strict_sizes_refuse_an_icon_whose_dimensions_cannot_be_read(make_app: MakeApp) -> None:
    client = Client(make_app(image_sizes="strict"))
    resp = upload(client, png_bytes(144, 144)[:20], "i.png", path="/rest/3/assets/images/icon")
    assert resp.status_code == 400
    assert "cannot be read" in error_of(js(resp))[1]


def test_sizes_are_not_checked_by_default(client: Client) -> None:
    resp = upload(client, png_bytes(1120, 547), "banner.png", path="/rest/3/assets/images/banner")
    assert resp.status_code == 200

"""Listing image checks: globs, magic bytes, dimensions, warnings."""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import pytest

import release_publisher.preflight.run as preflight_module
from release_publisher.limits import IMAGE_LIMIT
from release_publisher.preflight import images as images_module
from release_publisher.preflight.images import KNOWN_IMAGE_TYPES, sniff_image_format
from release_publisher.testing import build_plugin_jar, gif_bytes, png_bytes, write_png

from .helpers import make_config, plan_of, preflight_error


def bmp_bytes(width: int, height: int) -> bytes:
    """A minimal BMP header (BITMAPINFOHEADER), enough for type and size detection."""
    header = struct.pack("<2sIHHI", b"BM", 54, 0, 0, 54)
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 0, 0, 0, 0)
    return header + dib


JPEG_HEADER = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xc0\x00\x11\x08"
    + struct.pack(">HH", 548, 1120)
    + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9"
)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    build_plugin_jar(tmp_path / "hello.jar")
    return tmp_path


def test_images_are_sorted_with_formats_and_dimensions(base: Path) -> None:
    write_png(base / "shots" / "b.png", 800, 500)
    (base / "shots" / "a.gif").write_bytes(gif_bytes(640, 400))
    (base / "shots" / "c.bmp").write_bytes(bmp_bytes(320, 200))
    (base / "shots" / "d.jpg").write_bytes(JPEG_HEADER)
    write_png(base / "icon.png")
    config = make_config(
        base, "hello.jar", images=(("icon", "icon.png"), ("screenshot", "shots/*"))
    )
    plan = plan_of(config)
    got = [(i.type, i.path.name, i.format, i.width, i.height) for i in plan.images]
    assert got == [
        ("icon", "icon.png", "png", 144, 144),
        ("screenshot", "a.gif", "gif", 640, 400),
        ("screenshot", "b.png", "png", 800, 500),
        ("screenshot", "c.bmp", "bmp", 320, 200),
        ("screenshot", "d.jpg", "jpeg", 1120, 548),
    ]
    assert plan.images[0].size == len(png_bytes())
    assert plan.warnings == ()


def test_image_glob_matching_nothing_lists_the_directory(base: Path) -> None:
    (base / "listing").mkdir()
    (base / "listing" / "logo.svg").write_text("<svg/>")
    err = preflight_error(make_config(base, "hello.jar", images=(("logo", "listing/*.png"),)))
    assert "no file matches 'listing/*.png'" in err.message
    assert "logo.svg" in err.message
    assert err.location is not None and err.location.field == "images[0].file"
    assert "images[0] (logo)" in err.message


def test_non_image_names_the_file_and_its_start(base: Path) -> None:
    (base / "banner.png").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    err = preflight_error(make_config(base, "hello.jar", images=(("banner", "banner.png"),)))
    assert "banner.png is not a PNG, JPEG, GIF or BMP image" in err.message
    assert 'starts with "<svg xmlns=\'http://www.w3.org/20..."' in err.message


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda p: p.write_bytes(b""), "icon.png is empty (0 bytes)"),
        (lambda p: p.mkdir(), "icon.png is a directory, not a file"),
    ],
)
def test_each_image_must_be_a_regular_non_empty_file(
    base: Path, setup: object, expected: str
) -> None:
    assert callable(setup)
    setup(base / "icon.png")
    err = preflight_error(make_config(base, "hello.jar", images=(("icon", "icon.png"),)))
    assert expected in err.message


def test_unknown_type_and_a_wrong_size_downgraded_to_warn_are_warnings(base: Path) -> None:
    write_png(base / "icon.png", 100, 100)
    write_png(base / "banner.png", 1120, 548)
    write_png(base / "x.png", 10, 10)
    config = make_config(
        base,
        "hello.jar",
        images=(("icon", "icon.png"), ("banner", "banner.png"), ("sparkle", "x.png")),
    )
    icon = dataclasses.replace(config.images[0], on_size_mismatch="warn")
    config = dataclasses.replace(config, images=(icon, *config.images[1:]))
    plan = plan_of(config)
    assert len(plan.images) == 3
    assert plan.warnings == (
        "images[0]: icon.png: expected 144x144 pixels for image type 'icon' (Atlassian's"
        " listing guides), got 100x100 (on-size-mismatch: warn)",
        "images[2]: image type 'sparkle' is not a known one ("
        + ", ".join(KNOWN_IMAGE_TYPES)
        + "); uploading anyway, and Marketplace may refuse it",
    )


@pytest.mark.parametrize(
    ("image_type", "size", "expected"),
    [
        pytest.param("banner", (1120, 547), "expected 1120x548 pixels", id="banner-one-short"),
        pytest.param("icon", (100, 100), "expected 144x144 pixels", id="icon"),
        pytest.param("logo", (145, 144), "expected 144x144 pixels", id="logo"),
    ],
)
def test_a_known_image_type_in_another_size_fails_preflight(
    base: Path, image_type: str, size: tuple[int, int], expected: str
) -> None:
    """Issue 16.2: refused before the first upload, not by the server after it."""
    write_png(base / "img.png", *size)
    err = preflight_error(make_config(base, "hello.jar", images=((image_type, "img.png"),)))
    assert err.exit_code == 3
    assert f"{expected} for image type {image_type!r}" in err.message
    assert f"got {size[0]}x{size[1]}" in err.message
    assert "on-size-mismatch: warn" in (err.hint or "")


def test_types_without_a_known_size_take_any_size(base: Path) -> None:
    write_png(base / "shot.png", 1121, 547)
    plan = plan_of(make_config(base, "hello.jar", images=(("screenshot", "shot.png"),)))
    assert plan.warnings == ()


def test_an_image_over_the_image_limit_fails_with_its_own_hint(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15.13: a 30 MiB image passed with a warning, the artifact was uploaded,
    then the image got 413 with the 250 MB artifact hint."""
    shot = write_png(base / "shot.png", 200, 200)
    with shot.open("r+b") as fh:  # a sparse 30 MiB file: only stat() sees its size
        fh.truncate(30 * 1024 * 1024)
    err = preflight_error(make_config(base, "hello.jar", images=(("screenshot", "shot.png"),)))
    assert err.exit_code == 3
    assert "a listing image may be at most 26.2 MB (25.0 MiB)" in err.message
    assert "not published" in err.message
    assert "250" not in err.message + (err.hint or "")
    assert err.hint == IMAGE_LIMIT.hint
    assert err.location is not None and err.location.field == "images[0].file"


def test_extension_not_matching_content_is_a_warning(base: Path) -> None:
    (base / "shot.jpg").write_bytes(png_bytes(20, 20))
    plan = plan_of(make_config(base, "hello.jar", images=(("screenshot", "shot.jpg"),)))
    assert plan.images[0].format == "png"
    assert plan.warnings == (
        "images[0]: shot.jpg is a PNG image but named .jpg; Marketplace may tell the type"
        " by the name",
    )


def test_large_image_warns(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images_module, "LARGE_IMAGE_BYTES", 100)
    write_png(base / "shot.png", 200, 200)
    plan = plan_of(make_config(base, "hello.jar", images=(("screenshot", "shot.png"),)))
    assert any("large for a listing image" in w for w in plan.warnings)


def test_damaged_header_gives_unknown_dimensions_with_a_warning(base: Path) -> None:
    (base / "shot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 4)
    plan = plan_of(make_config(base, "hello.jar", images=(("screenshot", "shot.png"),)))
    assert (plan.images[0].width, plan.images[0].height) == (None, None)
    assert plan.warnings == ("images[0]: could not read the dimensions of shot.png",)


def test_bmp_needs_a_plausible_header() -> None:
    assert sniff_image_format(bmp_bytes(1, 1)) == "bmp"
    assert sniff_image_format(b"BMW owners manual, chapter one") is None


def test_images_are_checked_after_artifacts(base: Path) -> None:
    (base / "bad.png").write_text("nope")
    err = preflight_error(make_config(base, "missing.jar", images=(("icon", "bad.png"),)))
    assert err.location is not None and err.location.field == "artifacts[0].file"


def test_uploads_over_the_upload_budget_give_a_warning(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over Marketplace's ~750 MB per 2 hours the run would meet 429 part way (15.13);
    the budget is 'about', so a warning. The budget is lowered to the files' size."""
    write_png(base / "shot.png", 200, 200)
    config = make_config(base, "hello.jar", images=(("screenshot", "shot.png"),))
    total = (base / "hello.jar").stat().st_size + (base / "shot.png").stat().st_size
    monkeypatch.setattr(preflight_module, "UPLOAD_BUDGET_BYTES", total)
    assert not any("upload budget" in w for w in plan_of(config).warnings)
    monkeypatch.setattr(preflight_module, "UPLOAD_BUDGET_BYTES", total - 1)
    found = [w for w in plan_of(config).warnings if "upload budget" in w]
    assert len(found) == 1 and "--resume" in found[0] and "per 2 hours" in found[0]

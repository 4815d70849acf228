"""What the sandbox reads out of artifacts (details) and images (magic bytes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.sandbox.inspect import Unidentifiable, read_details, sniff_image
from release_publisher.testing import (
    build_connect_descriptor,
    build_obr,
    build_plugin_jar,
    gif_bytes,
    manifest,
    plugin_xml,
    png_bytes,
)


def test_jar_details_come_from_atlassian_plugin_xml(tmp_path: Path) -> None:
    jar = build_plugin_jar(
        tmp_path / "a.jar",
        "com.example.a",
        "3.1.0",
        name="Alpha",
        manifest_text=manifest("com.example.other", "9.9.9"),
    )
    details = read_details(jar)
    assert (details["key"], details["name"], details["version"]) == (
        "com.example.a",
        "Alpha",
        "3.1.0",
    )
    assert details["addOnType"] == "PLUGINS_2" and details["remotable"] is False


def test_transformerless_jar_uses_the_manifest(tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "a.jar", "com.example.tl", "1.0.0", with_descriptor=False)
    details = read_details(jar)
    assert (details["key"], details["version"]) == ("com.example.tl", "1.0.0")


def test_unreplaced_placeholders_are_reported_verbatim(tmp_path: Path) -> None:
    jar = build_plugin_jar(
        tmp_path / "a.jar", descriptor=plugin_xml("com.example.a", "${project.version}")
    )
    assert read_details(jar)["version"] == "${project.version}"


def test_data_center_and_licensing_params(tmp_path: Path) -> None:
    xml = plugin_xml("com.example.dc", "1.0").replace(
        "  </plugin-info>",
        '    <param name="atlassian-data-center-status">compatible</param>\n'
        '    <param name="atlassian-licensing-enabled">true</param>\n  </plugin-info>',
    )
    details = read_details(build_plugin_jar(tmp_path / "a.jar", descriptor=xml))
    assert details["dataCenterCompatible"] is True
    assert details["dataCenterStatus"] == "compatible"
    assert details["licensingEnabled"] is True


def test_obr_details_come_from_the_plugin_jar_inside(tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "p.jar", "com.example.obr", "2.0.0")
    obr = build_obr(tmp_path / "p.obr", jar, extra_jars={"dep.jar": b"not a plugin"})
    assert read_details(obr)["key"] == "com.example.obr"


def test_connect_descriptor_key(tmp_path: Path) -> None:
    details = read_details(build_connect_descriptor(tmp_path / "c.json", "com.example.c"))
    assert details["key"] == "com.example.c" and details["remotable"] is True


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"plain text", "neither a zip nor JSON"),
        (b'{"name": "no key"}', '"key"'),
        (b"[1, 2]", '"key"'),
    ],
)
def test_unidentifiable_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(content)
    with pytest.raises(Unidentifiable, match=reason):
        read_details(path)


def test_zip_without_any_descriptor_is_unidentifiable(tmp_path: Path) -> None:
    jar = build_plugin_jar(
        tmp_path / "a.jar", with_descriptor=False, manifest_text="Manifest-Version: 1.0\r\n\r\n"
    )
    with pytest.raises(Unidentifiable, match=r"no atlassian-plugin\.xml"):
        read_details(jar)


def test_malformed_and_hostile_xml_is_refused(tmp_path: Path) -> None:
    broken = build_plugin_jar(tmp_path / "b.jar", descriptor="<atlassian-plugin key='a'>")
    with pytest.raises(Unidentifiable, match="not well-formed"):
        read_details(broken)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><atlassian-plugin key="&b;"/>'
    )
    with pytest.raises(Unidentifiable):
        read_details(build_plugin_jar(tmp_path / "e.jar", descriptor=bomb))


def test_sniff_image() -> None:
    assert sniff_image(png_bytes()[:16]) == "image/png"
    assert sniff_image(gif_bytes()[:16]) == "image/gif"
    assert sniff_image(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert sniff_image(b"BM\x00\x00") == "image/bmp"
    assert sniff_image(b"<svg") is None

"""Reading the app identity from JAR/OBR/JWB/Connect artifacts, checking it against
the config, and refusing hostile inputs (XML and zip bombs)."""

from __future__ import annotations

import io
import json
import random
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from release_publisher.errors import FileCheckError
from release_publisher.preflight import zips
from release_publisher.preflight.descriptors import (
    parse_manifest,
    read_descriptor,
    read_descriptor_bytes,
)
from release_publisher.preflight.model import Descriptor
from release_publisher.testing import (
    CLASS_BYTES,
    build_connect_descriptor,
    build_obr,
    build_plugin_jar,
    manifest,
    plugin_xml,
)
from tests.hostile import BILLION_LAUGHS

from .helpers import APP_KEY, make_config, plan_of, preflight_error

EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<atlassian-plugin key="&xxe;" name="x"/>\n'
)


def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of entry ``name`` in its local and central
    headers (a lying zip)."""
    out = bytearray(data)
    raw = name.encode()
    local = out.index(b"PK\x03\x04" + bytes(22)[:0])
    while out[local + 30 : local + 30 + len(raw)] != raw:
        local = out.index(b"PK\x03\x04", local + 1)
    struct.pack_into("<L", out, local + 22, size)
    central = out.index(b"PK\x01\x02")
    while out[central + 46 : central + 46 + len(raw)] != raw:
        central = out.index(b"PK\x01\x02", central + 1)
    struct.pack_into("<L", out, central + 24, size)
    return bytes(out)


# --- reading --------------------------------------------------------------------


def test_jar_identity_from_plugin_xml(tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "hello.jar", "com.example.hello", "1.4.2", name="Hello")
    assert read_descriptor(jar) == (
        "jar",
        Descriptor("com.example.hello", "1.4.2", "Hello", "atlassian-plugin.xml"),
    )


def test_manifest_only_jar(tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "hello.jar", with_descriptor=False)
    assert read_descriptor(jar) == (
        "jar",
        Descriptor("com.example.hello", "1.4.2", None, "META-INF/MANIFEST.MF"),
    )
    plan = plan_of(make_config(tmp_path, "hello.jar"))
    assert plan.artifacts[0].descriptor == read_descriptor(jar)[1]


def test_bundle_symbolic_name_with_continuation_lines_and_parameters(tmp_path: Path) -> None:
    text = (
        "Manifest-Version: 1.0\r\n"
        "Bundle-SymbolicName: com.example.a.rather.long.symbolic.name.that.the.jdk.wrap\r\n"
        " s.at.seventy.two;singleton:=true\r\n"
        "Bundle-Version: 2.0.0\r\n"
        "\r\n"
        "Name: com/example/\r\n"
        "Bundle-Version: 9.9.9\r\n"
    )
    jar = build_plugin_jar(tmp_path / "x.jar", with_descriptor=False, manifest_text=text)
    _, found = read_descriptor(jar)
    assert found is not None
    assert found.key == "com.example.a.rather.long.symbolic.name.that.the.jdk.wraps.at.seventy.two"
    assert found.version == "2.0.0"


def test_parse_manifest_line_ends_and_case() -> None:
    attrs = parse_manifest(b"bundle-version: 1\rAtlassian-Plugin-Key: k\n  x\n\nOther: y\n")
    assert attrs == {"bundle-version": "1", "atlassian-plugin-key": "k x"}


def test_plugin_xml_key_wins_and_version_falls_back_to_manifest(tmp_path: Path) -> None:
    xml = '<atlassian-plugin key="com.example.hello" name="Hello"><plugin-info/></atlassian-plugin>'
    jar = build_plugin_jar(
        tmp_path / "hello.jar",
        descriptor=xml,
        manifest_text=manifest("com.example.other", "1.4.2"),
    )
    _, found = read_descriptor(jar)
    assert found == Descriptor(
        "com.example.hello",
        "1.4.2",
        "Hello",
        "atlassian-plugin.xml (key), META-INF/MANIFEST.MF (version)",
    )


def test_obr_reads_the_root_jar_not_dependencies(tmp_path: Path) -> None:
    inner = build_plugin_jar(tmp_path / "build" / "hello-1.4.2.jar")
    dep = build_plugin_jar(tmp_path / "build" / "dep.jar", "com.example.dep", "9.0")
    obr = build_obr(tmp_path / "hello.obr", inner, extra_jars={"dep.jar": dep.read_bytes()})
    kind, found = read_descriptor(obr)
    assert kind == "obr"
    assert found == Descriptor(
        "com.example.hello", "1.4.2", "Hello", "hello.obr!/hello-1.4.2.jar!/atlassian-plugin.xml"
    )
    assert plan_of(make_config(tmp_path, "hello.obr")).artifacts[0].kind == "obr"


def test_obr_named_jar_is_an_obr_with_a_warning(tmp_path: Path) -> None:
    inner = build_plugin_jar(tmp_path / "build" / "hello-1.4.2.jar")
    build_obr(tmp_path / "hello.jar", inner)
    plan = plan_of(make_config(tmp_path, "hello.jar"))
    assert plan.artifacts[0].kind == "obr"
    assert any("holds obr.xml and a plugin JAR" in w for w in plan.warnings)


def test_obr_without_root_jar_or_with_two(tmp_path: Path) -> None:
    write_zip(tmp_path / "none.obr", {"obr.xml": b"<repository/>", "dependencies/d.jar": b"x"})
    err = preflight_error(make_config(tmp_path, "none.obr"))
    assert "none.obr is an OBR without a plugin JAR at its root" in err.message
    jar = build_plugin_jar(tmp_path / "a.jar").read_bytes()
    write_zip(tmp_path / "two.obr", {"obr.xml": b"<r/>", "a.jar": jar, "b.jar": jar})
    err = preflight_error(make_config(tmp_path, "two.obr"))
    assert "holds 2 JARs at its root (a.jar, b.jar)" in err.message


def test_connect_descriptor(tmp_path: Path) -> None:
    path = build_connect_descriptor(tmp_path / "atlassian-connect.json", APP_KEY)
    assert read_descriptor(path) == (
        "connect",
        Descriptor(APP_KEY, None, "Hello Cloud", "descriptor JSON"),
    )
    # Connect carries no version: any app.version passes.
    plan = plan_of(make_config(tmp_path, "*.json", version="7.7.7"))
    assert plan.artifacts[0].kind == "connect"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"key": 12}', "has no string 'key' (found int: '12')"),
        (b'{"name": "x"', "is not valid JSON"),
        (b"[1, 2]", "is not a JSON object (its first non-blank character is not '{')"),
        (b'{"a":' * 50_000, "is not valid JSON"),  # nesting deep enough to recurse
        (b'{"key": "k", "pad": "' + b"x" * (1024 * 1024) + b'"}', "is read up to 1.0 MB"),
    ],
)
def test_bad_connect_descriptors(tmp_path: Path, body: bytes, expected: str) -> None:
    (tmp_path / "connect.json").write_bytes(body)
    err = preflight_error(make_config(tmp_path, "connect.json"))
    assert "connect.json" in err.message
    assert expected in err.message


def test_read_descriptor_bytes_reports_raw_values_for_the_emulator() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("atlassian-plugin.xml", plugin_xml("k", "${project.version}"))
    kind, found = read_descriptor_bytes(buf.getvalue(), "upload.jar")
    assert kind == "jar"
    assert found is not None and found.version == "${project.version}"
    connect = json.dumps({"key": "cloud-app"}).encode()
    assert read_descriptor_bytes(connect, "d.json")[1] == Descriptor(
        "cloud-app", None, None, "descriptor JSON"
    )


def test_jwb_without_identity_is_accepted_with_a_warning(tmp_path: Path) -> None:
    write_zip(tmp_path / "fragments.jwb", {"web/panel.html": b"<div/>"})
    plan = plan_of(make_config(tmp_path, "fragments.jwb"))
    assert (plan.artifacts[0].kind, plan.artifacts[0].descriptor) == ("jwb", None)
    assert any("cannot be checked before upload" in w for w in plan.warnings)


def test_jwb_with_descriptor_is_checked(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "fragments.jwb", version="1.0")
    err = preflight_error(make_config(tmp_path, "fragments.jwb"))
    assert "version '1.0'" in err.message and "JWB was built as 1.0" in (err.hint or "")


def test_jar_without_any_identity_is_refused(tmp_path: Path) -> None:
    build_plugin_jar(
        tmp_path / "lib.jar", with_descriptor=False, manifest_text="Manifest-Version: 1.0\r\n\r\n"
    )
    err = preflight_error(make_config(tmp_path, "lib.jar"))
    assert "carries no app key" in err.message
    assert "Marketplace could not identify it" in err.message


def test_empty_zip_is_refused_as_unidentifiable(tmp_path: Path) -> None:
    (tmp_path / "empty.jar").write_bytes(b"PK\x05\x06" + bytes(18))
    err = preflight_error(make_config(tmp_path, "empty.jar"))
    assert "carries no app key" in err.message


# --- identity checks ------------------------------------------------------------


def test_snapshot_version_is_a_mismatch(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "target" / "hello.jar", version="1.4.2-SNAPSHOT")
    err = preflight_error(make_config(tmp_path, "target/*.jar", version="1.4.2"))
    assert "'1.4.2-SNAPSHOT'" in err.message and "'1.4.2'" in err.message
    assert "from atlassian-plugin.xml" in err.message
    assert err.hint is not None
    assert "app.version says 1.4.2 but the JAR was built as 1.4.2-SNAPSHOT" in err.hint
    assert "SNAPSHOT build" in err.hint


def test_version_from_command_line_is_named_in_the_hint(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "hello.jar", version="1.4.1")
    err = preflight_error(make_config(tmp_path, "hello.jar", version_source="--version"))
    assert "--app-version/--version is '1.4.2'" in err.message
    assert err.hint is not None and err.hint.startswith("--app-version/--version says 1.4.2")


def test_key_differing_in_case_is_a_mismatch(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "hello.jar", key="com.example.Hello")
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "'com.example.Hello'" in err.message and "'com.example.hello'" in err.message
    assert "differ only in letter case" in err.message


def test_obr_mismatch_names_the_nested_source(tmp_path: Path) -> None:
    inner = build_plugin_jar(tmp_path / "b" / "hello-2.0.jar", version="2.0")
    build_obr(tmp_path / "hello.obr", inner)
    err = preflight_error(make_config(tmp_path, "hello.obr"))
    assert "hello.obr!/hello-2.0.jar!/atlassian-plugin.xml" in err.message
    assert "OBR was built as 2.0" in (err.hint or "")


def test_connect_key_mismatch(tmp_path: Path) -> None:
    build_connect_descriptor(tmp_path / "d.json", "com.example.other")
    err = preflight_error(make_config(tmp_path, "d.json"))
    assert "'com.example.other' (from descriptor JSON)" in err.message


def test_missing_version_is_refused(tmp_path: Path) -> None:
    build_plugin_jar(
        tmp_path / "hello.jar",
        descriptor='<atlassian-plugin key="com.example.hello"/>',
        manifest_text="Manifest-Version: 1.0\r\n\r\n",
    )
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "declares no version" in err.message


@pytest.mark.parametrize(
    ("key", "version", "name", "field", "placeholder"),
    [
        ("com.example.hello", "${project.version}", "Hello", "version", "${project.version}"),
        ("${atlassian.plugin.key}", "1.4.2", "Hello", "key", "${atlassian.plugin.key}"),
        ("com.example.hello", "1.4.2", "${project.name}", "name", "${project.name}"),
    ],
)
def test_unreplaced_placeholders_mean_an_unfiltered_build(
    tmp_path: Path, key: str, version: str, name: str, field: str, placeholder: str
) -> None:
    build_plugin_jar(tmp_path / "hello.jar", key, version, name=name)
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert f"the {field} in atlassian-plugin.xml" in err.message
    assert f"placeholder {placeholder}" in err.message
    assert err.hint is not None and "resource filtering" in err.hint


# --- hostile input --------------------------------------------------------------


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_bombs_are_refused(tmp_path: Path, xml: str) -> None:
    build_plugin_jar(tmp_path / "hello.jar", descriptor=xml)
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "atlassian-plugin.xml uses a refused XML construct" in err.message
    assert "EntitiesForbidden" in err.message


def test_malformed_and_foreign_xml(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "a.jar", descriptor="<atlassian-plugin key='k'>")
    assert "is not well-formed XML" in preflight_error(make_config(tmp_path, "a.jar")).message
    build_plugin_jar(tmp_path / "b.jar", descriptor="<project/>")
    err = preflight_error(make_config(tmp_path, "b.jar"))
    assert "the root element of atlassian-plugin.xml is <project>" in err.message


def test_descriptor_inflating_to_50_mb_is_refused_by_declared_size(tmp_path: Path) -> None:
    write_zip(tmp_path / "bomb.jar", {"atlassian-plugin.xml": bytes(50 * 1024 * 1024)})
    assert (tmp_path / "bomb.jar").stat().st_size < 1024 * 1024
    err = preflight_error(make_config(tmp_path, "bomb.jar"))
    assert "atlassian-plugin.xml declares 52.4 MB (50.0 MiB)" in err.message
    assert "zip bomb" in (err.hint or "")


def test_descriptor_lying_about_its_size_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    honest = io.BytesIO()
    with zipfile.ZipFile(honest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("atlassian-plugin.xml", bytes(50 * 1024 * 1024))
    (tmp_path / "liar.jar").write_bytes(
        patch_declared_size(honest.getvalue(), "atlassian-plugin.xml", 1000)
    )
    tracemalloc.start()
    try:
        err = preflight_error(make_config(tmp_path, "liar.jar"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "liar.jar" in err.message
    assert "is not a valid zip file" in err.message or "well-formed" in err.message
    assert peak < 16 * 1024 * 1024


def test_descriptor_declaring_a_huge_size_is_refused_before_reading(tmp_path: Path) -> None:
    data = build_plugin_jar(tmp_path / "ok.jar").read_bytes()
    (tmp_path / "huge.jar").write_bytes(
        patch_declared_size(data, "atlassian-plugin.xml", 3_000_000_000)
    )
    err = preflight_error(make_config(tmp_path, "huge.jar"))
    assert "atlassian-plugin.xml declares 3000.0 MB" in err.message


def test_manifest_is_bounded_too(tmp_path: Path) -> None:
    write_zip(
        tmp_path / "m.jar",
        {"META-INF/MANIFEST.MF": b"Bundle-SymbolicName: " + b"a" * (2 * 1024 * 1024)},
    )
    err = preflight_error(make_config(tmp_path, "m.jar"))
    assert "META-INF/MANIFEST.MF declares" in err.message


def test_nested_jar_over_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zips, "MAX_NESTED_JAR_BYTES", 64 * 1024)
    inner = build_plugin_jar(tmp_path / "b" / "hello.jar", padding=200 * 1024)
    build_obr(tmp_path / "hello.obr", inner)
    err = preflight_error(make_config(tmp_path, "hello.obr"))
    assert "hello.obr!/hello.jar declares" in err.message


def test_nested_jar_that_is_not_a_zip(tmp_path: Path) -> None:
    write_zip(tmp_path / "x.obr", {"obr.xml": b"<r/>", "hello.jar": b"not a zip"})
    err = preflight_error(make_config(tmp_path, "x.obr"))
    assert "x.obr!/hello.jar is not a ZIP archive (first bytes are not PK\\x03\\x04)" in err.message


def test_too_many_zip_entries_are_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zips, "MAX_ZIP_ENTRIES", 2)
    build_plugin_jar(tmp_path / "hello.jar", extra={"x.class": CLASS_BYTES})
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "lists 4 zip entries" in err.message


def test_damaged_artifacts_never_raise_anything_but_file_check_errors(tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "h.jar")
    seeds = [
        (jar.read_bytes(), "h.jar"),
        (build_obr(tmp_path / "h.obr", jar).read_bytes(), "h.obr"),
    ]
    rng = random.Random(20240501)
    for _ in range(300):
        data, name = rng.choice(seeds)
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(damaged))
            if rng.random() < 0.7:
                damaged[pos] = rng.randrange(256)
            else:
                del damaged[pos : pos + rng.randint(1, 40)]
        try:
            read_descriptor_bytes(bytes(damaged), name)
        except FileCheckError as exc:
            assert exc.message and exc.hint

"""Artifacts that different readers read differently (issue 15, items 14 and 15): a zip
comment holding the end-record signature, an identity entry listed twice, a Connect
descriptor with a duplicate key or NaN, and atlassian-plugin.xml disagreeing with the
manifest."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import pytest

from release_publisher.errors import FileCheckError
from release_publisher.preflight.descriptors import read_descriptor, read_descriptor_bytes
from release_publisher.testing import (
    CLASS_BYTES,
    build_obr,
    build_plugin_jar,
    manifest,
    plugin_xml,
)

from .helpers import APP_KEY, VERSION, make_config, plan_of, preflight_error


def _zip_bytes(entries: list[tuple[str, bytes]], *, comment: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries:
                zf.writestr(name, data)
            zf.comment = comment
    return buf.getvalue()


def _plugin_entries(key: str = APP_KEY, version: str = VERSION) -> list[tuple[str, bytes]]:
    return [
        ("META-INF/MANIFEST.MF", manifest(key, version).encode()),
        ("atlassian-plugin.xml", plugin_xml(key, version, "Hello").encode()),
        ("com/example/hello/HelloServlet.class", CLASS_BYTES),
    ]


@pytest.mark.parametrize(
    "comment",
    [
        pytest.param(b"PK\x05\x06", id="signature-only"),
        pytest.param(b"built by CI PK\x05\x06" + b"\xff" * 30, id="signature-then-ff"),
        pytest.param(b"PK\x05\x06" + b"\x00" * 16 + b"\x09\x00 tail", id="fake-record"),
        pytest.param(b"PK\x05\x06" * 300, id="many"),
    ],
)
def test_zip_comment_holding_the_end_record_signature_is_read(
    tmp_path: Path, comment: bytes
) -> None:
    # before: "lists 65535 zip entries (4096 MiB of central directory)" or "no record"
    data = _zip_bytes(_plugin_entries(), comment=comment)
    (tmp_path / "hello.jar").write_bytes(data)
    plan = plan_of(make_config(tmp_path, "hello.jar"))
    descriptor = plan.artifacts[0].descriptor
    assert descriptor is not None and (descriptor.key, descriptor.version) == (APP_KEY, VERSION)
    # the emulator reads an upload the same way
    kind, found = read_descriptor_bytes(data, "hello.jar")
    assert kind == "jar" and found is not None and found.key == APP_KEY


def test_obr_whose_inner_jar_has_such_a_comment_is_read(tmp_path: Path) -> None:
    inner = tmp_path / "b" / "hello.jar"
    inner.parent.mkdir()
    inner.write_bytes(_zip_bytes(_plugin_entries(), comment=b"x PK\x05\x06 y" * 5))
    build_obr(tmp_path / "hello.obr", inner)
    kind, found = read_descriptor(tmp_path / "hello.obr")
    assert kind == "obr" and found is not None and found.version == VERSION


def test_a_truncated_zip_is_still_refused(tmp_path: Path) -> None:
    data = _zip_bytes(_plugin_entries(), comment=b"PK\x05\x06")
    (tmp_path / "hello.jar").write_bytes(data[:-30])
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "not a valid zip file" in err.message


@pytest.mark.parametrize(
    ("duplicate", "name"),
    [
        pytest.param(
            ("atlassian-plugin.xml", plugin_xml("com.evil", VERSION, "X").encode()),
            "atlassian-plugin.xml",
            id="plugin-xml",
        ),
        pytest.param(
            ("META-INF/MANIFEST.MF", manifest("com.evil", "9.9").encode()),
            "META-INF/MANIFEST.MF",
            id="manifest",
        ),
    ],
)
def test_an_identity_entry_listed_twice_is_refused(
    tmp_path: Path, duplicate: tuple[str, bytes], name: str
) -> None:
    (tmp_path / "hello.jar").write_bytes(_zip_bytes([*_plugin_entries(), duplicate]))
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert err.exit_code == 3
    assert f"2 entries named {name}" in err.message
    assert "ZipInputStream" in err.message


def test_an_obr_whose_plugin_jar_holds_two_descriptors_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "b" / "hello.jar"
    inner.parent.mkdir()
    inner.write_bytes(
        _zip_bytes([*_plugin_entries(), ("atlassian-plugin.xml", b"<atlassian-plugin/>")])
    )
    build_obr(tmp_path / "hello.obr", inner)
    with pytest.raises(FileCheckError, match=r"2 entries named atlassian-plugin\.xml"):
        read_descriptor(tmp_path / "hello.obr")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param(
            '{"key": "com.a", "name": "A", "key": "com.b"}',
            "'key' appears twice",
            id="duplicate-key",
        ),
        pytest.param(
            '{"key": "com.a", "modules": {"x": {"url": "/a", "url": "/b"}}}',
            "'url' appears twice",
            id="nested-duplicate",
        ),
        pytest.param('{"key": "com.a", "apiVersion": NaN}', "NaN", id="nan"),
        pytest.param('{"key": "com.a", "x": [Infinity]}', "Infinity", id="infinity"),
        pytest.param('{"key": "com.a", "x": -Infinity}', "-Infinity", id="minus-infinity"),
    ],
)
def test_connect_descriptor_that_readers_disagree_on_is_refused(
    tmp_path: Path, text: str, fragment: str
) -> None:
    (tmp_path / "atlassian-connect.json").write_text(text)
    err = preflight_error(make_config(tmp_path, "atlassian-connect.json", app_key="com.a"))
    assert err.exit_code == 3
    assert fragment in err.message
    with pytest.raises(FileCheckError):
        read_descriptor_bytes(text.encode(), "atlassian-connect.json")


def test_a_plain_connect_descriptor_still_reads(tmp_path: Path) -> None:
    body = {"key": "com.a", "name": "A", "modules": {"x": [{"key": "k1"}, {"key": "k2"}]}}
    (tmp_path / "d.json").write_text(json.dumps(body))
    plan = plan_of(make_config(tmp_path, "d.json", app_key="com.a"))
    assert plan.artifacts[0].kind == "connect"


@pytest.mark.parametrize(
    ("mf_key", "mf_version", "fragment"),
    [
        pytest.param(
            "com.example.other", VERSION, "gives the app key 'com.example.hello' but", id="key"
        ),
        pytest.param(APP_KEY, "1.4.2.SNAPSHOT", "Bundle-Version '1.4.2.SNAPSHOT'", id="version"),
    ],
)
def test_plugin_xml_and_manifest_disagreeing_give_a_warning_naming_both(
    tmp_path: Path, mf_key: str, mf_version: str, fragment: str
) -> None:
    build_plugin_jar(tmp_path / "hello.jar", manifest_text=manifest(mf_key, mf_version))
    plan = plan_of(make_config(tmp_path, "hello.jar"))
    found = [w for w in plan.warnings if "META-INF/MANIFEST.MF" in w]
    assert len(found) == 1, plan.warnings
    assert fragment in found[0]
    assert "atlassian-plugin.xml" in found[0]


def test_agreeing_plugin_xml_and_manifest_give_no_warning(tmp_path: Path) -> None:
    build_plugin_jar(tmp_path / "hello.jar")
    assert plan_of(make_config(tmp_path, "hello.jar")).warnings == ()

"""Artifacts an adversarial review built (hardening): two archives concatenated (data
before the first local header), a descriptor spelled ``./atlassian-plugin.xml`` or
``Atlassian-Plugin.xml``, a file that is no zip at all (``/etc/passwd``: its bytes
are never shown), and descriptor values holding terminal escapes and bidi controls
(shown escaped in the message and the hint)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from release_publisher.preflight.descriptors import read_descriptor_bytes
from release_publisher.testing import CLASS_BYTES, build_plugin_jar, manifest, plugin_xml

from .helpers import APP_KEY, VERSION, make_config, plan_of, preflight_error


def _zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def _jar(key: str = APP_KEY, *, xml_name: str = "atlassian-plugin.xml") -> bytes:
    return _zip_bytes(
        [
            ("META-INF/MANIFEST.MF", manifest(key, VERSION).encode()),
            (xml_name, plugin_xml(key, VERSION).encode()),
            ("com/example/hello/HelloServlet.class", CLASS_BYTES),
        ]
    )


def test_data_before_the_first_local_header_is_refused(tmp_path: Path) -> None:
    # two archives concatenated: Python's zipfile (and Java's ZipFile) read the second
    # archive's entries; ZipInputStream reads from the start: the first archive's
    front = _jar("com.example.other")
    (tmp_path / "hello.jar").write_bytes(front + _jar())
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert f"hello.jar has {len(front):,} bytes before its first zip entry" in err.message
    assert "ZipInputStream" in err.message
    assert err.hint is not None and "nothing may come before its first entry" in err.hint


def test_a_launch_script_in_front_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hello.jar").write_bytes(b'#!/bin/sh\nexec java -jar "$0"\n' + _jar())
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "hello.jar is not a ZIP archive (first bytes are not PK\\x03\\x04)" in err.message
    assert "java" not in err.message


def test_data_before_the_first_local_header_is_refused_by_the_emulator_too() -> None:
    with pytest.raises(Exception, match="bytes before its first zip entry"):
        read_descriptor_bytes(_jar("com.example.other") + _jar(), "hello.jar")


def test_a_plain_jar_still_reads(tmp_path: Path) -> None:
    (tmp_path / "hello.jar").write_bytes(_jar())
    descriptor = plan_of(make_config(tmp_path, "hello.jar")).artifacts[0].descriptor
    assert descriptor is not None and descriptor.key == APP_KEY


@pytest.mark.parametrize(
    "name", ["./atlassian-plugin.xml", "Atlassian-Plugin.xml", "/atlassian-plugin.xml"]
)
def test_a_descriptor_spelled_otherwise_is_not_taken(tmp_path: Path, name: str) -> None:
    (tmp_path / "hello.jar").write_bytes(_jar(xml_name=name))
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert f"hello.jar holds '{name}' but no entry named exactly atlassian-plugin.xml" in (
        err.message
    )
    assert "the descriptor must be the entry atlassian-plugin.xml at the JAR's root" in (
        err.message
    )


def test_a_descriptor_spelled_otherwise_beside_the_real_one_is_refused(tmp_path: Path) -> None:
    build_plugin_jar(
        tmp_path / "hello.jar",
        extra={"./atlassian-plugin.xml": plugin_xml("x.other", VERSION).encode()},
    )
    err = preflight_error(make_config(tmp_path, "hello.jar"))
    assert "holds './atlassian-plugin.xml' beside atlassian-plugin.xml" in err.message


def test_a_file_that_is_no_zip_never_shows_its_bytes(tmp_path: Path) -> None:
    passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
    (tmp_path / "passwd").write_text(passwd)
    (tmp_path / "passwd.jar").write_text(passwd)
    for pattern in ("passwd", "passwd.jar"):
        err = preflight_error(make_config(tmp_path, pattern))
        text = err.message + (err.hint or "")
        assert "first bytes are not PK\\x03\\x04" in err.message
        assert "root" not in text and "72 6f 6f 74" not in text


def _no_raw_controls(*texts: str | None) -> bool:
    return not any(c in (t or "") for t in texts for c in ("\x1b", "\u202e", "\r"))


def test_descriptor_values_with_escapes_and_bidi_controls_are_shown_escaped(
    tmp_path: Path,
) -> None:
    # XML cannot hold ESC (or a raw CR in an attribute); the manifest can hold ESC
    build_plugin_jar(tmp_path / "k" / "hello.jar", key="com.example\u202eevil")
    err = preflight_error(make_config(tmp_path / "k", "hello.jar"))
    assert _no_raw_controls(err.message, err.hint)
    assert "built as com.example\\u202eevil" in (err.hint or "")
    build_plugin_jar(
        tmp_path / "m" / "hello.jar",
        with_descriptor=False,
        manifest_text=manifest(APP_KEY, "1.4.2\x1b[31m\u202e"),
    )
    err = preflight_error(make_config(tmp_path / "m", "hello.jar"))
    assert _no_raw_controls(err.message, err.hint)
    assert "built as 1.4.2\\x1b[31m\\u202e" in (err.hint or "")

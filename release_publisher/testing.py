"""Builders of real app artifacts and images, used by the tests, the demo and the
benchmarks. Standard library only (zipfile, struct, zlib).

A built plugin JAR holds ``META-INF/MANIFEST.MF``, ``atlassian-plugin.xml`` and a
class file, as a Maven build of an Atlassian plugin does.
"""

from __future__ import annotations

import io
import json
import struct
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import Any

#: A minimal valid Java class file header (magic, version 61 = Java 17); enough for a
#: zip listing to look like a real build output. Never executed.
CLASS_BYTES = bytes.fromhex("cafebabe0000003d") + b"\x00" * 24


def plugin_xml(key: str, version: str, name: str = "Hello") -> str:
    """The text of an ``atlassian-plugin.xml`` declaring ``key`` and ``version``."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<atlassian-plugin key="{key}" name="{name}" plugins-version="2">\n'
        "  <plugin-info>\n"
        f"    <description>{name} app</description>\n"
        f"    <version>{version}</version>\n"
        '    <vendor name="Example" url="https://example.com"/>\n'
        "  </plugin-info>\n"
        "</atlassian-plugin>\n"
    )


def manifest(key: str | None, version: str | None, *, symbolic_name: str | None = None) -> str:
    """The text of a ``META-INF/MANIFEST.MF`` (CRLF line endings, as the JDK writes)."""
    lines = ["Manifest-Version: 1.0", "Created-By: release-publisher tests"]
    if symbolic_name or key:
        lines.append(f"Bundle-SymbolicName: {symbolic_name or key}")
    if version:
        lines.append(f"Bundle-Version: {version}")
    if key:
        lines.append(f"Atlassian-Plugin-Key: {key}")
    return "\r\n".join(lines) + "\r\n\r\n"


def build_plugin_jar(
    path: Path,
    key: str = "com.example.hello",
    version: str = "1.4.2",
    *,
    name: str = "Hello",
    descriptor: str | None = None,
    manifest_text: str | None = None,
    with_descriptor: bool = True,
    padding: int = 0,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Write a plugin JAR at ``path`` and return it.

    ``descriptor`` replaces the generated ``atlassian-plugin.xml`` text;
    ``with_descriptor=False`` leaves it out (a transformerless plugin: manifest only).
    ``padding`` adds a stored (uncompressed) entry of that many pseudo-random bytes, to
    make large files quickly. ``extra`` adds more entries (name -> bytes).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/MANIFEST.MF", manifest_text or manifest(key, version))
        if with_descriptor:
            zf.writestr("atlassian-plugin.xml", descriptor or plugin_xml(key, version, name))
        zf.writestr("com/example/hello/HelloServlet.class", CLASS_BYTES)
        for entry, data in (extra or {}).items():
            zf.writestr(entry, data)
        if padding:
            _write_padding(zf, padding)
    return path


def _write_padding(zf: zipfile.ZipFile, size: int) -> None:
    """A stored entry of ``size`` incompressible bytes, written in 1 MiB blocks."""
    info = zipfile.ZipInfo("assets/padding.bin")
    info.compress_type = zipfile.ZIP_STORED
    block = bytes(_prng_block(1 << 20))
    with zf.open(info, "w", force_zip64=size > 0x7FFF0000) as out:
        remaining = size
        counter = 0
        while remaining > 0:
            chunk = block if remaining >= len(block) else block[:remaining]
            # vary each block a little so the file is not trivially repetitive
            out.write(counter.to_bytes(8, "big") + chunk[8:])
            remaining -= len(chunk)
            counter += 1


def _prng_block(size: int) -> bytearray:
    """Deterministic pseudo-random bytes (xorshift), cheap to make."""
    out = bytearray(size)
    x = 0x9E3779B97F4A7C15
    for i in range(0, size, 8):
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        out[i : i + 8] = x.to_bytes(8, "little")
    return out


def build_obr(path: Path, jar: Path, *, extra_jars: dict[str, bytes] | None = None) -> Path:
    """Write an OBR (a zip holding ``obr.xml`` and the plugin JAR at its root, plus
    dependency bundles under ``dependencies/``) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("obr.xml", '<?xml version="1.0"?>\n<repository name="hello"/>\n')
        zf.write(jar, jar.name)
        for name, data in (extra_jars or {}).items():
            zf.writestr(f"dependencies/{name}", data)
    return path


def build_connect_descriptor(path: Path, key: str = "com.example.hello-cloud") -> Path:
    """Write a Connect app descriptor JSON with ``key`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "key": key,
        "name": "Hello Cloud",
        "baseUrl": "https://hello.example.com",
        "authentication": {"type": "jwt"},
        "modules": {},
    }
    path.write_text(json.dumps(body, indent=2), encoding="utf-8")
    return path


def png_bytes(
    width: int = 144, height: int = 144, rgb: tuple[int, int, int] = (0, 82, 204)
) -> bytes:
    """A valid PNG of one colour, ``width`` x ``height`` pixels."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def write_png(path: Path, width: int = 144, height: int = 144) -> Path:
    """Write :func:`png_bytes` to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(width, height))
    return path


def gif_bytes(width: int = 16, height: int = 16) -> bytes:
    """A minimal GIF89a header with the given dimensions (enough for type and size
    detection)."""
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x3b"


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """An in-memory zip of ``entries``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def version_body(artifact_id: str, build: int = 1004002, number: str = "1.4.2") -> dict[str, Any]:
    """A ``POST /rest/3/app-software/{id}/versions`` body of the shape known to work in
    production for a Data Center P2 plugin, made from ``artifact_id``."""
    return {
        "buildNumber": build,
        "versionNumber": number,
        "compatibilities": [
            {"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}
        ],
        "supportedPaymentModel": "free",
        "frameworkDetails": {
            "frameworkId": "plugin",
            "attributes": {"artifactId": artifact_id, "pluginFrameworkType": "P2"},
        },
        "supported": True,
        "beta": False,
        "acceptedAgreements": [{"agreementUrl": "https://example.com/agreement"}],
        "changelog": {"releaseSummary": "Fixes a crash", "releaseNotes": "<p>Fixed</p>"},
        "licenseType": {"id": "atlassian"},
    }


#: The sample app as ``POST /_sandbox/apps`` seeds it (the demo, the release benchmark):
#: com.example.hello on Data Center with version 1.4.1 (build 1004001), whose
#: compatibility and payment model a new version copies.
SAMPLE_APP_SEED: dict[str, Any] = {
    "appKey": "com.example.hello",
    "hostings": ["datacenter"],
    "name": "Hello",
    "versions": {
        "datacenter": [
            {
                "buildNumber": 1004001,
                "versionNumber": "1.4.1",
                "compatibilities": [
                    {
                        "parentSoftwareId": "jira",
                        "minBuildNumber": 940000,
                        "maxBuildNumber": 1001000,
                    }
                ],
                "supportedPaymentModel": "free",
            }
        ]
    },
}


def sandbox_admin(base_url: str, path: str, body: Any = None, *, method: str | None = None) -> Any:
    """Call the emulator's admin endpoint ``path`` (``/_sandbox/...``) at the loopback
    ``base_url``: POST ``body`` as JSON (or GET without one; ``method`` overrides), the
    decoded JSON answer back (None for an empty one). Raises ``urllib.error.URLError``."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the emulator, on loopback
        base_url + path,
        data=data,
        headers={"Content-Type": "application/json"},
        method=method or ("POST" if body is not None else "GET"),
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        raw = response.read()
    return json.loads(raw) if raw else None

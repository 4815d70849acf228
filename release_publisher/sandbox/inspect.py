"""What Marketplace reads out of an artifact (the ``details`` object), and listing-image
type detection. Small and bounded on purpose: descriptors above 1 MiB, Connect JSON
above 10 MiB and nested plugin JARs above the artifact limit are refused.

Rules, as Marketplace applies them:

* JAR / JWB (a zip): ``atlassian-plugin.xml`` at the root gives the app key (``key``
  attribute), ``name`` and ``<plugin-info><version>``; missing parts come from
  ``META-INF/MANIFEST.MF`` (``Atlassian-Plugin-Key`` or ``Bundle-SymbolicName``,
  ``Bundle-Version``, ``Bundle-Name``). Values are reported verbatim (an unreplaced
  ``${project.version}`` stays as it is, so the client's verification can catch it).
* OBR (a zip with no descriptor of its own): the first root-level ``*.jar`` that is a
  plugin, read as above.
* Connect descriptor: a JSON object with a string ``key``.

Anything else raises :class:`Unidentifiable` (the app answers 400 ``VALIDATION_FAILED``).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from ..limits import MAX_ARTIFACT_BYTES

MAX_DESCRIPTOR_BYTES = 1024 * 1024
MAX_CONNECT_JSON_BYTES = 10 * 1024 * 1024

#: magic-byte prefix -> MIME type of the listing image formats Marketplace accepts.
IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


class Unidentifiable(Exception):
    """The file is not an artifact Marketplace can read; ``str()`` says why."""


def sniff_image(head: bytes) -> str | None:
    """The MIME type (``image/png``, ``image/jpeg``, ``image/gif``, ``image/bmp``) the
    first bytes ``head`` (16 are enough) announce, or None."""
    for magic, mime in IMAGE_MAGIC:
        if head.startswith(magic):
            return mime
    return None


def read_details(path: Path) -> dict[str, Any]:
    """The ``details`` object Marketplace would report for the artifact at ``path``:
    ``{key, name, version, licensingEnabled, dataCenterCompatible, addOnType,
    remotable, dataCenterStatus, editionsEnabled}``. ``addOnType`` is the sandbox's
    label (``PLUGINS_2``, ``PLUGINS_1`` or ``CONNECT``).

    Raises :class:`Unidentifiable` when no app key can be found.
    """
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                return _zip_details(zf, allow_nested=True)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            # RuntimeError/ValueError: encrypted or unsupported entries
            raise Unidentifiable(f"the file is a damaged zip/JAR ({exc})") from exc
    return _connect_details(path)


def _zip_details(zf: zipfile.ZipFile, *, allow_nested: bool) -> dict[str, Any]:
    names = set(zf.namelist())
    plugin = _plugin_xml(zf) if "atlassian-plugin.xml" in names else None
    manifest = _manifest(zf) if "META-INF/MANIFEST.MF" in names else {}
    key = (plugin or {}).get("key") or manifest.get("Atlassian-Plugin-Key")
    if not key and plugin is None:
        key = manifest.get("Bundle-SymbolicName", "").split(";", 1)[0].strip() or None
    if key:
        params = (plugin or {}).get("params", {})
        dc_status = params.get("atlassian-data-center-status")
        dc_compatible = (
            params.get("atlassian-data-center-compatible", "").lower() == "true"
            or dc_status is not None
        )
        return {
            "key": key,
            "name": (plugin or {}).get("name") or manifest.get("Bundle-Name") or key,
            "version": (plugin or {}).get("version") or manifest.get("Bundle-Version") or "",
            "licensingEnabled": params.get("atlassian-licensing-enabled", "").lower() == "true",
            "dataCenterCompatible": dc_compatible,
            "addOnType": "PLUGINS_1"
            if (plugin or {}).get("plugins_version") == "1"
            else "PLUGINS_2",
            "remotable": False,
            "dataCenterStatus": dc_status or ("compatible" if dc_compatible else None),
            "editionsEnabled": False,
        }
    if plugin is not None:
        raise Unidentifiable("atlassian-plugin.xml has no key attribute on <atlassian-plugin>")
    if allow_nested:
        for info in zf.infolist():
            if "/" in info.filename or not info.filename.lower().endswith(".jar"):
                continue
            nested = _nested_details(zf, info)
            if nested is not None:
                return nested
    raise Unidentifiable(
        "no atlassian-plugin.xml and no Atlassian-Plugin-Key/Bundle-SymbolicName in "
        "META-INF/MANIFEST.MF (and, for an OBR, no plugin JAR at the root)"
    )


def _nested_details(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, Any] | None:
    """Details of a JAR inside an OBR, copied to a temp file (bounded) first."""
    if info.file_size > MAX_ARTIFACT_BYTES:
        return None
    with tempfile.TemporaryFile() as tmp, zf.open(info) as src:
        _copy_bounded(src, tmp, MAX_ARTIFACT_BYTES)
        tmp.seek(0)
        try:
            with zipfile.ZipFile(tmp) as inner:
                return _zip_details(inner, allow_nested=False)
        except (zipfile.BadZipFile, Unidentifiable):
            return None


def _copy_bounded(src: IO[bytes], dst: IO[bytes], limit: int) -> None:
    copied = 0
    while chunk := src.read(1 << 20):
        copied += len(chunk)
        if copied > limit:
            raise Unidentifiable("a nested JAR is larger than the artifact limit")
        dst.write(chunk)


def _read_entry(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise Unidentifiable(f"{name} is larger than {limit} bytes")
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise Unidentifiable(f"{name} is larger than {limit} bytes")
    return data


def _plugin_xml(zf: zipfile.ZipFile) -> dict[str, Any]:
    data = _read_entry(zf, "atlassian-plugin.xml", MAX_DESCRIPTOR_BYTES)
    try:
        root: Element = fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise Unidentifiable(f"atlassian-plugin.xml is not well-formed XML ({exc})") from exc
    if root.tag != "atlassian-plugin":
        raise Unidentifiable(
            f"atlassian-plugin.xml has root element <{root.tag}>, expected <atlassian-plugin>"
        )
    info = root.find("plugin-info")
    version = None
    params: dict[str, str] = {}
    if info is not None:
        version_el = info.find("version")
        version = (version_el.text or "").strip() if version_el is not None else None
        for param in info.findall("param"):
            name = param.get("name")
            if name:
                params[name] = (param.text or "").strip()
    return {
        "key": (root.get("key") or "").strip() or None,
        "name": (root.get("name") or "").strip() or None,
        "version": version,
        "plugins_version": root.get("plugins-version"),
        "params": params,
    }


def _manifest(zf: zipfile.ZipFile) -> dict[str, str]:
    text = _read_entry(zf, "META-INF/MANIFEST.MF", MAX_DESCRIPTOR_BYTES).decode("utf-8", "replace")
    headers: dict[str, str] = {}
    last: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith(" ") and last is not None:
            headers[last] += line[1:]
        elif ":" in line:
            name, _, value = line.partition(":")
            last = name.strip()
            headers[last] = value.strip()
        else:
            last = None
    return headers


def _connect_details(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        data = fh.read(MAX_CONNECT_JSON_BYTES + 1)
    if len(data) > MAX_CONNECT_JSON_BYTES:
        raise Unidentifiable("not a zip/JAR, and too large to be a Connect descriptor")
    try:
        body = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unidentifiable(
            "not a JAR, OBR, JWB or Connect descriptor JSON (neither a zip nor JSON)"
        ) from exc
    if not isinstance(body, dict) or not isinstance(body.get("key"), str) or not body["key"]:
        raise Unidentifiable('a JSON file without a string "key": not a Connect descriptor')
    version = body.get("version")
    return {
        "key": body["key"],
        "name": body["name"] if isinstance(body.get("name"), str) else body["key"],
        "version": version if isinstance(version, str) else "",
        "licensingEnabled": body.get("enableLicensing") is True,
        "dataCenterCompatible": False,
        "addOnType": "CONNECT",
        "remotable": True,
        "dataCenterStatus": None,
        "editionsEnabled": False,
    }

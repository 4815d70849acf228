"""Telling an artifact's kind by its content and reading the app identity (app key,
version, name) from it, the way Marketplace fills ``details.key`` /
``details.version`` / ``details.name``. No network.

Public entry points:

* :func:`read_descriptor` / :func:`read_descriptor_bytes`: ``(kind, descriptor)`` for
  a file or for bytes in memory (the emulator calls the latter on an upload);
* :func:`inspect_artifact`: the same plus warnings (used by pre-flight);
* :func:`check_identity`: compare a descriptor with the config's app key and version.

Kinds (``kind``): ``"jar"``, ``"obr"``, ``"jwb"`` (all zip files: magic ``PK\\x03\\x04``
or, for an empty zip, ``PK\\x05\\x06``) and ``"connect"`` (a JSON object). A zip is an
``"obr"`` when named ``.obr`` or when it holds ``obr.xml`` and a ``.jar`` at its root; a
``"jwb"`` when named ``.jwb``; else a ``"jar"``.

Identity of a JAR (and of the plugin JAR at the root of an OBR, and of a JWB):

* app key: ``<atlassian-plugin key=...>`` in ``atlassian-plugin.xml`` at the root,
  else ``Atlassian-Plugin-Key`` in ``META-INF/MANIFEST.MF``, else its
  ``Bundle-SymbolicName`` (parameters such as ``;singleton:=true`` removed);
* version: ``<plugin-info><version>``, else ``Bundle-Version``;
* name: the ``name`` attribute, else ``Bundle-Name``.

Values are stripped of surrounding whitespace; an empty value counts as absent.
Connect descriptors give ``key`` and ``name``; their version is None.

Hostile input is bounded: zips are read through :mod:`.zips` (entry size caps, nested
JARs spooled, central directory limits, the end record found as Java finds it, an
identity entry listed twice refused); Connect JSON through :mod:`.connect` (duplicate
keys and NaN refused); XML with entity declarations (billion laughs, external entities)
is refused by defusedxml. Every failure is a
:class:`~release_publisher.errors.FileCheckError`; no parser exception escapes.

May import: defusedxml, :mod:`.zips`, :mod:`.connect`, :mod:`.files`, :mod:`.model`,
:mod:`release_publisher.errors`. Knows nothing of the config or the network.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..config.model import VERSION_OPTION
from ..errors import FileCheckError
from ..safe_text import one_line
from .connect import read_connect
from .files import EMPTY_ZIP_MAGIC, ZIP_MAGIC, content_hint
from .model import Descriptor
from .zips import open_zip, read_member, spool_member

#: Entry names inside a JAR.
PLUGIN_XML = "atlassian-plugin.xml"
MANIFEST = "META-INF/MANIFEST.MF"
#: Largest ``atlassian-plugin.xml`` or ``MANIFEST.MF`` read (declared or inflated), bytes.
MAX_DESCRIPTOR_BYTES = 1024 * 1024

ZIP_KINDS = ("jar", "obr", "jwb")
KINDS = (*ZIP_KINDS, "connect")
_ZIP_EXTENSIONS = {".jar", ".obr", ".jwb"}
_EXT_ARTICLE = {".jar": "a JAR", ".obr": "an OBR", ".jwb": "a JWB"}
_KIND_LABEL = {"jar": "JAR", "obr": "OBR", "jwb": "JWB", "connect": "Connect descriptor"}
#: An unreplaced build placeholder such as ``${project.version}``.
PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Inspection:
    """What :func:`inspect_artifact` found: ``kind`` (one of :data:`KINDS`), the
    ``descriptor`` (None only for a JWB without identity) and ``warnings`` (text)."""

    kind: str
    descriptor: Descriptor | None
    warnings: tuple[str, ...] = ()


def read_descriptor(path: Path, *, filename: str | None = None) -> tuple[str, Descriptor | None]:
    """Tell the kind of the artifact at ``path`` and read its identity, as Marketplace
    does when it fills ``details`` of ``POST /rest/3/artifacts``.

    ``filename`` is the logical file name (its extension decides ``.obr``/``.jwb`` and
    appears in ``Descriptor.source`` for an OBR); default ``path.name``.

    Returns ``(kind, descriptor)``: ``kind`` is ``"jar" | "obr" | "jwb" | "connect"``;
    ``descriptor`` holds the values exactly as found (placeholders such as
    ``${project.version}`` are NOT refused here; see :func:`check_identity`), and is
    None only for a JWB that carries no identity. Connect descriptors have
    ``version=None``.

    Raises :class:`FileCheckError` (no location) when the file is neither a zip nor a
    JSON object, is a corrupt zip, has an over-sized or malformed descriptor or
    manifest (XML bombs included), or is a JAR/OBR with no app key anywhere; an
    emulator maps that to Marketplace's ``400 VALIDATION_FAILED``.
    """
    return _pair(inspect_artifact(path, filename=filename))


def read_descriptor_bytes(data: bytes, filename: str) -> tuple[str, Descriptor | None]:
    """:func:`read_descriptor` for an artifact held in memory (``data``, named
    ``filename``), e.g. the ``file`` part of an upload the emulator received."""
    return _pair(_inspect(io.BytesIO(data), len(data), filename=filename, shown=filename))


def _pair(found: Inspection) -> tuple[str, Descriptor | None]:
    return found.kind, found.descriptor


def inspect_artifact(
    path: Path, *, filename: str | None = None, shown: str | None = None
) -> Inspection:
    """Kind, descriptor and warnings for the artifact at ``path`` (a regular file).
    ``shown`` names the file in messages (default ``str(path)``). Errors as
    :func:`read_descriptor`; unreadable files also raise :class:`FileCheckError`."""
    name = filename or path.name
    label = shown or str(path)
    try:
        with path.open("rb") as f:
            size = f.seek(0, io.SEEK_END)
            f.seek(0)
            return _inspect(f, size, filename=name, shown=label)
    except OSError as exc:
        raise FileCheckError(
            f"cannot read {label}: {exc.strerror or exc}",
            hint="check the file's permissions",
        ) from None


# --- kind -----------------------------------------------------------------------


def _inspect(f: IO[bytes], size: int, *, filename: str, shown: str) -> Inspection:
    head = f.read(64)
    f.seek(0)
    ext = Path(filename).suffix.lower()
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        if ext == ".json":
            raise FileCheckError(
                f"{shown} is named .json but is a zip file",
                hint="a Connect descriptor is a JSON file; a zip is a .jar, .obr or .jwb",
            )
        return _inspect_zip(f, size, filename=filename, shown=shown, ext=ext)
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"{"):
        if ext in _ZIP_EXTENSIONS:
            raise FileCheckError(
                f"{shown} is named {ext} but is not a zip file: it is JSON (a Connect descriptor?)",
                hint="name a Connect descriptor .json, or point the pattern at the built"
                f" {ext} file",
            )
        warnings = []
        if ext != ".json":
            warnings.append(
                f"{shown} is a Connect descriptor (JSON) but not named .json; Marketplace"
                " may tell the type by the name"
            )
        return Inspection("connect", read_connect(f, size, shown=shown), tuple(warnings))
    start = not_a_zip(head)
    hint = content_hint(head)
    if ext in _ZIP_EXTENSIONS:
        raise FileCheckError(
            f"{shown} is not a ZIP archive ({start}), so not {_EXT_ARTICLE[ext]}",
            hint=hint or "point the pattern at the file the build produced (e.g. target/*.jar)",
        )
    if ext == ".json":
        raise FileCheckError(
            f"{shown} is not a JSON object (its first non-blank character is not '{{')",
            hint=hint or "a Connect descriptor is a JSON object with a string 'key'",
        )
    raise FileCheckError(
        f"{shown} is neither a ZIP archive (JAR, OBR, JWB) nor a Connect descriptor JSON"
        f" ({start}, and it does not start with '{{')",
        hint=hint or "point the pattern at the built .jar, .obr, .jwb or descriptor .json",
    )


def not_a_zip(head: bytes) -> str:
    """Why a file starting with ``head`` is no ZIP archive, for a message: a
    well-known wrong content named (a Git LFS pointer, gzip data, an HTML page), else
    ``first bytes are not PK\\x03\\x04``. Never the bytes themselves: a mistyped
    pattern may name any file (``/etc/passwd``, a ``.env``), and messages reach CI
    logs."""
    if head.startswith(b"version https://git-lfs"):
        return "it is a Git LFS pointer, not the file"
    if head.startswith(b"\x1f\x8b"):
        return "it is gzip data"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "it is an HTML page"
    return "first bytes are not PK\\x03\\x04"


def _inspect_zip(f: IO[bytes], size: int, *, filename: str, shown: str, ext: str) -> Inspection:
    warnings: list[str] = []
    with open_zip(f, size, shown=shown) as zf:
        names = zf.namelist()
        root_jars = sorted(n for n in names if "/" not in n and n.lower().endswith(".jar"))
        looks_obr = "obr.xml" in names and bool(root_jars)
        if ext == ".jwb":
            kind = "jwb"
        elif ext == ".obr" or looks_obr:
            kind = "obr"
        else:
            kind = "jar"
        if ext not in _ZIP_EXTENSIONS:
            warnings.append(
                f"{shown} is a zip ({_KIND_LABEL[kind]}) but not named .jar, .obr or .jwb;"
                " Marketplace may tell the type by the name"
            )
        elif ext == ".jar" and kind == "obr":
            warnings.append(
                f"{shown} is named .jar but holds obr.xml and a plugin JAR (an OBR);"
                " Marketplace may treat it as a plain JAR: name it .obr"
            )
        if kind == "obr":
            descriptor = _obr_descriptor(
                zf, root_jars, filename=filename, shown=shown, warnings=warnings
            )
        else:
            descriptor = _jar_descriptor(zf, prefix="", shown=shown, warnings=warnings)
    if descriptor is None or descriptor.key is None:
        if kind == "jwb":
            warnings.append(
                f"{shown}: this JWB carries no atlassian-plugin.xml or manifest identity;"
                " its app key and version cannot be checked before upload"
            )
            return Inspection(kind, None, tuple(warnings))
        raise FileCheckError(
            f"{shown} carries no app key: no {PLUGIN_XML} with a key at its root, and no"
            " Atlassian-Plugin-Key or Bundle-SymbolicName in META-INF/MANIFEST.MF;"
            " Marketplace could not identify it",
            hint="is this the app's JAR (not a library or the -sources.jar)? An app JAR"
            f" has {PLUGIN_XML} (or Atlassian-Plugin-Key in its manifest): check the build",
        )
    return Inspection(kind, descriptor, tuple(warnings))


# --- JAR ------------------------------------------------------------------------


def _jar_descriptor(
    zf: zipfile.ZipFile, *, prefix: str, shown: str, warnings: list[str]
) -> Descriptor | None:
    """Identity of the JAR ``zf`` (rules in the module docstring); sources are
    prefixed with ``prefix`` (``""`` or ``"x.obr!/x.jar!/"``). None when it has
    neither an ``atlassian-plugin.xml`` nor a manifest with any identity. A key or
    version that ``atlassian-plugin.xml`` and the manifest state differently is added
    to ``warnings`` (the XML wins, as for Marketplace; other readers take the
    manifest)."""
    names = set(zf.namelist())
    check_descriptor_name(names, prefix=prefix, shown=shown)
    xml_key = xml_name = xml_version = None
    xml_src = prefix + PLUGIN_XML
    if PLUGIN_XML in names:
        data = read_member(zf, PLUGIN_XML, MAX_DESCRIPTOR_BYTES, source=xml_src, shown=shown)
        xml_key, xml_name, xml_version = parse_plugin_xml(data, source=xml_src, shown=shown)
    attrs: dict[str, str] = {}
    mf_src = prefix + MANIFEST
    if MANIFEST in names:
        data = read_member(zf, MANIFEST, MAX_DESCRIPTOR_BYTES, source=mf_src, shown=shown)
        attrs = parse_manifest(data)
    symbolic = _clean(attrs.get("bundle-symbolicname", "").split(";", 1)[0])
    key_candidates = (
        (xml_key, xml_src),
        (_clean(attrs.get("atlassian-plugin-key")), mf_src),
        (symbolic, mf_src),
    )
    key, key_src = next(((v, s) for v, s in key_candidates if v), (None, None))
    version, ver_src = next(
        (
            (v, s)
            for v, s in ((xml_version, xml_src), (_clean(attrs.get("bundle-version")), mf_src))
            if v
        ),
        (None, None),
    )
    name = xml_name or _clean(attrs.get("bundle-name"))
    for what, xml_value, header in (
        ("app key", xml_key, "Atlassian-Plugin-Key"),
        ("version", xml_version, "Bundle-Version"),
    ):
        mf_value = _clean(attrs.get(header.lower()))
        if xml_value and mf_value and xml_value != mf_value:
            warnings.append(
                f"{shown}: {xml_src} gives the {what} {xml_value!r} but {mf_src} gives"
                f" {header} {mf_value!r}; {xml_value!r} is checked, other tools may read"
                f" {mf_value!r}: make the build write the same {what} in both"
            )
    if key is None and version is None:
        return None
    if key_src and ver_src and key_src != ver_src:
        source = f"{key_src} (key), {ver_src} (version)"
    else:
        source = key_src or ver_src or ""
    return Descriptor(key=key, version=version, name=name, source=source)


def check_descriptor_name(names: set[str], *, prefix: str = "", shown: str) -> None:
    """Refuse a JAR (entry ``names``; sources prefixed with ``prefix``) holding an
    entry that is ``atlassian-plugin.xml`` but for its spelling: ``./`` or ``/`` in
    front, another letter case (``Atlassian-Plugin.xml``), ``\\`` as separator. Only
    the entry named exactly ``atlassian-plugin.xml`` is the descriptor (it alone is
    read); a reader that normalises names would take the other one, so which
    descriptor Marketplace reads is unknown. Raises :class:`FileCheckError` naming
    what was found and what is expected."""
    variants = sorted(
        n
        for n in names
        if n != PLUGIN_XML and n.replace("\\", "/").lstrip("./").lower() == PLUGIN_XML
    )
    if not variants:
        return
    found = ", ".join(repr(prefix + one_line(n)) for n in variants[:5])
    beside = (
        f"beside {prefix}{PLUGIN_XML}"
        if PLUGIN_XML in names
        else f"but no entry named exactly {PLUGIN_XML}"
    )
    raise FileCheckError(
        f"{shown} holds {found} {beside}: the descriptor must be the entry"
        f" {PLUGIN_XML} at the JAR's root (lower case, no ./ or / in front); readers"
        " that normalise names would read another one",
        hint=f"rebuild so that the JAR holds one {PLUGIN_XML} at its root (in a Maven"
        " build: src/main/resources/atlassian-plugin.xml), spelled exactly so",
    )


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_plugin_xml(
    data: bytes, *, source: str = PLUGIN_XML, shown: str = "artifact"
) -> tuple[str | None, str | None, str | None]:
    """``(key, name, version)`` from the bytes of an ``atlassian-plugin.xml``: the
    root ``<atlassian-plugin key= name=>`` attributes and ``<plugin-info><version>``
    text, stripped (None when absent or empty). Parsed with defusedxml (entities and
    external references refused). Raises :class:`FileCheckError` naming ``source``
    for malformed XML, a refused construct, or another root element."""
    try:
        root: Element = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        detail = type(exc).__name__
        entity = getattr(exc, "name", None)
        if entity:
            detail += f" for entity {entity!r}"
        raise FileCheckError(
            f"{shown}: {source} uses a refused XML construct ({detail}); entity"
            " declarations and external references are not read",
            hint="a plugin descriptor needs no DTD entities (this looks like an XML bomb"
            " or an external entity): rebuild from a clean atlassian-plugin.xml",
        ) from None
    except (ParseError, ValueError, LookupError) as exc:
        raise FileCheckError(
            f"{shown}: {source} is not well-formed XML ({exc})",
            hint="fix atlassian-plugin.xml in the project and rebuild",
        ) from None
    tag = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else str(root.tag)
    if tag != "atlassian-plugin":
        raise FileCheckError(
            f"{shown}: the root element of {source} is <{one_line(tag[:200])}>, not"
            " <atlassian-plugin>",
            hint="fix atlassian-plugin.xml in the project and rebuild",
        )
    version = None
    for child in root:
        if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "plugin-info":
            for item in child:
                if isinstance(item.tag, str) and item.tag.rsplit("}", 1)[-1] == "version":
                    version = _clean(item.text)
                    break
            break
    return _clean(root.get("key")), _clean(root.get("name")), version


def parse_manifest(data: bytes) -> dict[str, str]:
    """The main section of a ``META-INF/MANIFEST.MF`` as ``{lowercased name: value}``
    (JAR spec: CRLF, LF or CR line ends; a line starting with one space continues the
    previous value; the main section ends at the first blank line). Values are not
    stripped. Undecodable bytes are replaced; malformed lines are skipped."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    attrs: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\n"):
        if line == "":
            if attrs:
                break
            continue
        if line.startswith(" "):
            if last is not None:
                attrs[last] += line[1:]
            continue
        name, sep, value = line.partition(":")
        if not sep:
            last = None
            continue
        last = name.strip().lower()
        attrs[last] = value[1:] if value.startswith(" ") else value
    return attrs


# --- OBR ------------------------------------------------------------------------


def _obr_descriptor(
    zf: zipfile.ZipFile, root_jars: list[str], *, filename: str, shown: str, warnings: list[str]
) -> Descriptor | None:
    obr_name = Path(filename).name
    if not root_jars:
        raise FileCheckError(
            f"{shown} is an OBR without a plugin JAR at its root",
            hint="an OBR holds obr.xml and the app's JAR at its root (dependency bundles"
            " under dependencies/): check the build",
        )
    if len(root_jars) > 1:
        raise FileCheckError(
            f"{shown} holds {len(root_jars)} JARs at its root"
            f" ({one_line(', '.join(root_jars[:10]))});"
            " cannot tell which is the app",
            hint="an OBR holds exactly one plugin JAR at its root; dependency bundles go"
            " under dependencies/",
        )
    jar_name = root_jars[0]
    prefix = f"{obr_name}!/{jar_name}!/"
    source = f"{obr_name}!/{jar_name}"
    with spool_member(zf, jar_name, source=source, shown=shown) as inner:
        size = inner.seek(0, io.SEEK_END)
        inner.seek(0)
        head = inner.read(64)
        inner.seek(0)
        if not head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
            raise FileCheckError(
                f"{shown}: {source} is not a ZIP archive ({not_a_zip(head)})",
                hint="the OBR's plugin JAR is damaged: rebuild the OBR",
            )
        with open_zip(inner, size, shown=f"{shown} ({source})") as jar:
            return _jar_descriptor(jar, prefix=prefix, shown=shown, warnings=warnings)


# --- identity -------------------------------------------------------------------


def check_identity(
    descriptor: Descriptor,
    kind: str,
    *,
    app_key: str,
    version: str,
    version_source: str = "config",
    shown: str = "the artifact",
) -> None:
    """Refuse an artifact whose identity does not EQUAL the config (exact string
    equality: ``1.4.2-SNAPSHOT`` is not ``1.4.2``; key letter case counts).

    Checks, in order: an unreplaced ``${...}`` in key, version or name (an unfiltered
    build); the key; then, except for ``kind == "connect"`` (no version), the version.
    ``version_source`` is ``"config"`` or ``"--version"`` (for the message).
    Raises :class:`FileCheckError` showing both values, the source inside the
    artifact and what to do."""
    label = _KIND_LABEL.get(kind, "artifact")
    where = descriptor.source or "the artifact"
    for field_name in ("key", "version", "name"):
        value = getattr(descriptor, field_name)
        found = PLACEHOLDER.search(value) if value else None
        if found:
            hint = (
                "replace the placeholder in the descriptor JSON before uploading"
                if kind == "connect"
                else "the build did not filter resources: enable Maven resource filtering"
                " for atlassian-plugin.xml (<resource><filtering>true</filtering>"
                "</resource>, as the Atlassian SDK archetype does), then rebuild"
            )
            raise FileCheckError(
                f"{shown}: the {field_name} in {where} is {value!r}, with the unreplaced"
                f" placeholder {found.group()}",
                hint=hint,
            )
    if descriptor.key != app_key:
        case_note = (
            "; they differ only in letter case, and app keys are case-sensitive"
            if descriptor.key is not None and descriptor.key.lower() == app_key.lower()
            else ""
        )
        raise FileCheckError(
            f"{shown} is app {descriptor.key!r} (from {where}), but app.key is"
            f" {app_key!r}{case_note}",
            hint=f"app.key says {app_key} but the {label} was built as"
            f" {one_line(str(descriptor.key))}:"
            " rebuild with the right key, or fix the config",
        )
    if kind == "connect":
        return
    option = VERSION_OPTION if version_source == "--version" else "app.version"
    if descriptor.version is None:
        raise FileCheckError(
            f"{shown} declares no version (no <plugin-info><version> in {PLUGIN_XML}, no"
            f" Bundle-Version in {MANIFEST}); {option} is {version!r}",
            hint="add <version>${project.version}</version> under <plugin-info> in"
            " atlassian-plugin.xml and rebuild",
        )
    if descriptor.version != version:
        built = descriptor.version
        notes = []
        if "SNAPSHOT" in built.upper() and "SNAPSHOT" not in version.upper():
            notes.append("the artifact is a SNAPSHOT build; release a non-SNAPSHOT version")
        if version.startswith("refs/"):
            notes.append(
                f"{version!r} is a git ref, not a version: pass the tag name, e.g. "
                "--version ${{ github.ref_name }} (GitHub) or $CI_COMMIT_TAG (GitLab)"
            )
        if where.endswith((MANIFEST, f"{MANIFEST} (version)")):
            notes.append(
                "the version came from Bundle-Version, which OSGi tooling rewrites (e.g."
                " 1.4.2-SNAPSHOT -> 1.4.2.SNAPSHOT); a <plugin-info><version> wins over it"
            )
        raise FileCheckError(
            f"{shown} was built as version {built!r} (from {where}), but {option} is {version!r}",
            hint=f"{option} says {version} but the {label} was built as {one_line(built)}:"
            " rebuild, or fix the config"
            + ("" if option == VERSION_OPTION else f" (or pass the version with {VERSION_OPTION})")
            + "".join(f"; {n}" for n in notes),
        )

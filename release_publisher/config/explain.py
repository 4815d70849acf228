"""Explaining one JSON Schema error as a config problem: where (file:line:col of the
field, or of the unknown key), what is wrong in the user's terms (never a URL's
credentials) and what to do, with "did you mean" suggestions for misspelt keys and
enum values.

May import: :mod:`.document`, :mod:`.fields`, :mod:`.yaml_marks`,
:mod:`release_publisher.errors`; jsonschema for type checking only. Knows nothing of
reading YAML or of the typed config.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from ..errors import Location
from .document import Document, Problem, artifact_names
from .fields import NUMBER_TEXT, URL_FIELD, allowed_keys, example, safe_url
from .yaml_marks import join_path, show

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def _path_of(parts: Any) -> str:
    path = ""
    for part in parts:
        path = join_path(path, part if isinstance(part, int) else str(part))
    return path


def _value_text(doc: Document, path: str, value: Any) -> str:
    if value is None:
        return "no value"
    if isinstance(value, str) and URL_FIELD.match(path):
        value = safe_url(value)
    shown = show(value)
    template = doc.templates.get(path)
    return f"{shown} (from {template})" if template else shown


def explain(doc: Document, error: ValidationError) -> tuple[Location, str, str]:
    """Turn one schema error into (location, message, hint)."""
    path = _path_of(error.absolute_path)
    where = path or "the top level"
    kind = error.validator
    value = error.instance
    rule: Any = error.validator_value
    loc = doc.loc(path)
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = allowed_keys(path)
        extra = next(k for k in value if k not in allowed)
        child = join_path(path, extra)
        close = difflib.get_close_matches(extra, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        hint += "allowed keys here: " + ", ".join(allowed)
        return doc.key_locs.get(child, loc), f"unknown key {extra!r} in {where}", hint
    if kind == "required" and isinstance(value, dict):
        missing = next(k for k in rule if k not in value)
        child = join_path(path, missing)
        sample = example(child)
        unknown = [k for k in value if k not in allowed_keys(path)]
        typo = difflib.get_close_matches(missing, unknown, n=1)
        if typo:
            return (
                doc.key_locs.get(join_path(path, typo[0]), loc),
                f"{child} is missing ({where} has the unknown key {typo[0]!r})",
                f"spell the key {missing!r}",
            )
        loc = Location(file=loc.file, line=loc.line, col=loc.col, field=child)
        return loc, f"{child} is missing", f"add {sample} under {where}"
    if path == "release" or path.startswith("release."):
        special = _explain_release(doc, error, path)
        if special is not None:
            return special
    if kind == "oneOf" and isinstance(value, dict):
        if "file" in value and "url" in value:
            return (
                loc,
                f"{where} has both file and url",
                "give exactly one: file (a local file) or url (Marketplace fetches it)",
            )
        return (
            loc,
            f"{where} has neither file nor url",
            'add file: "target/*.jar" (a local file) or url: "https://..." (Marketplace '
            "fetches it)",
        )
    if (
        kind == "dependentRequired"
        and isinstance(value, dict)
        and "exclude" in value
        and "file" not in value
    ):
        return (
            doc.loc(join_path(path, "exclude")),
            f"{join_path(path, 'exclude')} is only allowed with file",
            "remove exclude: it narrows the file glob; Marketplace fetches a url as it is",
        )
    if kind == "dependentRequired":
        return (
            doc.loc(join_path(path, "sha512")),
            f"{join_path(path, 'sha512')} is only allowed with url",
            "remove sha512: the checksum of a local file is computed and verified anyway",
        )
    if kind == "propertyNames" or "propertyNames" in error.schema_path:
        value = error.instance
        return (
            doc.key_locs.get(join_path(path, str(value)), loc),
            f"{where} has the key {show(value)}, which is not a details field name",
            "expect keys are field names of the artifact's details, e.g. dataCenterCompatible",
        )
    shown = _value_text(doc, path, value)
    key = path.rsplit(".", 1)[-1]
    if kind == "type":
        want = error.validator_value
        if want == "object":
            hint = f"write indented key: value lines under {key}:"
            if re.fullmatch(r"(?:artifacts|images)\[\d+\]", path) and isinstance(value, str):
                hint = f'write the entry as a mapping: - file: "{value}"'
            return loc, f"{where} must be a mapping (key: value lines), got {shown}", hint
        if want == "array":
            return (
                loc,
                f"{where} must be a list (lines starting with '- '), got {shown}",
                (f"write each entry as a '- ' item under {key}:"),
            )
        if want == "number":
            hint = f"write a number of seconds, e.g. {key}: 30"
            if isinstance(value, str) and NUMBER_TEXT.match(value):
                hint = f"remove the quotes: {key}: {value}"
            return loc, f"{where} must be a number (seconds), got {shown}", hint
        if isinstance(want, list):
            return (
                loc,
                f"{where} must be a string, number or true/false, got {shown}",
                (f"write a single value, e.g. {key}: true"),
            )
        return (
            loc,
            f"{where} must be a string, got {shown}",
            (
                f'quote it: {key}: "..."'
                if not isinstance(value, dict | list)
                else f'write a single quoted value: {key}: "..."'
            ),
        )
    if kind == "minLength":
        return (
            loc,
            f"{where} is empty{_from(doc, path)}",
            (f"give a value, e.g. {example(path)}"),
        )
    if kind == "minItems":
        return (
            loc,
            f"{where} is empty: at least one entry is needed",
            ('add an entry, e.g. - file: "target/*.jar"'),
        )
    if kind in ("pattern", "format") and URL_FIELD.match(path):
        return loc, *_url_problem(where, value, shown)
    if kind == "pattern":
        return loc, *_pattern_problem(path, where, key, shown)
    if kind in ("exclusiveMinimum", "minimum", "maximum"):
        bound = error.validator_value
        rule = {"exclusiveMinimum": f"> {bound}", "minimum": f">= {bound}"}.get(kind, f"<= {bound}")
        return (
            loc,
            f"{where} must be {rule} seconds, got {shown}",
            (f"set a number of seconds {rule}"),
        )
    if kind == "enum":
        options = [str(o) for o in rule]
        close = difflib.get_close_matches(str(value).lower(), options, n=1)
        hint = (
            f"did you mean {close[0]!r}? " if close else ""
        ) + f"write one of: {', '.join(options)}"
        return loc, f"{where} must be one of {', '.join(options)}; got {shown}", hint
    return loc, f"{where}: {error.message[:120]}", "see `release-publisher schema`"


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _explain_release(doc: Document, error: ValidationError, path: str) -> Problem | None:
    """Schema errors in the ``release:`` section that the generic wording gets wrong
    (booleans, whole numbers, enums, ``build-number``, ``notes``); None: use the
    generic wording."""
    kind = error.validator
    value = error.instance
    rule: Any = error.validator_value
    loc = doc.loc(path)
    key = path.rsplit(".", 1)[-1]
    shown = _value_text(doc, path, value)
    if kind == "type" and rule == "boolean":
        hint = f"write {key}: true or {key}: false"
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            hint = f"remove the quotes: {key}: {value.strip().lower()}"
        return loc, f"{path} must be true or false, got {shown}", hint
    if kind == "type" and rule == "integer":
        hint = f"write a whole number, e.g. {example(path)}"
        if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            hint = f"remove the quotes: {key}: {value.strip()}"
        return loc, f"{path} must be a whole number, got {shown}", hint
    if kind == "anyOf" and path == "release.build-number":
        hint = "write build-number: auto, or a whole number >= 1 such as 1004002"
        if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            hint = f"remove the quotes: build-number: {value.strip()}"
        return loc, f"{path} must be auto or a whole number >= 1, got {shown}", hint
    if kind == "enum":
        options = [str(o) for o in rule]
        same = [o for o in options if _squash(o) == _squash(str(value))]
        close = same or difflib.get_close_matches(str(value).lower(), options, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        hint += f"write one of: {', '.join(options)}"
        return loc, f"{path} must be one of {', '.join(options)}; got {shown}", hint
    if kind in ("minimum", "maximum"):
        bound = ">=" if kind == "minimum" else "<="
        return loc, f"{path} must be {bound} {rule}, got {shown}", f"write {example(path)}"
    if kind == "minItems":
        return (
            loc,
            f"{path} is empty: at least one entry is needed",
            f"add an entry, e.g. {example(path)}, or remove {key}: to copy it from "
            "the previous version",
        )
    if kind == "maxLength":
        return (
            loc,
            f"{path} is {len(str(value))} characters long; at most {rule} are allowed",
            "shorten it; put the details in release.notes",
        )
    if kind == "uniqueItems":
        return loc, f"{path} lists the same URL more than once", "list each URL once"
    if kind == "oneOf" and isinstance(value, dict) and path == "release.notes":
        if "file" in value and "text" in value:
            return loc, f"{path} has both file and text", "give exactly one: file or text"
        return (
            loc,
            f"{path} has neither file nor text",
            'add file: "CHANGELOG.md" (its section for this version) or text: "..."',
        )
    if kind == "pattern" and not URL_FIELD.match(path):
        if path == "release.artifact":
            return (
                loc,
                f"{path} must be an artifact name (lowercase letters, digits and '-'), got {shown}",
                f"write the name of an artifacts[] entry: {artifact_names(doc)}",
            )
        if path == "release.listing.screenshots":
            return (
                loc,
                f"{path} must be a lowercase image type slug, got {shown}",
                "name an image type of images[], e.g. screenshots: screenshot",
            )
        return loc, f"{path} must not contain whitespace, got {shown}", f"e.g. {example(path)}"
    return None


def _from(doc: Document, path: str) -> str:
    template = doc.templates.get(path)
    return f" (after interpolating {template})" if template else ""


def _url_problem(where: str, value: Any, shown: str) -> tuple[str, str]:
    text = str(value)
    if not text.strip():
        return f"{where} is empty", 'give an http or https URL, e.g. "https://example.com/x.jar"'
    scheme = text.split(":", 1)[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text) else ""
    if scheme and scheme not in ("http", "https"):
        return (
            f"{where} must be an http or https URL, got a URL with the scheme {scheme}:",
            "use an https:// URL that Marketplace can download without credentials",
        )
    if not scheme:
        return f"{where} is not a URL: {shown}", "write a full URL, e.g. https://example.com/x.jar"
    authority = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", text).split("/", 1)[0]
    if "@" in authority.split("?", 1)[0].split("#", 1)[0]:
        return (
            f"{where} has credentials in the URL",
            "use a URL that needs no credentials; credentials never go in the config file",
        )
    return (
        f"{where} is not a valid URL (RFC 3986): {shown}",
        "percent-encode spaces and special characters (a space is %20); "
        "IPv6 hosts go in [brackets]",
    )


def _pattern_problem(path: str, where: str, key: str, shown: str) -> tuple[str, str]:
    if key == "name":
        return (
            f"{where} must be lowercase letters, digits and '-', got {shown}",
            "e.g. name: server",
        )
    if key == "type":
        return (
            f"{where} must be a lowercase image type slug, got {shown}",
            "e.g. type: icon, banner, screenshot (lowercase letters, digits and '-')",
        )
    if key == "sha512":
        return (
            f"{where} must be 128 hex digits, got {shown}",
            "paste the output of `sha512sum FILE` without the file name or a 'sha512:' prefix",
        )
    if path == "app.version":
        return (
            f"{where} has surrounding whitespace or control characters: {shown}",
            'write the version alone, e.g. version: "1.4.2"',
        )
    if path == "app.key":
        return f"{where} contains whitespace: {shown}", 'e.g. key: "com.example.hello"'
    return f"{where} does not have the expected form: {shown}", "see `release-publisher schema`"

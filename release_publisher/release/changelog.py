"""Release notes from a Keep a Changelog style Markdown file: the section of one version.

Recognised headings (ATX, level 1 to 6, up to 3 spaces of indentation, optional closing
``#``s), for version ``1.4.2``::

    ## [1.4.2] - 2026-11-30        ## [v1.4.2](https://...compare/v1.4.1...v1.4.2)
    ## 1.4.2                       ## 1.4.2 (2026-11-30)
    ## v1.4.2                      # 1.4.2
    ## Version 1.4.2               ## Release 1.4.2

The version must match exactly: ``1.4.2`` does not match ``1.4.20`` or ``1.4.2-beta``.
The section runs up to the next heading of the same or a higher level (fewer ``#``);
headings inside fenced code blocks do not count. Setext headings (underlined with
``===``/``---``) are not recognised. Link reference definitions at the end of the
section (``[1.4.2]: https://...``, as Keep a Changelog puts at the end of the file) are
dropped.
"""

from __future__ import annotations

import re

from ..config.model import ReleaseConfig
from ..errors import ConfigError

MAX_CHANGELOG_BYTES = 1024 * 1024
"""The largest changelog read (1 MiB): anything bigger is refused, not truncated."""

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")


def _title_pattern(version: str) -> re.Pattern[str]:
    v = re.escape(version)
    return re.compile(
        rf"^(?:(?:version|release)\s+)?"
        rf"(?:\[\s*[vV]?{v}\s*\]|[vV]?{v}(?=$|[\s:(]))",
        re.IGNORECASE,
    )


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of every ATX heading outside fenced code blocks."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    for i, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        match = _HEADING.match(line)
        if match:
            title = _CLOSING_HASHES.sub("", match.group(2) or "").strip()
            found.append((i, len(match.group(1)), title))
    return found


def notes_for_version(text: str, version: str) -> str | None:
    """The body of the section of ``version`` in the Markdown changelog ``text``.

    Returns the section's lines without the heading, with surrounding blank lines and
    trailing link reference definitions removed, joined with ``\\n`` (``""`` when the
    section is empty); None when no heading names ``version`` (the first matching
    heading wins). Raises ValueError when ``text`` is longer than
    :data:`MAX_CHANGELOG_BYTES` characters or ``version`` is empty.
    """
    if len(text) > MAX_CHANGELOG_BYTES:
        raise ValueError(f"changelog text longer than {MAX_CHANGELOG_BYTES} characters")
    if not version.strip():
        raise ValueError("version is empty")
    lines = text.splitlines()
    headings = _headings(lines)
    pattern = _title_pattern(version.strip())
    for n, (index, level, title) in enumerate(headings):
        if not pattern.match(title):
            continue
        end = next((i for i, lv, _ in headings[n + 1 :] if lv <= level), len(lines))
        body = lines[index + 1 : end]
        while body and (not body[-1].strip() or _LINK_DEFINITION.match(body[-1])):
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        return "\n".join(line.rstrip() for line in body)
    return None


def notes_from_config(config: ReleaseConfig) -> str | None:
    """The release notes of ``config.release`` for ``config.version``.

    ``release.notes.text`` as written; for ``release.notes.file`` (relative to
    ``config.base_dir``) the section of ``config.version`` (:func:`notes_for_version`);
    None when there is no ``release:`` section or no ``notes``.

    Raises :class:`ConfigError` (exit 2, located at ``release.notes.file``) when the file
    cannot be read, is larger than :data:`MAX_CHANGELOG_BYTES`, is not UTF-8, has no
    section for the version, or the section is empty.
    """
    spec = config.release
    if spec is None:
        return None
    if spec.notes_text is not None:
        return spec.notes_text
    if spec.notes_file is None:
        return None
    where = config.where("release.notes.file")
    path = config.base_dir / spec.notes_file
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CHANGELOG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the release notes file {path}: {exc.strerror or exc}",
            hint="release.notes.file is relative to the config file's directory",
            location=where,
        ) from None
    if len(data) > MAX_CHANGELOG_BYTES:
        raise ConfigError(
            f"the release notes file {path} is larger than {MAX_CHANGELOG_BYTES} bytes",
            hint="point release.notes.file at the changelog, or use release.notes.text",
            location=where,
        )
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            f"the release notes file {path} is not valid UTF-8",
            hint="save the changelog as UTF-8",
            location=where,
        ) from None
    notes = notes_for_version(text, config.version)
    if notes is None:
        raise ConfigError(
            f"{spec.notes_file} has no section for version {config.version}",
            hint=f"add a heading such as '## [{config.version}] - YYYY-MM-DD' with the notes "
            "under it, or give release.notes.text",
            location=where,
        )
    if not notes.strip():
        raise ConfigError(
            f"the section for version {config.version} in {spec.notes_file} is empty",
            hint="write the release notes under the heading, or remove release.notes",
            location=where,
        )
    return notes

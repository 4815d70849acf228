"""The release card: a GitHub-flavoured Markdown summary of a :class:`ReleaseResult`,
written to the GitHub job summary (``GITHUB_STEP_SUMMARY``).

The card shows a one-line headline of what happened (:func:`~release_publisher.outcome.headline`),
the status (a plain-text marker such as ``PUBLISHED`` or ``FAILED`` and the status
word), the app key and version, then tables of artifacts (name, artifact ID, size,
shortened checksum, verified fields, state), listing images (image type, file, image
ID, dimensions, size) and timings; on failure the cause (error kind and message) and
the fix (the hint). Every value is escaped for Markdown and HTML (job summaries render
both) and passed through the caller's redaction function.
"""

from __future__ import annotations

from collections.abc import Callable

from ..limits import human_size
from ..outcome import headline, listing_line
from ..result import (
    STATUS_AWAITING_APPROVAL,
    STATUS_CHECKED,
    STATUS_DRY_RUN,
    STATUS_FAILED,
    STATUS_PUBLISHED,
    STATUS_RUNNING,
    STATUS_SKIPPED,
    STATUS_TIMEOUT,
    STATUS_UNCHANGED,
    ReleaseResult,
)

#: GitHub refuses a job summary over 1 MiB per step; stay well below it.
MAX_SUMMARY_BYTES = 1024 * 1024 - 4096
#: Longest error message or hint shown in the card (characters); the result JSON has all.
MAX_MESSAGE_CHARS = 2000
#: Longest part of the release notes shown in the card (characters).
MAX_NOTES_CHARS = 20000
#: Hex digits of a SHA-512 checksum shown in the card.
CHECKSUM_DIGITS = 16

STATUS_MARKERS = {
    STATUS_PUBLISHED: "PUBLISHED",
    STATUS_UNCHANGED: "UNCHANGED (already there; nothing was sent)",
    STATUS_SKIPPED: "SKIPPED (if-exists: skip; nothing was sent)",
    STATUS_AWAITING_APPROVAL: "AWAITING APPROVAL",
    STATUS_FAILED: "FAILED",
    STATUS_TIMEOUT: "PROCESSING TIMEOUT",
    STATUS_DRY_RUN: "DRY RUN (nothing was sent)",
    STATUS_CHECKED: "CHECKED (nothing was sent)",
    STATUS_RUNNING: "INCOMPLETE",
}

TRUNCATION_NOTE = (
    "\n\n*The summary was cut to fit GitHub's size limit; the result file has everything.*\n"
)

_MD_SPECIALS = "\\`*_{}[]()#+!|~"


def md_text(value: object) -> str:
    """``value`` as inline Markdown text that renders literally: HTML special
    characters become entities, Markdown punctuation is backslash-escaped, line breaks
    become ``<br>`` (safe inside a table cell)."""
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = "".join("\\" + ch if ch in _MD_SPECIALS else ch for ch in text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def md_code(value: object) -> str:
    """``value`` as an inline code span, safe inside a table cell (``|`` escaped as GFM
    requires; line breaks become spaces; backticks fenced by a longer run)."""
    text = " ".join(str(value).splitlines()).replace("|", "\\|")
    if "`" not in text:
        return f"`{text}`"
    longest = 1
    run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def short_checksum(checksum: str | None) -> str:
    """The first :data:`CHECKSUM_DIGITS` hex digits of a SHA-512 checksum (an optional
    ``sha512:`` prefix dropped) followed by an ellipsis, as a code span; ``-`` if
    unknown."""
    if not checksum:
        return "-"
    hexpart = checksum.split(":", 1)[1] if ":" in checksum else checksum
    if len(hexpart) <= CHECKSUM_DIGITS:
        return md_code(hexpart)
    return md_code(hexpart[:CHECKSUM_DIGITS]) + "…"


def duration(seconds: float) -> str:
    """A phase's time for people: milliseconds below a second (``"340 ms"``), else
    seconds with one decimal (``"12.4 s"``)."""
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    return f"{seconds:.1f} s"


def t_block(text: str) -> str:
    """``text`` for a ``~~~~`` fenced block (shown literally) inside HTML
    ``<details>``: a line starting with tildes is indented so it cannot close the
    fence."""
    return "\n".join(
        " " + line if line.lstrip().startswith("~~~") else line for line in text.splitlines()
    )


def _clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + " [...]"


def render_summary(
    result: ReleaseResult,
    *,
    result_file: str | None = None,
    redact: Callable[[str], str] = lambda text: text,
) -> str:
    """The release card for ``result`` as GitHub-flavoured Markdown (ends with a
    newline). ``result_file`` is the result JSON's path as later steps see it, shown
    when given; ``redact`` is applied to every value before it is clipped and escaped,
    and to the whole card. Never raises."""

    def t(value: object, *, clip: bool = False) -> str:
        text = redact(str(value))
        return md_text(_clip(text) if clip else text)

    def c(value: object) -> str:
        return md_code(redact(str(value)))

    lines: list[str] = []
    app = result.app_key or "(unknown app)"
    version = result.version or "(unknown version)"
    marker = STATUS_MARKERS.get(result.status, result.status.upper())
    lines.append(f"## Marketplace release: {t(app)} {t(version)}")
    lines.append("")
    lines.append(t(headline(result)))
    lines.append("")
    lines.append(f"| **Status** | **{t(marker)}** |")
    lines.append("| --- | --- |")
    lines.append(f"| Status word (step output) | {c(result.status)} |")
    lines.append(f"| App key | {c(app)} |")
    lines.append(f"| Version | {c(version)} |")
    if result.base_url:
        lines.append(f"| Marketplace | {c(result.base_url)} |")
    if result.error is not None:
        lines.append(f"| Exit code | {result.error.exit_code} |")
    if result.error is not None:
        err = result.error
        lines += ["", "### What went wrong", ""]
        where = f" (artifact {c(err.artifact)})" if err.artifact else ""
        lines.append(f"**Cause:** {t(err.kind)}{where}: {t(err.message, clip=True)}")
        lines.append("")
        if err.hint:
            lines.append(f"**Fix:** {t(err.hint, clip=True)}")
        else:
            lines.append("**Fix:** see the cause above and the step log.")
        uploaded = result.artifact_ids()
        if uploaded:
            done = ", ".join(f"{t(n)} = {c(i)}" for n, i in uploaded.items())
            lines += ["", f"Uploaded before the failure (kept by Marketplace): {done}"]
    if result.artifacts:
        lines += ["", "### Artifacts", ""]
        lines.append("| Artifact | Artifact ID | Size | Checksum (SHA-512) | Verified | State |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for a in result.artifacts:
            verified = ", ".join(t(k) for k in a.verified) or "no"
            lines.append(
                f"| {t(a.name)} | {c(a.id) if a.id else '-'} "
                f"| {t(human_size(a.size)) if a.size is not None else '-'} "
                f"| {short_checksum(a.checksum)} | {verified} | {t(a.state)} |"
            )
    if result.images:
        lines += ["", "### Listing images", ""]
        lines.append("| Image type | File | Image ID | Dimensions | Size |")
        lines.append("| --- | --- | --- | --- | --- |")
        for i in result.images:
            dims = f"{i.width} x {i.height} px" if i.width and i.height else "-"
            lines.append(
                f"| {t(i.type)} | {c(i.file)} | {c(i.id) if i.id else '-'} "
                f"| {dims} | {t(human_size(i.size)) if i.size is not None else '-'} |"
            )
    if result.release:
        info = result.release
        lines += ["", "### App version", ""]
        lines.append(f"| Outcome | {t(info.status)} |")
        lines.append("| --- | --- |")
        lines.append(f"| Hosting | {t(info.hosting)} |")
        lines.append(f"| Version | {c(info.version_number)} |")
        if info.build_number is not None:
            lines.append(f"| Build number | {c(info.build_number)} |")
        if info.state:
            lines.append(f"| State | {t(info.state)} |")
        if info.url:
            lines.append(f"| API link | {t(info.url)} |")
        if info.marketplace_page:
            lines.append(f"| Marketplace page (public site) | {t(info.marketplace_page)} |")
        copied = info.copied_from
        if copied is not None:
            lines.append(
                f"| Copied from | {c(copied.version_number)} (build {t(copied.build_number)}) |"
            )
        label, _, text = listing_line(result).partition(": ")
        lines.append(f"| {t(label)} | {t(text)} |")
        for entry in info.compatibility:
            low, high = entry.get("min") or {}, entry.get("max") or {}
            lines.append(
                f"| Compatibility | {t(entry.get('product'))} "
                f"{t(low.get('version') or 'copied')} (build {t(low.get('build'))}) to "
                f"{t(high.get('version'))} (build {t(high.get('build'))}) |"
            )
        changelog = info.changelog or {}
        if changelog.get("releaseSummary"):
            lines.append(f"| Release summary | {t(changelog['releaseSummary'], clip=True)} |")
        for file, caption in info.captions:
            lines.append(f"| Caption of {c(file)} | {t(caption)} |")
        notes = changelog.get("releaseNotes")
        if notes:
            lines += [
                "",
                f"<details><summary>Release notes sent ({len(notes)} characters)</summary>",
                "",
                "~~~~text",
                t_block(redact(_clip(notes, MAX_NOTES_CHARS))),
                "~~~~",
                "",
                "</details>",
            ]
    if result.app_listing is not None:
        al = result.app_listing
        changed = ", ".join(f"{t(k)}: {c(v.get('new'))}" for k, v in al.changes.items())
        lines += ["", "| | |", "| --- | --- |"]
        lines.append(
            f"| App listing | {t(al.status)}; {t(al.state)}, approval "
            f"{t(al.approval_status)}, revision {t(al.revision)}"
            + (f"; {changed}" if changed else "")
            + " |"
        )
    if result.timings:
        lines += ["", "### Timings", ""]
        lines.append("| Phase | Time |")
        lines.append("| --- | ---: |")
        for phase, seconds in result.timings.items():
            lines.append(f"| {t(phase)} | {duration(seconds)} |")
    if result.warnings:
        lines += ["", "### Warnings", ""]
        lines += [f"- {t(w, clip=True)}" for w in result.warnings]
    if result_file:
        lines += ["", f"Result file: {c(result_file)}"]
    return redact("\n".join(lines) + "\n\n")


def fit_summary(text: str, max_bytes: int) -> str:
    """``text`` cut at a line boundary so that it, plus a note saying so, takes at most
    ``max_bytes`` UTF-8 bytes; ``text`` unchanged when it fits; ``""`` when not even the
    note fits."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    note_bytes = len(TRUNCATION_NOTE.encode("utf-8"))
    budget = max_bytes - note_bytes
    if budget <= 0:
        return ""
    kept: list[str] = []
    used = 0
    for line in text.splitlines(keepends=True):
        size = len(line.encode("utf-8"))
        if used + size > budget:
            break
        kept.append(line)
        used += size
    return "".join(kept) + TRUNCATION_NOTE

"""The release notes' length limit (``release.max-length.notes``), applied to the notes
actually sent (``changelog.releaseNotes``): the inline text, or the CHANGELOG section
once it is read. Too long is a :class:`~release_publisher.errors.ConfigError` (exit 2)
at ``release.notes.file`` / ``release.notes.text``, before any upload; with the opt-in
``release.notes.truncate`` the notes are cut at a line boundary and end with a line
linking to ``release.notes.link``, and a warning says so.

Marketplace's own limit is not published: the default,
:data:`~release_publisher.limits.MAX_NOTES_CHARS`, is unverified. Lengths are Python
characters (code points) of the text sent.

May import: :mod:`.model`, :mod:`.cross_field` (the shared wording),
:mod:`release_publisher.errors`. Knows nothing of YAML, the schema or how the
CHANGELOG section is found.
"""

from __future__ import annotations

from ..errors import ConfigError
from .cross_field import notes_hint, notes_link_line
from .model import ReleaseConfig


def truncate_notes(notes: str, limit: int, link: str) -> str:
    """``notes`` cut to at most ``limit`` characters at a line boundary, ending with a
    blank line and :func:`~.cross_field.notes_link_line` of ``link``. Whole lines are
    kept from the top while they fit with the link line; trailing blank lines before
    the link are dropped. Notes that fit are returned unchanged. Raises ValueError when
    the link line alone does not fit in ``limit``."""
    if len(notes) <= limit:
        return notes
    tail = notes_link_line(link)
    if len(tail) > limit:
        raise ValueError(f"the link line is longer than {limit} characters")
    kept: list[str] = []
    used = len(tail) + 2  # "\n\n" before the link line
    for line in notes.split("\n"):
        cost = len(line) + 1
        if used + cost > limit:
            break
        kept.append(line)
        used += cost
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept) + "\n\n" + tail if kept else tail


def fit_release_notes(notes: str | None, config: ReleaseConfig) -> tuple[str | None, str | None]:
    """``(notes to send, warning or None)`` for the release notes ``notes`` of
    ``config`` (the text :func:`release_publisher.release.changelog.notes_from_config`
    returned; None: no notes, returned as is).

    Within ``config.release.notes_max_chars``: unchanged, no warning. Longer, with
    ``notes_truncate``: cut (:func:`truncate_notes`) and a warning naming both lengths.
    Longer without it: raises :class:`ConfigError` (exit 2) at ``release.notes.file``
    (or ``release.notes.text``) naming the length, the limit and how to fix it.
    """
    spec = config.release
    if notes is None or spec is None:
        return notes, None
    limit = spec.notes_max_chars
    if len(notes) <= limit:
        return notes, None
    field = "release.notes.file" if spec.notes_file is not None else "release.notes.text"
    what = (
        f"the section for version {config.version} in {spec.notes_file}"
        if spec.notes_file is not None
        else "release.notes.text"
    )
    if spec.notes_truncate and spec.notes_link:
        cut = truncate_notes(notes, limit, spec.notes_link)
        return cut, (
            f"{what} is {len(notes)} characters long; cut at a line boundary to "
            f"{len(cut)} characters (release.max-length.notes is {limit}), ending with a "
            f"link to {spec.notes_link}"
        )
    raise ConfigError(
        f"{what} is {len(notes)} characters long; at most {limit} are allowed",
        hint=notes_hint(limit),
        location=config.where(field),
    )

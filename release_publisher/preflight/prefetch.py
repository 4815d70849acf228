"""Which artifact files pre-flight will check, guessed from the config data before it is
validated, so that hashing them (:mod:`release_publisher.checksums`) can start while the
rest of start-up runs.

The guess uses pre-flight's own matcher (:func:`.files.expand`) on each
``artifacts[].file`` that is a non-empty string and names exactly one path (less what
its ``exclude:`` globs match); anything
else (no match, several, ``**`` patterns that may walk a large tree, a non-string, more
than :data:`MAX_FILES` artifacts) is left to pre-flight, which judges and reports it.
Never raises; reads no file content (the hashing does, and only of regular files).

May import: :mod:`.files`. Knows nothing of hashing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .files import expand

#: At most this many artifact entries are looked at (a config has one to three).
MAX_FILES = 8


def likely_artifact_files(data: Mapping[str, Any], base_dir: Path) -> list[Path]:
    """The artifact files the unvalidated config ``data`` most likely names, in config
    order, each the only match of its ``file`` pattern relative to ``base_dir`` (the
    config file's directory). Never raises."""
    entries = data.get("artifacts") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        return []
    found: list[Path] = []
    for entry in entries[:MAX_FILES]:
        pattern = entry.get("file") if isinstance(entry, Mapping) else None
        if not isinstance(pattern, str) or not pattern.strip() or "**" in pattern:
            continue
        exclude = entry.get("exclude")
        globs = (
            [g for g in exclude if isinstance(g, str) and g] if isinstance(exclude, list) else []
        )
        try:
            matches = expand(pattern, base_dir)
            if globs:  # the artifact's exclude: list, as pre-flight applies it
                left_out = {p for g in globs if "**" not in g for p in expand(g, base_dir)}
                matches = [m for m in matches if m not in left_out]
        except (OSError, ValueError):
            continue
        if len(matches) == 1:
            found.append(matches[0])
    return found

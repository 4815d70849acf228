"""The sandbox's app catalog: registered apps, their app software (one per hosting) and
versions, kept in ``<data dir>/app-software.json`` and reloaded on the next start.

The data only: no HTTP; the one rule it applies itself is "no duplicate build or
version number" (:func:`.rules.duplicates`), under its lock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store import new_id
from .rules import HOSTINGS, duplicates

#: The file under the data dir that keeps apps and versions.
STATE_FILE = "app-software.json"


@dataclass
class Software:
    """One app software (an app on one hosting) and its versions by build number.
    Each version is the stored JSON (without ``_links``)."""

    id: str
    app_key: str
    hosting: str
    name: str
    versions: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass
class AppEntry:
    """A registered app: ``software`` maps hosting to app software ID; ``approval``
    is ``auto``, ``manual`` or ``reject`` (what a public listing becomes: APPROVED,
    SUBMITTED, or PRIVATE and REJECTED)."""

    key: str
    name: str
    approval: str = "auto"
    software: dict[str, str] = field(default_factory=dict)


class Conflict(Exception):
    """A version's build or version number exists already; ``errors`` per field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


class AppCatalog:
    """Apps, their app software and versions, kept in ``path`` (JSON, rewritten
    atomically on each change; None = memory only). Thread-safe."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._apps: dict[str, AppEntry] = {}
        self._software: dict[str, Software] = {}
        self._load()

    # -- apps --------------------------------------------------------------------------

    def register(
        self,
        key: str,
        hostings: Iterable[str],
        *,
        name: str | None = None,
        approval: str | None = None,
        versions: dict[str, list[dict[str, Any]]] | None = None,
    ) -> list[Software]:
        """Register app ``key`` on ``hostings`` (hostings it has already keep their
        IDs) and add seed ``versions`` (hosting -> stored version JSON) all or
        nothing. Returns the app's software. Raises :class:`Conflict` when a seed
        version's build or version number exists already (nothing is changed)."""
        with self._lock:
            entry = self._apps.get(key)
            new_entry = entry is None
            if entry is None:
                entry = AppEntry(key=key, name=name or key)
            for hosting, items in (versions or {}).items():
                existing = self._software.get(entry.software.get(hosting, ""))
                taken = dict(existing.versions) if existing else {}
                for index, item in enumerate(items):
                    errors = duplicates(taken, item, f"versions.{hosting}[{index}].")
                    if errors:
                        raise Conflict(errors)
                    taken[item["buildNumber"]] = item
            if new_entry:
                self._apps[key] = entry
            if name:
                entry.name = name
            if approval:
                entry.approval = approval
            for hosting in hostings:
                if hosting not in entry.software:
                    software = Software(new_id(), key, hosting, entry.name)
                    self._software[software.id] = software
                    entry.software[hosting] = software.id
            for hosting, items in (versions or {}).items():
                software = self._software[entry.software[hosting]]
                for item in items:
                    software.versions[item["buildNumber"]] = item
            self._save()
            return self._software_of(entry)

    def app(self, key: str) -> AppEntry | None:
        """The registered app with that key, or None."""
        with self._lock:
            return self._apps.get(key)

    def software_for_key(self, key: str) -> list[Software] | None:
        """The app software of app ``key`` (hosting order), or None when unknown."""
        with self._lock:
            entry = self._apps.get(key)
            return None if entry is None else self._software_of(entry)

    def software(self, software_id: str) -> Software | None:
        """The app software with that ID, or None."""
        with self._lock:
            return self._software.get(software_id)

    # -- versions ----------------------------------------------------------------------

    def add_version(self, software_id: str, version: dict[str, Any]) -> None:
        """Store ``version`` (JSON, ``buildNumber`` int) unless its build or version
        number exists on that software: then raise :class:`Conflict`. KeyError for
        an unknown software ID."""
        with self._lock:
            software = self._software[software_id]
            errors = duplicates(software.versions, version, "")
            if errors:
                raise Conflict(errors)
            software.versions[version["buildNumber"]] = version
            self._save()

    def version(self, software_id: str, build_number: int) -> dict[str, Any] | None:
        """A copy of the stored version, or None."""
        with self._lock:
            software = self._software.get(software_id)
            found = software.versions.get(build_number) if software else None
            return json.loads(json.dumps(found)) if found is not None else None

    def page(
        self, software_id: str, limit: int, before: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``limit`` versions with ``buildNumber < before`` (all when None),
        highest build number first, and the ``before`` of the next page (None when
        this is the last)."""
        with self._lock:
            software = self._software[software_id]
            builds = sorted(
                (b for b in software.versions if before is None or b < before), reverse=True
            )
            chosen = builds[:limit]
            items = [json.loads(json.dumps(software.versions[b])) for b in chosen]
            return items, (chosen[-1] if len(builds) > limit else None)

    def set_listing(
        self, software_id: str, build_number: int, listing: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Record ``listing`` on the version with ``revision`` = previous + 1 (1 at
        first); returns the stored listing, or None for an unknown version."""
        with self._lock:
            software = self._software.get(software_id)
            version = software.versions.get(build_number) if software else None
            if version is None:
                return None
            previous = version.get("listing")
            revision = (previous.get("revision", 0) if isinstance(previous, dict) else 0) + 1
            stored = {**listing, "revision": revision}
            version["listing"] = stored
            self._save()
            return dict(stored)

    def listing(self, software_id: str, build_number: int) -> dict[str, Any] | None:
        """A copy of the version's stored listing, or None (no version, or no listing)."""
        version = self.version(software_id, build_number)
        listing = version.get("listing") if version is not None else None
        return listing if isinstance(listing, dict) else None

    def listings(self, software_id: str) -> list[dict[str, Any]]:
        """Copies of every stored listing of that software (seeded or published)."""
        with self._lock:
            software = self._software.get(software_id)
            found = [
                v["listing"]
                for v in (software.versions.values() if software else ())
                if isinstance(v.get("listing"), dict)
            ]
            copied: list[dict[str, Any]] = json.loads(json.dumps(found))
            return copied

    # -- housekeeping ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every app and version."""
        with self._lock:
            self._apps.clear()
            self._software.clear()
            self._save()

    def snapshot(self) -> list[dict[str, Any]]:
        """Every app with its software and versions (stored JSON, newest first)."""
        with self._lock:
            copied: list[dict[str, Any]] = json.loads(json.dumps(self._snapshot()))
            return copied

    def _snapshot(self) -> list[dict[str, Any]]:
        return [
            {
                "appKey": entry.key,
                "name": entry.name,
                "approval": entry.approval,
                "software": [
                    {
                        "appSoftwareId": s.id,
                        "hosting": s.hosting,
                        "versions": [s.versions[b] for b in sorted(s.versions, reverse=True)],
                    }
                    for s in self._software_of(entry)
                ],
            }
            for entry in self._apps.values()
        ]

    def _software_of(self, entry: AppEntry) -> list[Software]:
        return [self._software[entry.software[h]] for h in HOSTINGS if h in entry.software]

    def _save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"format": 1, "apps": self._snapshot()}), encoding="utf-8")
        tmp.replace(self.path)

    def _load(self) -> None:
        """Reload what an earlier run left (a malformed file or entry is skipped)."""
        if self.path is None or not self.path.is_file():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            apps = data["apps"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        for app in apps if isinstance(apps, list) else []:
            try:
                entry = AppEntry(
                    key=str(app["appKey"]),
                    name=str(app["name"]),
                    approval=str(app.get("approval", "auto")),
                )
                for item in app["software"]:
                    software = Software(
                        id=str(item["appSoftwareId"]),
                        app_key=entry.key,
                        hosting=str(item["hosting"]),
                        name=entry.name,
                        versions={int(v["buildNumber"]): dict(v) for v in item["versions"]},
                    )
                    if software.hosting in HOSTINGS:
                        self._software[software.id] = software
                        entry.software[software.hosting] = software.id
            except (KeyError, TypeError, ValueError):
                continue
            self._apps[entry.key] = entry

"""Helpers for pre-flight tests: a ReleaseConfig built directly (no YAML loader)."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config.model import ArtifactSpec, ImageSpec, ReleaseConfig
from release_publisher.errors import FileCheckError
from release_publisher.preflight.model import Plan
from release_publisher.preflight.run import run_preflight

APP_KEY = "com.example.hello"
VERSION = "1.4.2"


def make_config(
    base: Path,
    *files: str,
    urls: tuple[str, ...] = (),
    images: tuple[tuple[str, str], ...] = (),
    app_key: str = APP_KEY,
    version: str = VERSION,
    version_source: str = "config",
) -> ReleaseConfig:
    """A config in ``base`` with one artifact per ``files`` glob, then ``urls``, and
    one image entry per ``(type, glob)``."""
    artifacts = [ArtifactSpec(name=f"a{i}", file=f, url=None) for i, f in enumerate(files)]
    artifacts += [ArtifactSpec(name=f"u{i}", file=None, url=u) for i, u in enumerate(urls)]
    return ReleaseConfig(
        path=base / "release.yml",
        base_dir=base,
        app_key=app_key,
        version=version,
        artifacts=tuple(artifacts),
        images=tuple(ImageSpec(type=t, file=f) for t, f in images),
        version_source=version_source,
    )


def preflight_error(config: ReleaseConfig) -> FileCheckError:
    """The FileCheckError run_preflight raises for ``config`` (fails if none)."""
    with pytest.raises(FileCheckError) as info:
        run_preflight(config)
    return info.value


def plan_of(config: ReleaseConfig) -> Plan:
    return run_preflight(config)

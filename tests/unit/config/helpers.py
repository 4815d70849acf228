"""Shared test data for the config loader tests: a full valid example and helpers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from release_publisher.config import ImageSpec, ReleaseConfig, load_config
from release_publisher.errors import ConfigError, Location

SHA = "ABCDEF0123456789" * 8

# A full, valid format-1 config exercising every field.
FULL = f"""\
# yaml-language-server: $schema=https://example.com/release-publisher/schema.json
format: 1
app:
  key: com.example.hello
  version: "1.4.2"
artifacts:
  - name: server
    file: target/hello-*.jar
  - name: dc
    url: https://example.com/releases/hello-dc-1.4.2.obr
    sha512: "{SHA}"
    expect: {{dataCenterCompatible: true, addOnType: two}}
images:
  - type: icon
    file: marketing/icon.png
  - type: screenshot
    file: marketing/shots/*.png
marketplace:
  base-url: https://marketplace.example.com/api/
polling: {{timeout: 120, interval: 1.5}}
uploads: {{spacing: 0}}
"""

# The smallest valid config; tests build malformed variants from it.
MINIMAL = """\
format: 1
app:
  key: com.example.hello
  version: "1.4.2"
artifacts:
  - file: target/hello.jar
"""


def write(tmp_path: Path, content: str | bytes, name: str = "release.yml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def load(
    tmp_path: Path,
    content: str | bytes,
    *,
    env: Mapping[str, str] | None = None,
    version_override: str | None = None,
) -> ReleaseConfig:
    return load_config(
        write(tmp_path, content),
        env={} if env is None else env,
        version_override=version_override,
    )


def fail(
    tmp_path: Path,
    content: str | bytes,
    *,
    env: Mapping[str, str] | None = None,
    version_override: str | None = None,
) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, content, env=env, version_override=version_override)
    err = info.value
    assert err.exit_code == 2
    assert err.hint, "every config error carries a hint"
    assert "Traceback" not in err.render()
    return err


HEAD = 'format: 1\napp:\n  key: com.example.hello\n  version: "1.4.2"\n'
# HEAD is lines 1-4; "artifacts:" below is line 5 and its first entry line 6.


def arts(body: str) -> str:
    return HEAD + "artifacts:\n" + body


BASE = """\
format: 1
app:
  key: com.example.hello
  version: "1.4.2"
artifacts:
  - name: server
    file: target/hello.jar
  - name: dc
    file: target/hello-dc.jar
images:
  - type: screenshot
    file: shots/*.png
"""
# BASE is lines 1-12; "release:" below is line 13, its first key line 14.


def with_release(tmp_path: Path, release: str) -> str:
    (tmp_path / "CHANGELOG.md").write_text("## [1.4.2]\n- fixed\n")
    return BASE + release


def assert_full(cfg: ReleaseConfig, path: Path) -> None:
    """Every field of the FULL example."""
    assert cfg.path == path
    assert cfg.base_dir == path.parent.resolve()
    assert cfg.app_key == "com.example.hello"
    assert cfg.version == "1.4.2"
    assert cfg.version_source == "config"
    assert [(a.name, a.file, a.url, a.sha512, a.expect, a.source) for a in cfg.artifacts] == [
        ("server", "target/hello-*.jar", None, None, {}, "file"),
        (
            "dc",
            None,
            "https://example.com/releases/hello-dc-1.4.2.obr",
            SHA.lower(),
            {"dataCenterCompatible": True, "addOnType": "two"},
            "url",
        ),
    ]
    assert [(i.type, i.file) for i in cfg.images] == [
        ("icon", "marketing/icon.png"),
        ("screenshot", "marketing/shots/*.png"),
    ]
    assert all(isinstance(i, ImageSpec) for i in cfg.images)
    assert cfg.base_url == "https://marketplace.example.com/api"
    assert cfg.poll_timeout == 120.0
    assert cfg.poll_interval == 1.5
    assert cfg.upload_spacing == 0.0
    file = str(path)
    assert cfg.locations["app.version"] == Location(file, 5, 12, "app.version")
    assert cfg.locations["artifacts[0].file"] == Location(file, 8, 11, "artifacts[0].file")
    assert cfg.locations["artifacts[1].url"] == Location(file, 10, 10, "artifacts[1].url")
    assert cfg.locations["images[1].type"] == Location(file, 16, 11, "images[1].type")
    assert cfg.artifacts[1].location == Location(file, 9, 5, "artifacts[1]")
    assert cfg.where("polling.interval") == Location(file, 20, 35, "polling.interval")

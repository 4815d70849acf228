"""Shared test data for the config loader tests: a full valid example and helpers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from release_publisher.config import ReleaseConfig, load_config
from release_publisher.errors import ConfigError

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

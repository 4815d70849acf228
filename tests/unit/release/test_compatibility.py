"""Compatibility by product version: resolution to build numbers, the copied range
extended to latest, and the errors for unknown products and versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.clock import FakeClock
from release_publisher.config import load_config
from release_publisher.config.model import Compatibility, ProductRange, VersionSpec
from release_publisher.errors import ConfigError, Location
from release_publisher.release.compatibility import resolve_compatibility
from release_publisher.release.existing import ExistingVersion

from ..fakes import FakeApi

JIRA = [("10.4.1", 10040001), ("10.3.1", 10030001), ("9.12.0", 912000)]
PREVIOUS = ExistingVersion(
    build_number=100,
    version_number="1.4.1",
    compatibilities=[Compatibility("jira", 900000, 1000000)],
)


def where(path: str) -> Location:
    return Location(file="release.yml", field=path)


def api() -> FakeApi:
    fake = FakeApi(FakeClock())
    fake.parent_versions = {"jira": JIRA, "confluence": [("9.2.0", 9200)]}
    return fake


def spec(
    *ranges: ProductRange, copy: bool = True, builds: tuple[Compatibility, ...] = ()
) -> VersionSpec:
    return VersionSpec(
        artifact="server",
        hosting="datacenter",
        copy_from_previous=copy,
        compatibility=builds or None,
        product_compatibility=ranges,
    )


def resolve(s: VersionSpec, fake: FakeApi | None = None) -> tuple[VersionSpec, list[str]]:
    out, ranges = resolve_compatibility(
        s, fake or api(), versions=[PREVIOUS], version_number="1.4.2", where=where
    )
    return out, [r.describe() for r in ranges]


def test_versions_become_build_numbers_and_the_plan_shows_both() -> None:
    out, lines = resolve(spec(ProductRange(0, "jira", "9.12.0", "10.3.1")))
    assert out.compatibility == (Compatibility("jira", 912000, 10030001),)
    assert lines == ["jira 9.12.0 (build 912000) to 10.3.1 (build 10030001)"]


def test_build_number_entries_are_kept_and_latest_is_the_newest() -> None:
    builds = (Compatibility("confluence", 8000, 9000),)
    out, lines = resolve(spec(ProductRange(1, "jira", "9.12.0", "latest"), builds=builds))
    assert out.compatibility == (builds[0], Compatibility("jira", 912000, 10040001))
    assert lines == ["jira 9.12.0 (build 912000) to latest: 10.4.1 (build 10040001)"]


def test_no_min_extends_the_copied_range_and_says_so() -> None:
    out, lines = resolve(spec(ProductRange(0, "jira", None, "latest")))
    assert out.compatibility == (Compatibility("jira", 900000, 10040001),)
    assert "copied from 1.4.1 (build 100)" in lines[0]
    assert "extended to the newest product version" in lines[0]


def test_no_min_without_anything_to_copy_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"release.compatibility\[0\].min is not given"):
        resolve(spec(ProductRange(0, "jira", None, "latest"), copy=False))


def test_without_product_entries_nothing_is_asked() -> None:
    fake = api()
    s = spec(builds=(Compatibility("jira", 1, 2),))
    assert resolve(s, fake)[0] is s
    assert fake.calls == []


@pytest.mark.parametrize(
    ("entry", "field", "closest"),
    [
        (ProductRange(0, "jira", "9.12.1", "10.3.1"), "release.compatibility[0].min", "9.12.0"),
        (ProductRange(2, "jira", "9.12.0", "10.3.2"), "release.compatibility[2].max", "10.3.1"),
        (ProductRange(0, "jria", "9.12.0", "10.3.1"), "release.compatibility[0].product", "jira"),
    ],
)
def test_unknown_values_name_the_field_and_the_closest_known(
    entry: ProductRange, field: str, closest: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(spec(entry))
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith(field)
    assert f"closest known: {closest}" in caught.value.message
    assert caught.value.location is not None and caught.value.location.field == field


def test_min_above_max_is_an_error() -> None:
    with pytest.raises(ConfigError, match="above max"):
        resolve(spec(ProductRange(0, "jira", "10.3.1", "9.12.0")))


def test_config_file_forms(tmp_path: Path) -> None:
    text = (
        "format: 1\napp: {key: com.example.hello, version: '1.4.2'}\n"
        "artifacts: [{file: a.jar}]\n"
        "release:\n  artifact: artifact\n  hosting: datacenter\n  compatibility:\n"
        "    - {parent-software-id: confluence, min-build: 1, max-build: 2}\n"
        "    - {product: jira, min: '9.12.0', max: latest}\n"
    )
    path = tmp_path / "release.yml"
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    assert cfg.release is not None
    assert cfg.release.compatibility == (Compatibility("confluence", 1, 2),)
    assert cfg.release.product_compatibility == (ProductRange(1, "jira", "9.12.0", "latest"),)
    mixed = text.replace("{product: jira,", "{product: jira, min-build: 5,")
    path.write_text(mixed, encoding="utf-8")
    with pytest.raises(ConfigError, match="mixes product"):
        load_config(path)

"""The typed config built from a valid file: values, defaults, the ``--version``
override and the ``release:`` section as a ``VersionSpec``."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.config import ArtifactSpec
from release_publisher.config.model import DEFAULT_BASE_URL, Compatibility, ListingSpec, VersionSpec
from release_publisher.errors import Location

from .helpers import BASE, FULL, MINIMAL, assert_full, fail, load, with_release, write

FULL_RELEASE = """\
release:
  artifact: server
  hosting: datacenter
  build-number: 1004002
  copy-from-previous: false
  compatibility:
    - {parent-software-id: "jira", min-build: 900000, max-build: 1000000}
    - parent-software-id: confluence
      min-build: 8000
      max-build: 8000
  payment-model: paid-via-vendor
  license-type: commercial
  beta: true
  supported: false
  summary: "Fixes a crash on start"
  notes: {file: CHANGELOG.md}
  agreements: [https://example.com/agreement]
  listing:
    state: private
    screenshots: screenshot
"""


def test_full_example(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    assert_full(load(tmp_path, FULL), path)


def test_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL)
    assert cfg.artifacts == (
        ArtifactSpec(
            name="artifact", file="target/hello.jar", url=None, location=cfg.artifacts[0].location
        ),
    )
    assert cfg.images == ()
    assert cfg.base_url == DEFAULT_BASE_URL
    assert (cfg.poll_timeout, cfg.poll_interval, cfg.upload_spacing) == (300.0, 2.0, 10.0)
    assert "polling.timeout" not in cfg.locations
    assert cfg.where("polling.timeout") == Location(
        str(tmp_path / "release.yml"), field="polling.timeout"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("v1.4.2", "1.4.2"),
        ("V2.0", "2.0"),
        ("1.4.2", "1.4.2"),
        ("v", "v"),
        ("vx1", "vx1"),
        ("vv1.2", "vv1.2"),
        ("version-1", "version-1"),
        ("release-1.4.2", "release-1.4.2"),
        ("1.10", "1.10"),
    ],
)
def test_version_override(tmp_path: Path, given: str, expected: str) -> None:
    cfg = load(tmp_path, MINIMAL, version_override=given)
    assert cfg.version == expected
    assert cfg.version_source == "--version"
    assert "app.version" not in cfg.locations


@pytest.mark.parametrize("given", ["", "   ", " v1.0", "1.0\n"])
def test_version_override_empty_or_blank(tmp_path: Path, given: str) -> None:
    err = fail(tmp_path, MINIMAL, version_override=given)
    # both spellings of the option (and the action input it comes from), whichever was used
    assert err.message.startswith("--app-version/--version ")
    assert err.hint is not None
    assert "--app-version 1.4.2" in err.hint and "action input: version" in err.hint
    assert err.location is None  # not a place in the config file


def test_version_override_allows_missing_version(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace('  version: "1.4.2"\n', ""), version_override="v3.0.0")
    assert cfg.version == "3.0.0"


def test_version_override_skips_unset_variable_in_version(tmp_path: Path) -> None:
    text = MINIMAL.replace('"1.4.2"', "${RELEASE_VERSION}")
    assert load(tmp_path, text, version_override="1.0").version == "1.0"
    err = fail(tmp_path, text)
    assert "RELEASE_VERSION" in err.message


def test_version_override_does_not_hide_a_bad_version_in_the_file(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace('"1.4.2"', "1.10"), version_override="1.10")
    assert err.location is not None and err.location.field == "app.version"


def test_full_section(tmp_path: Path) -> None:
    cfg = load(tmp_path, with_release(tmp_path, FULL_RELEASE))
    assert cfg.release == VersionSpec(
        artifact="server",
        hosting="datacenter",
        build_number=1004002,
        copy_from_previous=False,
        compatibility=(
            Compatibility("jira", 900000, 1000000),
            Compatibility("confluence", 8000, 8000),
        ),
        payment_model="paid-via-vendor",
        license_type="commercial",
        beta=True,
        supported=False,
        summary="Fixes a crash on start",
        notes_file="CHANGELOG.md",
        notes_text=None,
        agreements=("https://example.com/agreement",),
        listing=ListingSpec(state="private", screenshots="screenshot"),
    )
    assert cfg.release.stated >= {"beta", "supported", "listing.state", "notes.file"}
    file = str(tmp_path / "release.yml")
    assert cfg.where("release.hosting") == Location(file, 15, 12, "release.hosting")
    assert cfg.where("release.compatibility[0].max-build") == Location(
        file, 19, 66, "release.compatibility[0].max-build"
    )
    assert cfg.where("release.listing.screenshots") == Location(
        file, 32, 18, "release.listing.screenshots"
    )
    assert cfg.where("release").line == 13


def test_minimal_section_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, BASE + "release: {artifact: dc, hosting: server}\n")
    assert cfg.release == VersionSpec(artifact="dc", hosting="server")
    assert cfg.release.build_number == "auto" and cfg.release.copy_from_previous
    assert (cfg.release.beta, cfg.release.supported, cfg.release.listing) == (False, True, None)
    assert cfg.release.stated == {"artifact", "hosting"}


def test_format_1_without_the_section_is_unchanged(tmp_path: Path) -> None:
    assert load(tmp_path, MINIMAL).release is None


def test_unnamed_artifact_is_named_artifact(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL + "release: {artifact: artifact, hosting: cloud}\n")
    assert cfg.release is not None and cfg.release.artifact == "artifact"


def test_interpolated_build_number_and_booleans(tmp_path: Path) -> None:
    text = BASE + (
        "release:\n  artifact: server\n  hosting: datacenter\n"
        "  build-number: ${BUILD:-auto}\n  beta: ${BETA:-false}\n  listing: {}\n"
    )
    cfg = load(tmp_path, text, env={"BUILD": "77", "BETA": "true"})
    assert cfg.release is not None
    assert (cfg.release.build_number, cfg.release.beta) == (77, True)
    assert cfg.release.listing == ListingSpec()
    cfg = load(tmp_path, text, env={})
    assert cfg.release is not None and (cfg.release.build_number, cfg.release.beta) == (
        "auto",
        False,
    )


def test_if_exists_and_copy_from(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        BASE + 'release: {artifact: dc, hosting: server, if-exists: skip, copy-from: "1.9.1"}\n',
    )
    assert cfg.release is not None
    assert (cfg.release.if_exists, cfg.release.copy_from) == ("skip", "1.9.1")
    plain = load(tmp_path, BASE + "release: {artifact: dc, hosting: server}\n").release
    assert plain is not None and (plain.if_exists, plain.copy_from) == ("fail", None)


def test_a_bad_if_exists_names_the_field_and_line(tmp_path: Path) -> None:
    error = fail(
        tmp_path, BASE + "release:\n  artifact: dc\n  hosting: server\n  if-exists: overwrite\n"
    )
    assert "if-exists" in error.render()
    assert error.location is not None and error.location.line is not None


def test_on_size_mismatch_of_an_image_entry(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        MINIMAL + "images:\n  - {type: banner, file: b.png, on-size-mismatch: warn}\n"
        "  - {type: icon, file: i.png}\n",
    )
    assert [i.on_size_mismatch for i in cfg.images] == ["warn", "fail"]
    err = fail(
        tmp_path, MINIMAL + "images:\n  - {type: banner, file: b.png, on-size-mismatch: no}\n"
    )
    assert err.location is not None and err.location.field == "images[0].on-size-mismatch"


def test_a_misspelt_on_size_mismatch_gets_the_allowed_values(tmp_path: Path) -> None:
    err = fail(
        tmp_path, MINIMAL + "images:\n  - {type: icon, file: i.png, on-size-mismatch: warning}\n"
    )
    assert "must be one of fail, warn; got 'warning'" in err.message
    assert "did you mean 'warn'?" in (err.hint or "")


HEADER = 'format: 1\napp:\n  key: com.example.hello\n  version: "1.4.2"\n'


def test_an_artifact_exclude_list_is_read_in_order(tmp_path: Path) -> None:
    text = HEADER + (
        "artifacts:\n"
        "  - name: server\n"
        "    file: target/hello-*.jar\n"
        '    exclude: ["target/*-sources.jar", "target/*-javadoc.jar"]\n'
    )
    (spec,) = load(tmp_path, text).artifacts
    assert spec.exclude == ("target/*-sources.jar", "target/*-javadoc.jar")


def test_exclude_on_a_url_artifact_names_the_field(tmp_path: Path) -> None:
    text = HEADER + (
        "artifacts:\n  - name: dc\n    url: https://example.com/a.obr\n    exclude: [a.obr]\n"
    )
    err = fail(tmp_path, text)
    assert err.message == "artifacts[0].exclude is only allowed with file"
    assert err.location is not None
    assert (err.location.line, err.location.field) == (8, "artifacts[0].exclude")

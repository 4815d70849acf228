"""Poll answers an adversarial review sent (hardening): a GET of artifact A answered
with another artifact, ``details.key`` / ``details.version`` that are no strings (they
never become the release's, so polling on would only reach the timeout), and a
timeout's "last:" text when the answers hold garbage (FakeClock, no real waits)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.errors import ProcessingTimeout, VerificationError
from release_publisher.marketplace.models import Artifact

from ..fakes import DETAILS, KEY, FakeApi, make_plan, publish_run
from ..marketplace.helpers import BASE, artifact_json, make_client


class OtherArtifactApi(FakeApi):
    """Answers every GET with artifact ``b9`` (processed), whatever was asked."""

    def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
        self.calls.append(("get", artifact_id, self.clock.monotonic()))
        return Artifact(
            id="b9", self_url="/rest/3/artifacts/b9", checksum=self.current_sha, details=DETAILS
        )


def test_a_poll_answered_with_another_artifact_fails_naming_both(tmp_path: Path) -> None:
    clock = FakeClock()
    api = OtherArtifactApi(clock)
    result, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert isinstance(error, VerificationError)
    assert "GET /rest/3/artifacts/a1 was answered with another artifact: 'b9'" in error.message
    assert "/rest/3/artifacts/b9" in error.message
    record = result.artifacts[0]
    assert record.id == "a1"  # never silently replaced by b9
    assert record.key is None and record.version is None
    assert [c[0] for c in api.calls].count("get") == 1


def test_the_client_refuses_an_answer_for_another_artifact(requests_mock: Any) -> None:
    requests_mock.get(f"{BASE}/rest/3/artifacts/a1", json=artifact_json("b9"))
    with pytest.raises(VerificationError) as info:
        make_client().get_artifact("a1")
    assert "GET /rest/3/artifacts/a1 was answered with another artifact: 'b9'" in (
        info.value.message
    )


@pytest.mark.parametrize(
    ("details", "said"),
    [
        ({"key": KEY, "version": 1.4}, "Marketplace reported version 1.4 as a number"),
        ({"key": KEY, "version": 142}, "Marketplace reported version 142 as a number"),
        ({"key": True, "version": "1.4.2"}, "Marketplace reported app key true as a boolean"),
        ({"key": KEY, "version": ["1.4.2"]}, 'Marketplace reported version ["1.4.2"] as a list'),
        ({"key": {"k": KEY}, "version": "1.4.2"}, 'reported app key {"k": '),
    ],
)
def test_a_key_or_version_that_is_no_string_fails_at_once(
    tmp_path: Path, details: dict[str, Any], said: str
) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[details] * 1000)
    start = clock.monotonic()
    result, _, error = publish_run(make_plan(tmp_path, poll_timeout=300), api, clock)
    assert isinstance(error, VerificationError), error
    assert said in error.message
    assert "artifact a1" in error.message
    assert clock.monotonic() - start < 5  # not polled until the timeout
    assert [c[0] for c in api.calls].count("get") == 1
    assert result.artifacts[0].id == "a1"


def test_a_null_version_is_still_waited_for(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[{"key": KEY, "version": None}, DETAILS])
    result, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert error is None and result.status == "published"


def test_the_last_state_of_a_timeout_shows_no_raw_value(tmp_path: Path) -> None:
    garbage = {"key": "", "version": "1.4.2\x1b[31m\u202e\r", "name": "\x1b]0;x\x07"}
    clock = FakeClock()
    api = FakeApi(clock, polls=[garbage] * 1000)
    _, _, error = publish_run(make_plan(tmp_path, poll_timeout=30), api, clock)
    assert isinstance(error, ProcessingTimeout)
    assert error.message.endswith("last: details without key)")
    for char in ("\x1b", "\u202e", "\r", "\x07"):
        assert char not in error.message

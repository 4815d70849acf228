"""Hints that fit the failure (issue 16, item 6): a deterministic refusal (a 4xx
naming a field) says to fix that field, not "run the same release again"; failures a
re-run can finish (no answer, 408, 429, 5xx, a request that may have taken effect)
keep the re-run hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.clock import FakeClock
from release_publisher.config.model import VersionSpec
from release_publisher.errors import ApiError, TransportError
from release_publisher.release.version import rerun_can_finish

from ..fakes import PREVIOUS_VERSION, FakeApi, make_plan, publish_run

RERUN = "to finish, run the same release again"


def _create_fails_with(tmp_path: Path, error: ApiError) -> ApiError:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [dict(PREVIOUS_VERSION)]
    api.fail_create = error
    plan = make_plan(tmp_path, release=VersionSpec(artifact="jar0", hosting="datacenter"))
    _, _, raised = publish_run(plan, api, clock)
    assert isinstance(raised, ApiError)
    return raised


@pytest.mark.parametrize("status", [400, 403, 409, 422])
def test_a_refused_field_says_to_fix_it_not_to_rerun(tmp_path: Path, status: int) -> None:
    error = _create_fails_with(
        tmp_path,
        ApiError(
            "POST .../versions failed: Invalid value for field 'supportedPaymentModel'",
            hint="Marketplace refused the version: fix the fields named above",
            status=status,
        ),
    )
    hint = error.hint or ""
    assert RERUN not in hint
    assert "fails the same way" in hint and "fix the field it names" in hint
    assert "--resume" in hint  # the uploaded artifact is still reused


@pytest.mark.parametrize(
    "error",
    [
        ApiError("Service Unavailable", status=503),
        ApiError("Too Many Requests", status=429),
        ApiError("Request Timeout", status=408),
        TransportError("read timed out"),
        ApiError("no answer to the whole body", status=400, may_have_taken_effect=True),
    ],
    ids=["503", "429", "408", "timeout", "may-have-taken-effect"],
)
def test_failures_a_rerun_can_finish_keep_the_rerun_hint(tmp_path: Path, error: ApiError) -> None:
    assert rerun_can_finish(error)
    assert RERUN in (_create_fails_with(tmp_path, error).hint or "")

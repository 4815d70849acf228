"""The app key and version seeds of the sandbox versions tests, shared by the unit tier
(werkzeug test Client) and the integration tier (a running sandbox)."""

from __future__ import annotations

from typing import Any

KEY = "com.example.hello"


def version_seeds(
    count: int, *, first_build: int, compatibilities: bool = True
) -> list[dict[str, Any]]:
    """``count`` version seeds for ``POST /_sandbox/apps``: build numbers
    ``first_build`` + n, version numbers ``1.n.0``, a free payment model and (given
    ``compatibilities``) one Jira compatibility."""
    seeds: list[dict[str, Any]] = []
    for n in range(count):
        version: dict[str, Any] = {"buildNumber": first_build + n, "versionNumber": f"1.{n}.0"}
        if compatibilities:
            version["compatibilities"] = [
                {"parentSoftwareId": "jira", "minBuildNumber": 1, "maxBuildNumber": 2}
            ]
        version["supportedPaymentModel"] = "free"
        seeds.append(version)
    return seeds

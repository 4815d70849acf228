"""The parent software endpoints (Atlassian's host products) with a seeded catalogue.

- ``GET /rest/3/parent-software``: ``{links, parentSoftware: [{id, name,
  hostingOptions, state, revision}]}``;
- ``GET /rest/3/parent-software/{id}/versions?limit=N&cursor=C``: a page of its
  versions, newest first, ``{items: [...], links: {self, next}}`` (fault endpoint
  ``parent-software``);
- ``GET /rest/3/parent-software/{id}/versions/number/{versionNumber}`` and
  ``.../versions/build/{buildNumber}``: one version ``{buildNumber, versionNumber,
  hosting, state, revision, createdAt}``; unknown: 404.

The catalogue (:data:`CATALOGUE`) is a few Jira and Confluence Data Center versions
with real-looking build numbers; it is fixed (no admin path changes it). The page
shape (``items``) follows the developer-space listing; Marketplace's own page key for
these versions is UNVERIFIED. Knows the router and :mod:`.http` only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from .http import Call, invalid, json_response, not_found, offset_cursor, offset_of_cursor
from .routing import Router
from .state import SandboxState

#: product ID -> (name, ((versionNumber, buildNumber), ...) oldest first)
CATALOGUE: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {
    "jira": (
        "Jira",
        (
            ("9.4.0", 904000),
            ("9.12.0", 912000),
            ("9.12.15", 912015),
            ("10.0.0", 10000000),
            ("10.3.0", 10030000),
            ("10.3.1", 10030001),
            ("10.4.1", 10040001),
        ),
    ),
    "confluence": (
        "Confluence",
        (
            ("7.19.0", 8804),
            ("8.5.0", 9012),
            ("8.5.4", 9016),
            ("9.0.1", 9103),
            ("9.2.0", 9200),
        ),
    ),
}
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50


def register(router: Router, state: SandboxState) -> None:
    """Route the parent software endpoints (``state`` is not needed: the catalogue is
    fixed)."""
    del state
    base = "/rest/3/parent-software"
    router.add(base, "parent_software", _products, methods=["GET"], fault="parent-software")
    router.add(
        f"{base}/<product>/versions",
        "parent_software_versions",
        _versions,
        methods=["GET"],
        fault="parent-software",
    )
    router.add(
        f"{base}/<product>/versions/number/<number>",
        "parent_software_version_number",
        _by_number,
        methods=["GET"],
        fault="parent-software",
    )
    router.add(
        f"{base}/<product>/versions/build/<build>",
        "parent_software_version_build",
        _by_build,
        methods=["GET"],
        fault="parent-software",
    )


def version_json(product: str, number: str, build: int) -> dict[str, Any]:
    """One parent software version in the API's form."""
    return {
        "buildNumber": build,
        "versionNumber": number,
        "hosting": ["server", "datacenter"],
        "state": "active",
        "revision": 1,
        "createdAt": "2024-01-01T00:00:00Z",
        "_links": {
            "self": {"href": f"/rest/3/parent-software/{quote(product)}/versions/build/{build}"}
        },
    }


def _products(call: Call) -> Response:
    del call
    return json_response(
        {
            "links": {"self": "/rest/3/parent-software"},
            "parentSoftware": [
                {
                    "id": pid,
                    "name": name,
                    "hostingOptions": ["server", "datacenter"],
                    "state": "active",
                    "revision": 1,
                }
                for pid, (name, _versions) in CATALOGUE.items()
            ],
        }
    )


def _product(call: Call) -> tuple[str, tuple[tuple[str, int], ...]] | Response:
    product = call.args["product"]
    entry = CATALOGUE.get(product)
    if entry is None:
        return not_found(f"no parent software {product!r} (sandbox: {', '.join(CATALOGUE)})")
    return product, entry[1]


def _versions(call: Call) -> Response:
    found = _product(call)
    if isinstance(found, Response):
        return found
    product, versions = found
    limit_text = call.request.args.get("limit", str(DEFAULT_PAGE_SIZE))
    limit = int(limit_text) if limit_text.isdigit() and len(limit_text) < 6 else 0
    if not 1 <= limit <= MAX_PAGE_SIZE:
        return invalid(f"limit must be 1..{MAX_PAGE_SIZE}, got {limit_text!r}")
    cursor = call.request.args.get("cursor")
    start = offset_of_cursor(cursor) if cursor is not None else 0
    if start is None:
        return invalid("cursor is not one this server issued")
    newest_first = list(reversed(versions))
    page = newest_first[start : start + limit]
    path = f"/rest/3/parent-software/{quote(product)}/versions"
    links: dict[str, str] = {"self": f"{path}?limit={limit}"}
    if start + limit < len(newest_first):
        links["next"] = f"{path}?limit={limit}&cursor={offset_cursor(start + limit)}"
    return json_response({"items": [version_json(product, n, b) for n, b in page], "links": links})


def _by_number(call: Call) -> Response:
    found = _product(call)
    if isinstance(found, Response):
        return found
    product, versions = found
    for number, build in versions:
        if number == call.args["number"]:
            return json_response(version_json(product, number, build))
    return not_found(f"parent software {product!r} has no version {call.args['number']!r}")


def _by_build(call: Call) -> Response:
    found = _product(call)
    if isinstance(found, Response):
        return found
    product, versions = found
    for number, build in versions:
        if str(build) == call.args["build"]:
            return json_response(version_json(product, number, build))
    return not_found(f"parent software {product!r} has no build {call.args['build']!r}")

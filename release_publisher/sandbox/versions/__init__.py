"""App software, versions and listings in the sandbox (the release step after the upload).

Paths (HTTP Basic auth, request log and fault injection as for the artifact endpoints;
fault-queue endpoint names in brackets):

=================================================================  ==================
``GET  /rest/3/app-software/app-key/{appKey}``                     [app-software]
``GET  /rest/3/app-software/{appSoftwareId}/versions``             [versions]
``POST /rest/3/app-software/{appSoftwareId}/versions``             [create-version]
``GET  /rest/3/app-software/{appSoftwareId}/versions/{build}``     [get-version]
``POST /rest/3/app-software/{appSoftwareId}/versions/{build}/listing``  [listing]
``GET  /rest/3/app-software/{appSoftwareId}/versions/{build}/listing``  [get-listing]
=================================================================  ==================

Shapes (what Marketplace is known to send, plus the sandbox's documented guesses):

* app software: ``[{"appSoftwareId", "appKey", "hosting": "cloud"|"server"|"datacenter",
  "name", "_links": {"versions": {"href"}}}]``, one entry per hosting (in the order
  cloud, server, datacenter). Unknown app key: 404 ``NOT_FOUND`` (like Marketplace; the
  sandbox knows only apps registered with ``--app`` or ``POST /_sandbox/apps``).
* versions page: ``{"versions": [version, ...], "links": {"next": "/rest/3/app-software/
  {id}/versions?limit=N&cursor=C"}}``, newest first (highest ``buildNumber`` first);
  ``links`` is ``{}`` on the last page. ``limit`` 1..50, default 10 (anything else: 400
  ``VALIDATION_FAILED``, path ``limit``); ``cursor`` is opaque (a bad one: 400, path
  ``cursor``). The next link is relative to the base URL, like ``_links.self.href``.
* version: ``{"buildNumber": int, "versionNumber", "state": "active", "compatibilities":
  [{"parentSoftwareId", "minBuildNumber", "maxBuildNumber"}], "supportedPaymentModel",
  "licenseType": {"id"} (when given), "frameworkDetails": {"frameworkId", "attributes":
  {"artifactId", "pluginFrameworkType"}}, "supported": bool, "beta": bool, "changelog":
  {"releaseSummary", "releaseNotes"} (when given), "acceptedAgreements" (when given),
  "createdAt" (ISO 8601, created through the API), "_links": {"self": {"href":
  "/rest/3/app-software/{id}/versions/{buildNumber}"}, "artifact": {"href":
  "/rest/3/artifacts/{artifactId}"} (when set)}}``.

Creating a version (the rules are the sandbox's plausible guess; Marketplace does not
document them): 400 ``VALIDATION_FAILED`` with every field error at once, each
``{"code", "message", "path"}`` (e.g. ``compatibilities[0].maxBuildNumber``), for:
``buildNumber`` not a positive integer; ``versionNumber`` not a non-empty string;
``supportedPaymentModel`` missing or not a non-empty string; ``compatibilities`` missing
or empty on server/datacenter, an entry without ``parentSoftwareId`` or with
``minBuildNumber``/``maxBuildNumber`` not integers >= 0 or min > max;
``frameworkDetails.frameworkId`` missing (``plugin`` required on server/datacenter);
``frameworkDetails.attributes.artifactId`` missing, unknown to the sandbox, still being
processed, or (sandbox rule) an artifact whose ``details.key`` is not the app key or,
on server/datacenter, whose ``details.version`` is not ``versionNumber``; ``supported``
/ ``beta`` not booleans; ``licenseType``/``changelog`` not objects;
``changelog.releaseNotes`` longer than ``sandbox --max-release-notes`` characters (code
``TOO_LONG``, both lengths named; off by default: Marketplace's limit is unverified).
Then duplicates:
an existing ``buildNumber`` or ``versionNumber`` on the same app software gives 409
``DUPLICATE_VERSION`` with errors on the path(s) concerned. Success: 201 with the
version and ``Location`` (its ``_links.self.href``). Unknown top-level fields are
ignored and not stored.

Publishing a listing (``POST``): the body the one release client known to run in
production sends, ``{"state": "PUBLIC"|"PRIVATE", "revision": 1, "screenshots":
[{"imageId", "caption"}], "highlights": [{"title", "caption", "summary", "thumbnail",
"screenshot": {"imageId", "caption"}}], "moreDetails", "heroImage", "youtubeId",
"deploymentInstructions": [{"body", "screenshot"?}], "developerLinks": {...}}``.
``state`` is accepted in any case and stored uppercase (as Marketplace reports it).
Every ``imageId`` (and every key ending in ``ImageId``) anywhere in the body must name
an image uploaded to the sandbox or already on a listing of this app software (400
``VALIDATION_FAILED`` otherwise, path e.g. ``screenshots[1].imageId``); every other
field is accepted and kept. Unknown build number: 404. Answers 200 ``{"state",
"approvalStatus", "revision"}``: ``revision`` is 1 on the first publish and goes up by
one on each repeat; a ``revision`` in the request is accepted and ignored (its meaning
is not known); ``approvalStatus`` is ``APPROVED`` for a public listing (``SUBMITTED``
when the app was seeded with ``"approval": "manual"``; with ``"approval": "reject"``
the listing becomes ``state: PRIVATE, approvalStatus: REJECTED``) and ``UNINITIATED``
for a private one (a guess among the words Marketplace reports).

Reading a listing (``GET``): the whole stored listing (published, or given in a seed's
version as ``"listing": {...}``) with ``state``, ``approvalStatus`` and ``revision``;
404 when the version has none (UNVERIFIED: Marketplace's answer for a version without
a listing is not known). A version's JSON does not carry its listing.

Admin (no auth, loopback only): ``POST /_sandbox/apps`` registers apps (see
:meth:`.api.AppSoftwareApi.admin_apps`); ``GET /_sandbox/apps`` lists them;
``GET /_sandbox/state`` shows them under ``apps``; ``/_sandbox/versions/quirks``
rehearses version outcomes (:mod:`.quirks`: fields stored otherwise, a create answer
lost after storing, a stale versions list); ``POST /_sandbox/reset`` forgets
them (the ``--app`` ones are registered again, with new IDs). Everything is kept in
``<data dir>/app-software.json`` and reloaded on the next start.
"""

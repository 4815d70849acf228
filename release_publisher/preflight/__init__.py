"""Pre-flight: every check of local files, before any request.

:func:`~.run.run_preflight` turns a :class:`~release_publisher.config.model.ReleaseConfig`
into a :class:`~release_publisher.preflight.model.Plan`, or raises
:class:`~release_publisher.errors.FileCheckError` (exit 3) for the first problem, with
a hint and the config location of the entry (``artifacts[i].file`` or
``images[i].file``). It never opens a socket.

Artifacts (``artifacts[]`` with ``file``), in config order:

1. the glob matches exactly one regular, non-empty file once the paths its
   ``exclude:`` globs match are left out (see :mod:`.files`);
2. its size (``os.stat``, the file is not read for it) is at most
   :data:`~release_publisher.limits.MAX_ARTIFACT_BYTES`;
3. its kind is told by content (see :mod:`.descriptors`): a known extension that
   contradicts the content (``.jar`` holding text or JSON, ``.json`` holding a zip) is
   an error; content with an unknown extension, or an OBR named ``.jar``, is a warning;
4. its app key (and, except for Connect, version) must equal ``app.key`` /
   ``app.version``; unreplaced ``${...}`` placeholders are errors. A JWB without any
   identity is uploaded with a warning.

``url`` artifacts are passed through (``LocalArtifact(spec)``): Marketplace fetches
them. Listing images: see :mod:`.images`. Two artifacts resolving to the same file
give a warning, and so do uploads totalling more than Marketplace's upload budget
(:data:`~release_publisher.limits.UPLOAD_BUDGET_BYTES`: "about" 750 MB per 2 hours, so
a warning, not a refusal).

:mod:`.run` holds :func:`run_preflight`; this package file imports nothing, so that
:mod:`.prefetch` (used before the config is validated) and :mod:`.model` stay cheap.
"""

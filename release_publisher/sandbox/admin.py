"""The rehearsal admin endpoints (no auth, loopback clients only; see :mod:`.wsgi`).

=================================  ==================================================
``POST|GET|DELETE /_sandbox/faults``  queue / list / clear faults (:mod:`.faults`)
``GET /_sandbox/requests``            the request log (newest 1000)
``GET /_sandbox/state``               artifacts, images, queued faults, budget used, data
                                      dir, and the sections route modules add
``POST /_sandbox/reset``              forget everything, then run the modules' reset hooks
=================================  ==================================================

Knows the state and the router's state sections and reset hooks; nothing of any API
route.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from .faults import FaultSpecError, parse_faults
from .http import Call, invalid, json_response, read_json
from .routing import Router
from .state import SandboxState


def register(router: Router, state: SandboxState) -> None:
    """Route the ``/_sandbox`` admin endpoints (see the module docstring)."""
    routes = AdminRoutes(state, router)
    router.add(
        "/_sandbox/faults",
        "admin_faults",
        routes.faults,
        methods=["GET", "POST", "DELETE"],
        api=False,
    )
    router.add("/_sandbox/requests", "admin_requests", routes.requests, methods=["GET"], api=False)
    router.add("/_sandbox/state", "admin_state", routes.show_state, methods=["GET"], api=False)
    router.add("/_sandbox/reset", "admin_reset", routes.reset, methods=["POST"], api=False)


class AdminRoutes:
    """The admin handlers over ``state``; ``router`` gives the state sections and reset
    hooks other route modules added."""

    def __init__(self, state: SandboxState, router: Router) -> None:
        self.state = state
        self.router = router

    def faults(self, call: Call) -> Response:
        """``GET`` / ``DELETE`` / ``POST /_sandbox/faults``: list, clear or queue faults
        (201 ``{"queued": [...]}``)."""
        if call.request.method == "GET":
            return json_response({"faults": self.state.faults.pending()})
        if call.request.method == "DELETE":
            self.state.faults.clear()
            return json_response({"faults": []})
        body = read_json(call.request)
        if isinstance(body, Response):
            return body
        try:
            faults = parse_faults(body)
        except FaultSpecError as exc:
            return invalid(str(exc))
        self.state.faults.add(faults)
        return json_response({"queued": [f.to_json() for f in faults]}, 201)

    def requests(self, call: Call) -> Response:
        """``GET /_sandbox/requests``: ``{"requests": [entry, ...]}``, the request log."""
        return json_response({"requests": self.state.requests.entries()})

    def show_state(self, call: Call) -> Response:
        """``GET /_sandbox/state``: artifacts, images, queued faults, budget used, data
        dir and the route modules' sections."""
        now = self.state.clock.monotonic()
        artifacts = [
            {
                "id": r.id,
                "logicalFileName": r.file_name,
                "size": r.size,
                "checksum": f"sha512:{r.sha512}",
                "details": r.details,
                "processed": now >= r.ready_at,
                "remote": r.remote,
            }
            for r in self.state.store.artifacts()
        ]
        images = [
            {
                "id": r.id,
                "imageType": r.image_type,
                "name": r.file_name,
                "mimeType": r.mime_type,
                "size": r.size,
                "checksum": f"sha512:{r.sha512}",
            }
            for r in self.state.store.images()
        ]
        state: dict[str, object] = {
            "artifacts": artifacts,
            "images": images,
            "faults": self.state.faults.pending(),
            "budget_used_bytes": self.state.ledger.used_bytes(),
            "data_dir": str(self.state.store.data_dir),
        }
        state.update({name: provider() for name, provider in self.router.state_sections.items()})
        return json_response(state)

    def reset(self, call: Call) -> Response:
        """``POST /_sandbox/reset``: forget artifacts, images, faults, the log and the
        ledger, then run the reset hooks."""
        self.state.store.reset()
        self.state.faults.clear()
        self.state.requests.clear()
        self.state.ledger.reset()
        for hook in self.router.reset_hooks:
            hook()
        return json_response({"reset": True})

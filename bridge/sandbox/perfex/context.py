"""One dispatched request as the controllers see it: route, verb, store and `$_POST`.

Owns: `Call`, and how each module version fills `$_POST` (M2.0.8: form encodings only;
M3.0.3: JSON bodies too, and JSON text inside the `newitems`, `items` and `custom_fields`
form fields decoded, API notes 2.5), and the raw-body JSON read of PUT requests.

Must not: validate, route or answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bridge.sandbox.perfex.forms import decode_json_body, media_type, parse_post
from bridge.sandbox.perfex.options import PerfexOptions
from bridge.sandbox.perfex.php import PhpValue, from_json, xss_clean
from bridge.sandbox.perfex.routing import Route
from bridge.sandbox.perfex.store import PerfexStore
from bridge.sandbox.server import SimRequest

Post = dict[int | str, PhpValue]
_JSON_TEXT_FIELDS = ("newitems", "items", "custom_fields")


@dataclass(frozen=True)
class Call:
    request: SimRequest
    route: Route
    verb: str
    store: PerfexStore
    post: Post

    @property
    def options(self) -> PerfexOptions:
        return self.store.options

    @property
    def v3(self) -> bool:
        return self.store.options.is_v3

    @property
    def argument(self) -> str:
        return self.route.argument

    def put_body(self) -> PhpValue:
        """`json_decode(xss_clean(php://input), true)`; v3 needs a JSON content type first."""
        if self.v3 and media_type(self.request.headers.get("Content-Type")) != "application/json":
            return None
        return decode_json_body(xss_clean(self.request.body))


def read_post(request: SimRequest, options: PerfexOptions) -> Post:
    content_type = request.headers.get("Content-Type")
    if not options.is_v3:
        return parse_post(content_type, request.body)
    if media_type(content_type) == "application/json":
        decoded = decode_json_body(request.body)
        post = decoded if isinstance(decoded, dict) else {}
    else:
        post = parse_post(content_type, request.body)
    for name in _JSON_TEXT_FIELDS:
        if name in post:
            post[name] = _maybe_json(post[name])
    return post


def _maybe_json(value: PhpValue) -> PhpValue:
    if not isinstance(value, str) or value.strip()[:1] not in ("[", "{"):
        return value
    try:
        return from_json(json.loads(value))
    except ValueError:
        return value

"""URL and verb to controller method, as CodeIgniter and the REST library dispatch (API notes 2.1).

Owns: the permitted-URI-characters check (400 HTML), the module's routes (`api/invoices`,
`api/invoices/(:num)`, `api/invoices/search/(:any)`, `api/delete/invoices/(:num)`, the same
for customers and items, `api/common/(:any)`), default routing of other segments to a method
that does not exist (405), verb emulation (`_method` form field on POST,
`X-HTTP-Method-Override`; unknown verbs become GET), and the permission (feature, capability)
of each controller method, with M3.0.3's mapping of the `common` types.

Must not: authenticate or run handlers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bridge.sandbox.perfex.php import PhpValue, to_php_string

CONTROLLERS = ("invoices", "customers", "items", "common")
ALLOWED_VERBS = ("get", "delete", "post", "put", "options", "patch", "head")
# Perfex application/config/config.php permitted_uri_chars, checked on the raw segments.
_PERMITTED = re.compile(r"[a-z 0-9~%.:_\-@]+", re.IGNORECASE)
_V3_COMMON_FEATURES = {
    "tax_data": "taxes",
    "payment_mode": "payment_methods",
    "expense_category": "expense_categories",
}


@dataclass(frozen=True)
class Route:
    controller: str  # lower-case class name: also the permission feature
    target: str  # "data", "data_search", or whatever default routing made of the segment
    argument: str  # raw, still percent-encoded

    def method_name(self, verb: str) -> str:
        return f"{self.target}_{verb}"

    def permission(self, verb: str, v3: bool) -> tuple[str, str]:
        """(feature, capability) checked in `tbluser_api_permissions` (API notes 1.2)."""
        capability = self.method_name(verb).removeprefix("data_")
        feature = self.controller
        if v3 and feature == "common":
            feature = _V3_COMMON_FEATURES.get(self.argument, feature)
        return feature, capability


def segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part.strip() != ""]


def uri_is_permitted(path: str) -> bool:
    return all(_PERMITTED.fullmatch(part) for part in segments(path))


def resolve(path: str) -> Route | None:
    """The controller method a path reaches, or None for Perfex's HTML 404 page."""
    parts = segments(path)
    if len(parts) < 2 or parts[0] != "api":
        return None
    if parts[1] == "delete" and len(parts) == 4 and parts[2] == "invoices":
        return Route("invoices", "data", parts[3]) if parts[3].isdigit() else None
    controller, rest = parts[1], parts[2:]
    if controller not in CONTROLLERS:
        return None
    if controller == "common":
        return _common_route(rest)
    return _controller_route(controller, rest)


def _common_route(rest: list[str]) -> Route:
    """`api/common/(:any)` passes the type as the argument of `data_get`."""
    if len(rest) > 1:
        return Route("common", rest[0], "")
    return Route("common", "data", rest[0] if rest else "")


def _controller_route(controller: str, rest: list[str]) -> Route:
    if not rest:
        return Route(controller, "data", "")
    if rest[0] == "search" and len(rest) <= 2:
        return Route(controller, "data_search", rest[1] if len(rest) == 2 else "")
    if len(rest) == 1 and rest[0].isdigit():
        return Route(controller, "data", rest[0])
    # No route matched: CodeIgniter's default routing treats the segment as a method name.
    return Route(controller, rest[0], "")


def detect_verb(http_method: str, post: dict[int | str, PhpValue], override: str | None) -> str:
    """`REST_Controller::_detect_method` with `enable_emulate_request = TRUE`."""
    emulated = post.get("_method") if http_method.upper() == "POST" else None
    if emulated is None:
        emulated = override
    verb = to_php_string(emulated).lower() if emulated is not None else ""
    if not verb:
        verb = http_method.lower()
    return verb if verb in ALLOWED_VERBS else "get"

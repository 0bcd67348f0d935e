"""What goes on the wire: JSON framing, the HTML pages of CodeIgniter, format negotiation.

Owns: `Answer` (a handler's status and payload), its rendering as `json_encode` output with
`application/json; charset=utf-8` (JSONP when `?callback=` is a valid identifier, contract
1.3), the development-mode PHP warning block, the CodeIgniter HTML 404 and 400 pages, the
empty-bodied 500 of an uncaught PHP error, and the output-format detection of the REST library
(the simulator renders JSON only and answers 406 to any other requested format).

Must not: decide statuses or payloads; never adds Last-Modified or ETag headers (API notes 3.4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bridge.sandbox.perfex.php import json_encode
from bridge.sandbox.server import SimRequest, SimResponse

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=UTF-8"
# config/rest.php rest_supported_formats, in the order `_detect_output_format` tries them.
SUPPORTED_FORMATS = ("json", "array", "csv", "html", "jsonp", "php", "serialized", "xml")
_CALLBACK = re.compile(r"[a-z_$][a-z0-9$_]*(\.[a-z_$][a-z0-9$_]*)*", re.IGNORECASE)


@dataclass(frozen=True)
class Answer:
    status: int
    payload: object
    warnings: tuple[str, ...] = ()  # PHP notices printed before the body in development mode
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def message(status: int, text: str | None, *, ok: bool = False) -> Answer:
    """The module's usual `{"status": ..., "message": ...}` answer."""
    return Answer(status, {"status": ok, "message": text})


def render_json(answer: Answer, request: SimRequest, development: bool) -> SimResponse:
    body = json_encode(answer.payload)
    callback = request.query_first("callback")
    if callback and _CALLBACK.fullmatch(callback):
        body = callback.encode() + b"(" + body + b");"
    elif callback and isinstance(answer.payload, dict):
        flagged = dict(answer.payload, warning=f"INVALID JSONP CALLBACK: {callback}")
        body = json_encode(flagged)
    if development and answer.warnings:
        body = "".join(php_warning(text) for text in answer.warnings).encode() + body
    headers = [("Content-Type", JSON_TYPE), *answer.headers]
    return SimResponse(answer.status, body, headers)


def php_warning(text: str) -> str:
    """The block CodeIgniter prints for a PHP warning when errors are displayed."""
    return (
        '<div style="border:1px solid #990000;padding-left:20px;margin:0 0 10px 0;">\n\n'
        "<h4>A PHP Error was encountered</h4>\n\n<p>Severity: Warning</p>\n"
        f"<p>Message:  {text}</p>\n"
        "<p>Filename: models/Invoices_model.php</p>\n<p>Line Number: 0</p>\n\n</div>"
    )


def html_page(status: int, heading: str, text: str) -> SimResponse:
    body = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{heading}</title>\n</head>\n<body>\n<div id="container">\n'
        f"<h1>{heading}</h1>\n<p>{text}</p>\n</div>\n</body>\n</html>"
    )
    return SimResponse(status, body.encode(), [("Content-Type", HTML_TYPE)])


def not_found_page() -> SimResponse:
    return html_page(404, "404 Page Not Found", "The page you requested was not found.")


def disallowed_characters_page() -> SimResponse:
    return html_page(
        400, "An Error Was Encountered", "The URI you submitted has disallowed characters."
    )


def database_error_page(detail: str) -> SimResponse:
    return html_page(500, "A Database Error Occurred", f"Error Number: 1054</p><p>{detail}")


def fatal_error() -> SimResponse:
    """An uncaught PHP Error in production: status 500, nothing displayed."""
    return SimResponse(500, b"", [("Content-Type", "text/html; charset=UTF-8")])


def requested_format(request: SimRequest) -> str:
    """`REST_Controller::_detect_output_format`: URL suffix, `?format=`, then `Accept`."""
    last = request.path.rstrip("/").rsplit("/", 1)[-1]
    if "." in last and last.rsplit(".", 1)[1].lower() in SUPPORTED_FORMATS:
        return last.rsplit(".", 1)[1].lower()
    asked = request.query_first("format")
    if asked in SUPPORTED_FORMATS:
        return asked
    accept = request.headers.get("Accept") or ""
    for name in SUPPORTED_FORMATS:
        if name not in accept:
            continue
        # A browser's "text/html,application/xml" names both: neither wins, JSON stays.
        if name == "html" and "xml" in accept or name == "xml" and "html" in accept:
            continue
        return name
    return "json"


def unsupported_format(name: str) -> SimResponse:
    text = f"The Perfex simulator renders JSON only; the request asked for {name}."
    return SimResponse(406, text.encode(), [("Content-Type", "text/plain; charset=utf-8")])

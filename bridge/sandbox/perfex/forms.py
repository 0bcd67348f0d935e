"""Request bodies as PHP sees them: `$_POST` from form encodings, `json_decode` of raw JSON.

Owns: PHP's bracket-key parsing (`newitems[1][taxname][]=VAT|20.00` becomes nested arrays,
`[]` appends, numeric keys become integers, dots and spaces in the base name become `_`),
`application/x-www-form-urlencoded` and `multipart/form-data` bodies, and the content-type
test that decides whether PHP fills `$_POST` at all.

Must not: validate or interpret fields; `validation.py` and the handlers do that.
"""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import unquote_plus

from bridge.sandbox.perfex.php import PhpValue, from_json, php_key

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_post(content_type: str | None, body: bytes) -> dict[int | str, PhpValue]:
    """`$_POST`: filled only for the two form encodings, empty for anything else (JSON too)."""
    kind = media_type(content_type)
    if kind == "application/x-www-form-urlencoded":
        return parse_urlencoded(body)
    if kind == "multipart/form-data":
        return _parse_multipart(content_type or "", body)
    return {}


def parse_urlencoded(body: bytes) -> dict[int | str, PhpValue]:
    result: dict[int | str, PhpValue] = {}
    for pair in body.decode("utf-8", "replace").split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        assign(result, unquote_plus(name), unquote_plus(value))
    return result


def _parse_multipart(content_type: str, body: bytes) -> dict[int | str, PhpValue]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    result: dict[int | str, PhpValue] = {}
    if not message.is_multipart():
        return result
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None or part.get_filename() is not None:
            continue  # file uploads go to $_FILES, which no handler here reads
        payload = part.get_payload(decode=True) or b""
        assign(result, str(name), payload.decode("utf-8", "replace"))
    return result


def assign(target: dict[int | str, PhpValue], name: str, value: str) -> None:
    """Stores one form field the way `php_register_variable_ex` does."""
    base, path = _split_name(name.lstrip(" "))
    if not base:
        return
    keys: list[int | str | None] = [php_key(base), *path]
    node = target
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        if key is None:  # "[]": append after the highest integer key
            key = _next_index(node)
        if last:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child


def _split_name(name: str) -> tuple[str, list[int | str | None]]:
    bracket = name.find("[")
    if bracket < 0:
        return _clean_base(name), []
    base, rest = name[:bracket], name[bracket:]
    path: list[int | str | None] = []
    while rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            if not path:  # an unmatched "[" is kept in the name, as "_"
                return _clean_base(name.replace("[", "_", 1)), []
            break
        index = rest[1:close]
        path.append(php_key(index) if index else None)
        rest = rest[close + 1 :]
    return _clean_base(base), path


def _clean_base(base: str) -> str:
    return base.replace(".", "_").replace(" ", "_")


def _next_index(node: dict[int | str, PhpValue]) -> int:
    integers = [key for key in node if isinstance(key, int)]
    return max(integers) + 1 if integers else 0


def decode_json_body(body: bytes) -> PhpValue:
    """`json_decode($body, true)`; None when PHP would return NULL (invalid JSON, bad UTF-8)."""
    try:
        return from_json(json.loads(body.decode("utf-8"), parse_constant=_no_constants))
    except (UnicodeDecodeError, ValueError):
        return None


def _no_constants(name: str) -> object:
    raise ValueError(f"PHP's JSON parser has no {name}")

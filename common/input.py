"""What no route can take, refused once for every app before any route runs.

PostgreSQL stores no NUL character and no unpaired surrogate, JSON has no NaN or infinity, no
column holds an integer beyond 64 bits, and a duplicate key in a JSON object would silently
let the last one win. Each of these is a 422 `validation-error` naming where it is (`path`,
`query.<name>`, `body.<field>...`), so nothing reaches a service or the database.

JSON and form bodies are read here up to `max_bytes` (a larger body, such as a survey upload
streamed to its own reader, passes on unread and is checked there); the body read is handed
on unchanged to the app.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.problems import field_error, invalid_many, problem_response

MAX_DEPTH = 64
INT64 = 2**63 - 1
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class _Constant:
    """NaN or ±Infinity as written in the body (JSON has neither)."""

    def __init__(self, text: str) -> None:
        self.text = text


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _bad_text(text: str) -> str | None:
    """Why PostgreSQL could not store this text, if it could not."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "contains an unpaired surrogate (not valid Unicode)"
    return None


def _walk(value: Any, location: str, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every value in a parsed document that no column can hold, with where it is."""
    if depth > MAX_DEPTH:
        yield field_error(location, f"nested deeper than {MAX_DEPTH} levels")
    elif isinstance(value, dict):
        for key, item in value.items():
            if reason := _bad_text(key):
                yield field_error(location, f"a key {reason}")
            else:
                yield from _walk(item, f"{location}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{location}.{index}", depth + 1)
    elif isinstance(value, str):
        if reason := _bad_text(value):
            yield field_error(location, reason)
    elif isinstance(value, _Constant):
        yield field_error(location, f"{value.text} is not a JSON number", value.text)
    elif isinstance(value, float) and not math.isfinite(value):
        yield field_error(location, "the number is too large", None)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64:
        yield field_error(location, "the integer is beyond 64 bits", str(value))


def json_errors(body: bytes) -> list[dict[str, Any]]:
    """What in a JSON body no route can take; an unparseable body is left to the route."""
    try:
        document = json.loads(body, object_pairs_hook=_object, parse_constant=_Constant)
    except _DuplicateKey as duplicate:
        message = f"the key {duplicate.key!r} appears twice in one object"
        return [field_error(f"body.{duplicate.key}", message, duplicate.key)]
    except RecursionError:
        return [field_error("body", f"nested deeper than {MAX_DEPTH} levels")]
    except (ValueError, UnicodeDecodeError):
        return []  # not JSON: the route says so in its own words
    return list(_walk(document, "body"))


def pairs_errors(pairs: list[tuple[str, str]], prefix: str) -> list[dict[str, Any]]:
    """What in query or form parameters no route can take."""
    return [
        field_error(f"{prefix}.{name}", reason)
        for name, value in pairs
        if (reason := _bad_text(name) or _bad_text(value))
    ]


def target_errors(scope: Scope) -> list[dict[str, Any]]:
    """What in the path or the query string no route can take."""
    errors = []
    if reason := _bad_text(scope.get("path", "")):
        errors.append(field_error("path", reason))
    query = scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(query, keep_blank_values=True, errors="surrogateescape")
    return errors + pairs_errors(pairs, "query")


def _media(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return str(value.decode("latin-1")).split(";")[0].strip().lower()
    return ""


def _is_json(media: str) -> bool:
    """JSON, or no type at all (which FastAPI reads as JSON)."""
    return media in ("", "application/json") or media.endswith("+json")


FORM = "application/x-www-form-urlencoded"


def body_errors(media: str, body: bytes) -> list[dict[str, Any]]:
    if _is_json(media):
        return json_errors(body)
    if media == FORM:
        text = body.decode("utf-8", errors="surrogateescape")
        return pairs_errors(parse_qsl(text, keep_blank_values=True), "body")
    return []


class InputGuard:
    """Plain ASGI middleware: 422 for what no route can take (see the module's text)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = 1 << 20) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = target_errors(scope)
        media = _media(scope)
        checked = _is_json(media) or media == FORM
        if not errors and checked and scope.get("method") in BODY_METHODS:
            messages, complete = await self._read(receive)
            if complete:
                errors = body_errors(media, b"".join(m.get("body", b"") for m in messages))
            receive = _replay(messages, receive)
        if errors:
            problem = invalid_many(errors)
            response = problem_response(
                422, detail=problem.detail, instance=scope.get("path"), errors=problem.errors
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _read(self, receive: Receive) -> tuple[list[Message], bool]:
        """The body's messages up to `max_bytes`, and whether that is all of it."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages, False
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                return messages, True
            if size > self.max_bytes:
                return messages, False


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that gives the messages already read first, then the rest."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed

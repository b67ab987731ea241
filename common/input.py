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
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.problems import field_error, invalid_many, problem_response

MAX_DEPTH = 64
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
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


def _shown(text: str) -> str:
    """The text with NUL and unpaired surrogates escaped, so a problem can carry it."""
    return "".join(
        f"\\u{ord(c):04x}" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in text
    )


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
    elif isinstance(value, int) and not isinstance(value, bool) and not _fits_64_bits(value):
        yield field_error(location, "the integer is beyond 64 bits", str(value))


def _fits_64_bits(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


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
        field_error(f"{prefix}.{_shown(name)}", reason)
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


def _declared_query(dependant: Dependant) -> Iterator[str]:
    for parameter in dependant.query_params:
        yield parameter.alias
    for dependency in dependant.dependencies:
        yield from _declared_query(dependency)


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters the route declares, worked out once and kept on the route."""
    names: frozenset[str] | None = getattr(route, "_query_names", None)
    if names is None:
        names = frozenset(_declared_query(route.dependant))  # every one takes a single value
        route._query_names = names  # type: ignore[attr-defined]
    return names


async def known_query_parameters(request: Request) -> None:
    """A query parameter the operation does not take is refused (422), not ignored: `?limt=5`
    is a mistake the caller should hear about, and the document lists every parameter."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return
    known = _query_names(route)
    names = list(dict.fromkeys(request.query_params.keys()))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise invalid_many(
            [
                field_error(f"query.{name}", "not a parameter of this operation", value)
                for name in unknown
                for value in request.query_params.getlist(name)[:1]
            ],
            detail=f"Unknown query parameter: {', '.join(unknown)}.",
        )
    repeated = [name for name in names if len(request.query_params.getlist(name)) > 1]
    if repeated:
        raise invalid_many(
            [
                field_error(
                    f"query.{name}", "given more than once", request.query_params.getlist(name)
                )
                for name in repeated
            ],
            detail=f"Query parameter given more than once: {', '.join(repeated)}.",
        )


def _integral(value: Any) -> Any:
    """In JSON, and so in JSON Schema, 7720.0 is the integer 7720; 7720.5 is no integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Integral = BeforeValidator(_integral)
"""Put last in `Annotated[int, Strict(), Field(...), Integral]`: a JSON integer, written with
or without `.0`, and never a string or a boolean."""


_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("an RFC 3339 date-time with a zone, such as 2019-06-10T08:00:00Z")
    return value


Rfc3339 = BeforeValidator(_rfc3339)
"""Put last in `Annotated[AwareDatetime, Rfc3339]`: what `format: date-time` says, and not the
Unix seconds or partial forms pydantic would also read."""

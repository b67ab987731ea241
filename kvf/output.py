"""What `kvf` prints: JSON results on stdout, and each routine failure as a few plain lines.

Imported only once a command has run (or failed), so `kvf --help` never pays for it.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from kvf.errors import KvfError, Refused

if TYPE_CHECKING:
    import httpx

# A refused upload may list thousands of rows; the first ones show what is wrong.
MAX_FIELD_ERRORS = 50
MAX_TEXT = 300


def print_json(data: Any) -> None:
    """`data` as indented JSON on stdout, Swedish letters as they are."""
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _field_error(error: Any) -> str:
    """One field error as `  location (row N): message`.

    The value given is left out on purpose: it may be a survey answer or a secret."""
    if not isinstance(error, dict):
        return f"  {error}"
    where = error.get("field") or error.get("location") or ""
    if error.get("row") is not None:
        where = f"{where} (row {error['row']})" if where else f"row {error['row']}"
    message = error.get("message", "invalid")
    return f"  {where}: {message}" if where else f"  {message}"


def _problem(response: httpx.Response) -> dict[str, Any] | None:
    """The response's problem+json (or any JSON object with a title), if it is one."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) and "title" in body else None


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= MAX_TEXT else f"{line[:MAX_TEXT]}…"


def problem_lines(response: httpx.Response) -> list[str]:
    """A refusal as a person reads it: the problem's title and status, its detail, then each
    field error on its own line (at most MAX_FIELD_ERRORS), then the request id to quote.
    A body that is not a problem gives its status and the first line of its text."""
    problem = _problem(response)
    if problem is None:
        lines = [f"{response.status_code} {response.reason_phrase}".rstrip()]
        if text := _first_line(response.text):
            lines.append(text)
        return lines
    lines = [f"{problem['title']} ({problem.get('status', response.status_code)})"]
    if detail := problem.get("detail"):
        lines.append(str(detail))
    errors = problem.get("errors") or []
    lines += [_field_error(error) for error in errors[:MAX_FIELD_ERRORS]]
    if len(errors) > MAX_FIELD_ERRORS:
        lines.append(f"  … and {len(errors) - MAX_FIELD_ERRORS} more")
    request_id = problem.get("request_id") or response.headers.get("x-request-id")
    if request_id:
        lines.append(f"request id: {request_id}")
    return lines


def error_lines(error: KvfError) -> list[str]:
    """The lines printed for a routine failure."""
    if isinstance(error, Refused):
        lines = problem_lines(error.response)
        return [f"{error.doing}: {lines[0]}", *lines[1:]] if error.doing else lines
    return str(error).splitlines() or [type(error).__name__]


def print_error(error: KvfError) -> None:
    """A routine failure on stderr, with no traceback."""
    for line in error_lines(error):
        print(line, file=sys.stderr)

"""The routine failures of `kvf` commands and the exit code of each.

A command raises one of these; `kvf.cli.main` prints its message (no traceback) and exits
with its code. The codes are documented in `kvf --help` and the README's Commands section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

EXIT_CODES = (
    (0, "done"),
    (1, "refused by the API: its title, detail and each field error are printed"),
    (2, "wrong usage: a missing or wrong command, argument or option"),
    (3, "the system could not be reached: not running, or KVF_URL points elsewhere"),
    (4, "a local file is missing, unreadable or of the wrong kind"),
    (130, "interrupted (Ctrl-C)"),
)


class KvfError(Exception):
    """A routine failure: a message for the user and an exit code."""

    exit_code = 1


class Refused(KvfError):
    """The API refused the request (a 4xx or 5xx problem): exit 1.

    `doing` says what was being attempted when that is not plain from the command (getting a
    token, say); the message printed is made from the response by `kvf.output`."""

    exit_code = 1

    def __init__(self, response: httpx.Response, *, doing: str | None = None) -> None:
        self.response = response
        self.doing = doing
        super().__init__(f"{response.status_code} {response.reason_phrase}")


class Usage(KvfError):
    """The command was given wrong arguments or options: exit 2."""

    exit_code = 2


class Unreachable(KvfError):
    """The platform could not be reached (not running, wrong KVF_URL, timed out): exit 3."""

    exit_code = 3


class BadFile(KvfError):
    """A local file is missing, unreadable or of the wrong kind: exit 4."""

    exit_code = 4


def checked(response: httpx.Response) -> httpx.Response:
    """The response, or `Refused` when it is an error."""
    if response.is_error:
        response.read()
        raise Refused(response)
    return response

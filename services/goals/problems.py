"""The goals service's own problem types, and OpenAPI responses for 412 and 428."""

from typing import Any

from common.problems import (
    PROBLEM_JSON,
    AppError,
    Conflict,
    InvalidInput,
    Problem,
    problem_responses,
)


class ReportLocked(Conflict):
    problem_type = "report-locked"
    title = "Report locked / Rapporten är låst"


class InvalidStateTransition(Conflict):
    problem_type = "invalid-state-transition"
    title = "Invalid state transition / Otillåtet tillståndsbyte"


class PreconditionFailed(AppError):
    status = 412
    problem_type = "precondition-failed"
    title = "Precondition failed / Villkoret uppfylls inte"


class PreconditionRequired(AppError):
    status = 428
    problem_type = "precondition-required"
    title = "Precondition required / Villkor krävs"


class PayloadTooLarge(AppError):
    status = 413
    problem_type = "payload-too-large"
    title = "Payload too large / För stor begäran"


class UnsupportedMediaType(AppError):
    status = 415
    problem_type = "unsupported-media-type"
    title = "Unsupported media type / Formatet stöds inte"


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem, "content": {PROBLEM_JSON: {}}}


EXTRA_PROBLEMS: dict[int, dict[str, Any]] = {
    400: _problem("No Idempotency-Key, or a malformed request (problem+json)"),
    412: _problem("The If-Match version is not the current one (problem+json)"),
    413: _problem("The body is larger than the service takes (problem+json)"),
    415: _problem("The body is neither JSON nor CSV (problem+json)"),
    428: _problem("If-Match is required for this change (problem+json)"),
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the given problem statuses, the service's own included."""
    common = [status for status in statuses if status not in EXTRA_PROBLEMS]
    found: dict[int | str, dict[str, Any]] = dict(problem_responses(*common))
    for status in statuses:
        if status in EXTRA_PROBLEMS:
            found[status] = EXTRA_PROBLEMS[status]
    return found


def invalid(detail: str, *, location: str, message: str, value: Any = None) -> InvalidInput:
    """A 422 with one error at `location`."""
    return InvalidInput(detail, errors=[{"location": location, "message": message, "value": value}])

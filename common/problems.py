"""RFC 9457 problem details: one error type for the domain, one place that renders them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from asyncpg.exceptions import CannotConnectNowError, PostgresConnectionError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import _get_api_route_for_openapi
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from common.context import current_request_id, current_request_path

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("kvf.problems")


class ProblemError(BaseModel):
    """One invalid input: where, what is wrong, and the value given."""

    location: str | None = None
    message: str
    value: Any = None
    row: int | None = None
    field: str | None = None


class Problem(BaseModel):
    """An error response (RFC 9457 application/problem+json)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "not-found",
                    "title": "Not found / Hittades inte",
                    "status": 404,
                    "detail": "No account with code 2019.kvinnofrid.rss.99.",
                    "instance": "/funding/v1/accounts/2019.kvinnofrid.rss.99",
                    "request_id": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
                }
            ]
        },
    )

    type: str = Field(description="Problem type, a URI reference such as `insufficient-funds`.")
    title: str
    status: int
    detail: str = Field(description="What happened, for a person to read.")
    instance: str = Field(description="The path of the request that met the problem.")
    request_id: str | None = None
    errors: list[ProblemError] | None = None


class AppError(Exception):
    """A domain error: services raise it, the handler renders it as a problem."""

    status: int = 400
    problem_type: str = "bad-request"
    title: str = "Bad request / Felaktig begäran"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = headers
        self.extra = extra


class NotFound(AppError):
    status = 404
    problem_type = "not-found"
    title = "Not found / Hittades inte"


class Conflict(AppError):
    status = 409
    problem_type = "conflict"
    title = "Conflict / Konflikt"


class InvalidInput(AppError):
    status = 422
    problem_type = "validation-error"
    title = "Invalid input / Ogiltiga uppgifter"


class BadRequest(AppError):
    status = 400
    problem_type = "bad-request"
    title = "Bad request / Felaktig begäran"


class PayloadTooLarge(AppError):
    status = 413
    problem_type = "payload-too-large"
    title = "Payload too large / För stor begäran"


class UnsupportedMediaType(AppError):
    status = 415
    problem_type = "unsupported-media-type"
    title = "Unsupported media type / Formatet stöds inte"


class PreconditionFailed(AppError):
    status = 412
    problem_type = "precondition-failed"
    title = "Precondition failed / Villkoret uppfylls inte"


class PreconditionRequired(AppError):
    status = 428
    problem_type = "precondition-required"
    title = "Precondition required / Villkor krävs"


class AlreadyExists(Conflict):
    """Base of each service's typed "already exists" problems (`account-exists`, ...)."""

    problem_type = "already-exists"
    title = "Already exists / Finns redan"


def field_error(location: str, message: str, value: Any = None) -> dict[str, Any]:
    """One entry of a validation problem's `errors`."""
    return {"location": location, "message": message, "value": value}


def invalid_many(errors: Sequence[dict[str, Any]], *, detail: str | None = None) -> InvalidInput:
    """A 422 problem naming every bad field (by default the detail lists their locations)."""
    fields = ", ".join(sorted({str(error["location"]) for error in errors}))
    return InvalidInput(detail or f"The request has invalid input: {fields}.", errors=errors)


def invalid(
    location: str, message: str, value: Any = None, *, detail: str | None = None
) -> InvalidInput:
    """A 422 problem naming one field."""
    return invalid_many([field_error(location, message, value)], detail=detail)


class Unauthorized(AppError):
    status = 401
    problem_type = "unauthorized"
    title = "Unauthorized / Ej autentiserad"


class Forbidden(AppError):
    status = 403
    problem_type = "forbidden"
    title = "Forbidden / Åtkomst nekad"


_TYPES_BY_STATUS = {
    400: ("bad-request", "Bad request / Felaktig begäran"),
    401: ("unauthorized", "Unauthorized / Ej autentiserad"),
    403: ("forbidden", "Forbidden / Åtkomst nekad"),
    404: ("not-found", "Not found / Hittades inte"),
    405: ("method-not-allowed", "Method not allowed / Metoden är inte tillåten"),
    406: ("not-acceptable", "Not acceptable / Formatet kan inte levereras"),
    409: ("conflict", "Conflict / Konflikt"),
    413: ("payload-too-large", "Payload too large / För stor begäran"),
    415: ("unsupported-media-type", "Unsupported media type / Formatet stöds inte"),
    422: ("validation-error", "Invalid input / Ogiltiga uppgifter"),
    429: ("too-many-requests", "Too many requests / För många anrop"),
    500: ("internal-error", "Internal error / Internt fel"),
    503: ("service-unavailable", "Service unavailable / Tjänsten är inte tillgänglig"),
    504: ("gateway-timeout", "Gateway timeout / Tidsgräns överskriden"),
}


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    problem_type: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Render one problem; type and title default from the status."""
    default_type, default_title = _TYPES_BY_STATUS.get(
        status, ("about:blank", HTTPStatus(status).phrase)
    )
    body: dict[str, Any] = {
        "type": problem_type or default_type,
        "title": title or default_title,
        "status": status,
        "detail": detail or title or default_title,
        "instance": instance or current_request_path() or "about:blank",
        "request_id": current_request_id(),
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return JSONResponse(
        jsonable_encoder(body), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


def _location(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        exc.status,
        detail=exc.detail,
        problem_type=exc.problem_type,
        title=exc.title,
        instance=request.url.path,
        headers=exc.headers,
        errors=exc.errors,
        **exc.extra,
    )


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    path = request.url.path
    # FastAPI (pinned) nests included routers; its OpenAPI builder flattens them this way.
    for context in iter_route_contexts(request.app.routes):
        route = _get_api_route_for_openapi(context)
        if route is not None and route.include_in_schema and route.path_regex.match(path):
            methods |= set(route.methods or ())
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        headers["Allow"] = allowed
    return problem_response(
        exc.status_code, detail=detail, instance=request.url.path, headers=headers or None
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "location": _location(error.get("loc", ())),
            "message": error.get("msg", "invalid"),
            "value": error.get("input"),
        }
        for error in exc.errors()
    ]
    problem = invalid_many(errors)
    return problem_response(
        422, detail=problem.detail, instance=request.url.path, errors=problem.errors
    )


def _is_data_error(exc: DBAPIError) -> bool:
    """PostgreSQL's class 22 (data exception), or asyncpg refusing a value before sending it."""
    if isinstance(exc, DataError):
        return True
    cause = exc.orig.__cause__ if exc.orig is not None else None
    return type(cause).__name__ == "DataError" and type(cause).__module__.startswith("asyncpg")


def _is_unavailable(exc: DBAPIError) -> bool:
    """The connection was lost or refused, or the server is shutting down or starting up
    (SQLSTATE classes 08 and 57P): nothing to do with the request."""
    if exc.connection_invalidated:
        return True
    state = str(getattr(exc.orig, "sqlstate", "") or "")
    cause = exc.orig.__cause__ if exc.orig is not None else None
    state = state or str(getattr(cause, "sqlstate", "") or "")
    return state.startswith(("08", "57P")) or isinstance(cause, OSError | TimeoutError)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot hold that no check caught before (an integer beyond its
    column, say) is the client's input, so 422; a database that cannot be reached is 503
    with Retry-After. Either way the transaction has been rolled back. Any other database
    error goes on to the last-resort handler."""
    assert isinstance(exc, DBAPIError)
    if _is_data_error(exc):
        logger.info("input refused by the database", extra={"path": request.url.path})
        return problem_response(
            422,
            detail="A value is beyond what can be stored (too large, or not storable text).",
            instance=request.url.path,
        )
    if _is_unavailable(exc):
        return await _unavailable(request, exc)
    raise exc


UNAVAILABLE_RETRY_AFTER = "5"


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database does not answer (refused, lost, timed out, shutting down): the service
    cannot serve this now. What the request would have changed was not committed, so a retry
    is safe; the gateway's /health/ready says the same."""
    logger.warning(
        "database unavailable", extra={"path": request.url.path, "error": type(exc).__name__}
    )
    return problem_response(
        503,
        detail="The database is not reachable; retry after the seconds in Retry-After.",
        instance=request.url.path,
        headers={"Retry-After": UNAVAILABLE_RETRY_AFTER},
    )


BUSY_RETRY_AFTER = "1"
DATABASE_UNREACHABLE: tuple[type[Exception], ...] = (
    ConnectionError,
    TimeoutError,
    PostgresConnectionError,
    CannotConnectNowError,
)


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    """No database connection came free in time: the service is overloaded, not broken.
    Nothing was done (the transaction never began), so a retry is safe."""
    logger.warning("database pool exhausted", extra={"path": request.url.path})
    return problem_response(
        503,
        detail="The service is busy; retry after the number of seconds in Retry-After.",
        instance=request.url.path,
        headers={"Retry-After": BUSY_RETRY_AFTER},
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Every error the app can raise leaves as application/problem+json."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _busy)
    # Connecting is not wrapped by SQLAlchemy: a refused or timed-out connection, or asyncpg's
    # own connection errors, reach here as they are. The services talk to nothing else.
    for unreachable in DATABASE_UNREACHABLE:
        app.add_exception_handler(unreachable, _unavailable)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


_DESCRIPTIONS = {
    400: "No Idempotency-Key, or a malformed request",
    401: "Unauthorized / Ej autentiserad",
    403: "Forbidden / Åtkomst nekad",
    404: "Not found / Hittades inte",
    409: "Conflict / Konflikt",
    412: "The If-Match version is not the current one",
    413: "The body is larger than the service takes",
    415: "The body's media type is not one the route takes",
    422: "Invalid input / Ogiltiga uppgifter",
    428: "If-Match is required for this change",
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": f"{description} (problem+json)",
        "model": Problem,
        "content": {PROBLEM_JSON: {}},
    }
    for status, description in _DESCRIPTIONS.items()
}


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route that can answer these problems; a route whose 400,
    413 or 415 means something more particular says so: `problem_responses(413, s413="...")`."""
    found: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        particular = descriptions.get(f"s{status}")
        entry = PROBLEM_RESPONSES[status]
        found[status] = (
            {**entry, "description": f"{particular} (problem+json)"} if particular else entry
        )
    return found

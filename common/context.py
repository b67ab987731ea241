"""The request's id and trace context, readable anywhere while a request runs."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)
request_path_var: ContextVar[str | None] = ContextVar("request_path", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def current_traceparent() -> str | None:
    return traceparent_var.get()


def current_request_path() -> str | None:
    return request_path_var.get()

"""Prometheus metrics, one registry per app so that apps sharing a process stay apart."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    """Request count and duration by method, route template and status."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        labels = ["service", "method", "route", "status"]
        self.service = service
        # Each label set's series, looked up once (routes are templates, so they are few).
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.requests = Counter(
            "kvf_http_requests_total", "HTTP requests handled.", labels, registry=self.registry
        )
        self.duration = Histogram(
            "kvf_http_request_duration_seconds",
            "Time to the end of the handler, by route template.",
            labels,
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = (self.service, method, route, str(status))
            children = self._children[key] = (
                self.requests.labels(*labels),
                self.duration.labels(*labels),
            )
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)

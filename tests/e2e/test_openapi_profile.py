"""The merged OpenAPI document meets DIGG's REST API profile, as municipal integrators check it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
from openapi_spec_validator import validate

from tests.support import operations

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _schemas_with_date_times(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("format") == "date-time":
            yield node
        for value in node.values():
            yield from _schemas_with_date_times(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas_with_date_times(value)


def _date_times_in(example: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> Iterator[Any]:
    """Example values at places the schema says are date-times."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        yield from _date_times_in(example, option, schemas)
    if schema.get("format") == "date-time" and example is not None:
        yield example
    if isinstance(example, dict):
        for name, part in schema.get("properties", {}).items():
            if name in example:
                yield from _date_times_in(example[name], part, schemas)
    if isinstance(example, list) and "items" in schema:
        for item in example:
            yield from _date_times_in(item, schema["items"], schemas)


class TestDiggProfile:
    def test_document_is_valid_openapi_3_1(self, document: dict[str, Any]) -> None:
        assert document["openapi"].startswith("3.1")
        validate(document)

    def test_info_has_contact_licence_terms_sla_limitations_and_both_languages(
        self, document: dict[str, Any]
    ) -> None:
        info = document["info"]
        assert info["contact"]["email"]
        assert info["license"]["name"]
        assert info["termsOfService"].startswith("https://")
        assert info["x-sla"]
        assert info["x-limitations"]
        assert "Plattformen" in info["description"]  # Swedish
        assert "The platform" in info["description"]  # English

    def test_every_operation_has_a_summary_and_a_description(
        self, document: dict[str, Any]
    ) -> None:
        for path, method, operation in operations(document):
            assert operation.get("summary"), f"{method} {path}"
            assert operation.get("description"), f"{method} {path}"

    def test_every_response_has_a_description_and_errors_are_problems(
        self, document: dict[str, Any]
    ) -> None:
        for path, method, operation in operations(document):
            for status, response in operation["responses"].items():
                assert response.get("description"), f"{method} {path} {status}"
                if str(status)[0] in "45" and response.get("content"):
                    assert list(response["content"]) == ["application/problem+json"], (
                        f"{method} {path} {status}"
                    )

    def test_every_json_body_has_an_example_and_date_times_are_rfc_3339(
        self, document: dict[str, Any]
    ) -> None:
        schemas = document["components"]["schemas"]
        for path, method, operation in operations(document):
            bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
            for body in bodies:
                for media_type, media in body.get("content", {}).items():
                    if "json" not in media_type:
                        continue
                    assert "example" in media or "examples" in media, f"{method} {path}"
                    example = media.get("example")
                    for value in _date_times_in(example, media.get("schema", {}), schemas):
                        assert RFC3339.match(value), f"{method} {path}: {value}"
                        datetime.fromisoformat(value)

    def test_bearer_scheme_is_declared_and_applied(self, document: dict[str, Any]) -> None:
        schemes = document["components"]["securitySchemes"]
        bearer = [name for name, s in schemes.items() if s.get("scheme") == "bearer"]
        assert bearer
        applied = [op for _, _, op in operations(document) if op.get("security")]
        assert applied

    def test_path_parameters_are_single_lowercase_words(self, document: dict[str, Any]) -> None:
        for path in document["paths"]:
            for name in PATH_PARAMETER.findall(path):
                assert re.fullmatch(r"[a-z]+", name), f"{path}: {{{name}}}"

    def test_query_parameters_are_snake_case(self, document: dict[str, Any]) -> None:
        for path, method, operation in operations(document):
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    assert SNAKE.match(parameter["name"]), f"{method} {path}"

    def test_paths_are_lowercase_with_hyphens_and_versioned(self, document: dict[str, Any]) -> None:
        for path in document["paths"]:
            literal = PATH_PARAMETER.sub("x", path)
            assert re.fullmatch(r"[a-z0-9/\-.]+", literal), path
            if path.startswith(("/funding", "/goals", "/mvp-evaluation", "/auth")):
                assert "/v1/" in path, path


class TestTraceContext:
    async def test_traceparent_is_accepted_propagated_and_returned(
        self, client: httpx.AsyncClient
    ) -> None:
        trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        response = await client.get("/funding/v1/api-info", headers={"traceparent": trace})
        assert response.headers["traceparent"] == trace

"""The merged document says what the server does: every status, header and tag it uses, and
examples that are valid against their own schemas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.support import operations

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
GATEWAY_STATUSES = {"429", "503", "504"}


def resolved(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A parameter, header or response behind its `$ref`."""
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = document["components"][kind][name]
    return node


def header_parameters(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for parameter in operation.get("parameters", []):
        parameter = resolved(document, parameter)
        if parameter["in"] == "header":
            found[parameter["name"].lower()] = parameter
    return found


class TestStatusesAndHeaders:
    def test_every_operation_takes_traceparent_and_a_request_id(
        self, document: dict[str, Any]
    ) -> None:
        missing = [
            f"{method.upper()} {path}"
            for path, method, operation in operations(document)
            if not {"traceparent", "x-request-id"} <= set(header_parameters(document, operation))
        ]
        assert missing == []

    def test_every_response_declares_its_request_id_and_traceparent(
        self, document: dict[str, Any]
    ) -> None:
        missing = [
            f"{method.upper()} {path} {status}"
            for path, method, operation in operations(document)
            for status, response in operation["responses"].items()
            if not {"x-request-id", "traceparent"}
            <= {name.lower() for name in resolved(document, response).get("headers", {})}
        ]
        assert missing == []

    def test_every_operation_declares_the_gateways_429_503_and_504_as_problems(
        self, document: dict[str, Any]
    ) -> None:
        for path, method, operation in operations(document):
            responses = operation["responses"]
            assert set(responses) >= GATEWAY_STATUSES, f"{method.upper()} {path}"
            for status in GATEWAY_STATUSES:
                response = resolved(document, responses[status])
                assert "application/problem+json" in response["content"], (path, status)
            assert "Retry-After" in resolved(document, responses["429"])["headers"]

    def test_every_operation_declares_422_for_input_no_route_can_take(
        self, document: dict[str, Any]
    ) -> None:
        missing = [
            f"{method.upper()} {path}"
            for path, method, operation in operations(document)
            if "422" not in operation["responses"]
        ]
        assert missing == []

    def test_idempotency_key_is_required_exactly_where_the_server_requires_it(
        self, document: dict[str, Any]
    ) -> None:
        def required(path: str, method: str) -> bool:
            operation = document["paths"][path][method]
            return bool(header_parameters(document, operation)["idempotency-key"]["required"])

        assert required("/funding/v1/transfers", "post")
        assert required("/funding/v1/distributions", "post")
        assert required("/mvp-evaluation/v1/waves/{id}/responses", "post")
        assert required("/goals/v1/reports/import", "post")
        assert not required("/funding/v1/accounts", "post")
        assert not required("/goals/v1/plans", "post")

    def test_a_body_or_a_required_key_declares_400(self, document: dict[str, Any]) -> None:
        missing = [
            f"{method.upper()} {path}"
            for path, method, operation in operations(document)
            if (
                "requestBody" in operation
                or "idempotency-key" in header_parameters(document, operation)
            )
            and "400" not in operation["responses"]
        ]
        assert missing == []

    def test_every_problem_has_a_detail_and_an_instance(self, document: dict[str, Any]) -> None:
        problem = document["components"]["schemas"]["Problem"]
        assert {"type", "title", "status", "detail", "instance"} <= set(problem["required"])

    def test_the_key_set_is_documented_without_a_file_ending(
        self, document: dict[str, Any]
    ) -> None:
        assert "/auth/v1/jwks" in document["paths"]
        assert "/auth/v1/jwks.json" not in document["paths"]
        assert "/api-info" in document["paths"]
        assert document["info"]["license"]["url"].startswith("https://")

    def test_every_tag_used_is_declared(self, document: dict[str, Any]) -> None:
        declared = {tag["name"] for tag in document.get("tags", [])}
        used = {tag for _, _, operation in operations(document) for tag in operation["tags"]}
        assert used <= declared
        assert all(tag.get("description") for tag in document["tags"])


def examples(document: dict[str, Any]) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(where, example, schema) for every example of a body or a schema property."""
    for path, method, operation in operations(document):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, response) for status, response in operation["responses"].items()]
        for name, body in bodies:
            for media_type, media in resolved(document, body).get("content", {}).items():
                if "example" in media and "schema" in media:
                    where = f"{method.upper()} {path} {name} {media_type}"
                    yield where, media["example"], media["schema"]
    for name, schema in document["components"]["schemas"].items():
        for index, example in enumerate(schema.get("examples", [])):
            yield f"components.schemas.{name}.examples[{index}]", example, schema


class TestExamples:
    def test_every_example_is_valid_against_its_schema(self, document: dict[str, Any]) -> None:
        registry: Registry = Registry().with_resource(
            "urn:kvf:document", DRAFT202012.create_resource(document)
        )

        def validator(schema: dict[str, Any]) -> Draft202012Validator:
            rooted = {**_rooted(schema), "$id": "urn:kvf:example"}
            rooted["$defs"] = {}
            return Draft202012Validator(rooted, registry=registry)

        invalid = [
            f"{where}: {error.message}"
            for where, example, schema in examples(document)
            for error in list(validator(schema).iter_errors(example))[:1]
        ]
        assert invalid == [], "\n".join(invalid)

    def test_every_date_time_property_has_an_rfc3339_example(
        self, document: dict[str, Any]
    ) -> None:
        missing = []
        for name, schema in document["components"]["schemas"].items():
            for field, part in schema.get("properties", {}).items():
                options = [part, *part.get("anyOf", [])]
                if any(option.get("format") == "date-time" for option in options):
                    shown = part.get("examples") or [
                        e for option in options for e in option.get("examples", [])
                    ]
                    if not shown or not all(RFC3339.match(str(e)) for e in shown if e):
                        missing.append(f"{name}.{field}")
                    if not RFC3339.match(str(part.get("example"))):
                        missing.append(f"{name}.{field} (example)")
        assert missing == []


def _rooted(node: Any) -> Any:
    """A schema whose `#/components/...` references point into the whole document."""
    if isinstance(node, dict):
        return {
            key: f"urn:kvf:document{value}"
            if key == "$ref" and isinstance(value, str) and value.startswith("#/")
            else _rooted(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rooted(item) for item in node]
    return node

"""The OpenAPI document each app serves: DIGG's REST API profile, problems as problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import _get_api_route_for_openapi, get_openapi
from fastapi.routing import iter_route_contexts

from common.auth import Allow
from common.idempotency import required_idempotency
from common.input import INT64_MAX, INT64_MIN
from common.problems import PROBLEM_JSON, Problem

CONTACT = {
    "name": "SKR, Kvinnofridssatsningen / Swedish Association of Local Authorities and Regions",
    "url": "https://skr.se/kvinnofrid",
    "email": "kvinnofrid@skr.se",
}
LICENSE = {
    "name": "EUPL-1.2",
    "url": "https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12",
}
TERMS = "https://skr.se/kvinnofrid/api-villkor"
SLA = {
    "availability": "99.5 % per calendar month, office hours 08-17 CET / kontorstid",
    "support": "kvinnofrid@skr.se, answered within two working days / inom två arbetsdagar",
}
LIMITATIONS = [
    "Lists return at most 100 items per page (`limit`, `offset`). / Listor ger högst 100 poster.",
    "Figures from fewer respondents than the small-cell limit are suppressed for roles other "
    "than evaluator and admin. / Små celler döljs.",
    "Money is integer öre (`*_ore`); 100 öre is 1 krona. / Belopp anges i heltal öre.",
]


TAGS = {
    "accounts": "Kontoträdet per år och dess saldon / The tree of accounts per year, balances",
    "analyses": "Effektstorlekar och reliabilitet / Effect sizes and reliability",
    "api-info": "Om API:et och den som anropar / About the API and the caller",
    "audit": "Vem gjorde vad och när / Who did what, when",
    "auth": "Åtkomsttoken och nycklar / Access tokens and keys",
    "clients": "API-klienter / API clients",
    "exports": "Pseudonymiserade uttag / Pseudonymous exports",
    "goals": "Målkatalogen / The catalogue of goals",
    "grants": "Utlysningar och ansökningar / Calls and applications",
    "health": "Driftstatus och mätvärden / Health and metrics",
    "instruments": "Enkäter och versioner / Questionnaires and versions",
    "organisation-units": "Sverige, län och kommuner / Sweden, counties, municipalities",
    "plans": "Länens planer och indikatorer / The counties' plans and indicators",
    "progress": "Uppföljning över länen / Follow-up across the counties",
    "reports": "Länens rapporter / The counties' reports",
    "responses": "Enkätsvar i mängd / Survey responses in bulk",
    "schools": "Skolor i utvärderingen / Schools in the evaluation",
    "summary": "Sammanställning av medlen / Summary of the funds",
    "transfers": "Överföringar och fördelningar / Transfers and distributions",
    "waves": "Mättillfällen / Survey waves",
}
REQUEST_HEADERS: dict[str, dict[str, Any]] = {
    "Traceparent": {
        "name": "traceparent",
        "in": "header",
        "required": False,
        "description": "W3C trace context; propagated upstream and returned. A value that is "
        "not a valid traceparent is ignored and a new trace is started.",
        "schema": {"type": "string"},
        "example": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    },
    "RequestId": {
        "name": "X-Request-ID",
        "in": "header",
        "required": False,
        "description": "The request's id (8-128 of A-Z a-z 0-9 . _ : -); a new one is made "
        "when it is absent or not of that form.",
        "schema": {"type": "string"},
        "example": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
    },
}
RESPONSE_HEADERS = {
    "X-Request-ID": {
        "description": "The request's id, as given or made; quote it when reporting a problem.",
        "schema": {"type": "string"},
    },
    "traceparent": {
        "description": "W3C trace context of the response.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
}
DATE_TIME_EXAMPLE = "2019-06-10T08:00:00Z"
_DATE_EXAMPLES = {"date-time": DATE_TIME_EXAMPLE, "date": "2019-06-10"}


def required_when(
    selector: str, values: list[str], field: str, *, kind: str = "string", only: bool = True
) -> dict[str, Any]:
    """JSON Schema for "`field` is given when `selector` is one of `values`" and, with `only`,
    "and is left out (or null) otherwise": a rule between two fields a document can state."""
    rule: dict[str, Any] = {
        "if": {"properties": {selector: {"enum": values}}, "required": [selector]},
        "then": {"required": [field], "properties": {field: {"type": kind}}},
    }
    if only:
        rule["else"] = {"properties": {field: {"type": "null"}}}
    return rule


def bilingual(swedish: str, english: str) -> str:
    return f"{swedish}\n\n---\n\n{english}"


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the document."""
    return [
        operation
        for path_item in document.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]


BAD_REQUEST = (
    "Bad request / Felaktig begäran: a body that cannot be read as its media type "
    "(`bad-request`), or a missing Idempotency-Key where one is required "
    "(`idempotency-key-required`)."
)


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))


def _forms_take_text_only(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A form's other fields are ignored (OAuth 2.0 asks it of the token endpoint), but they
    are text like any other: say so, so the bounds on text apply to them too."""
    for operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        form = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
        if "$ref" in form:
            form = schemas.get(form["$ref"].rsplit("/", 1)[1], {})
        if form and "additionalProperties" not in form:
            form["additionalProperties"] = {"type": "string"}


def _polish_operations(document: dict[str, Any]) -> None:
    """Every operation gets a description and problem+json errors; every one may answer 422
    (input no route can take, common.input)."""
    for operation in operations(document):
        operation.setdefault("description", operation.get("summary", ""))
        operation["responses"].setdefault(
            "422", {"description": "Invalid input / Ogiltiga uppgifter (problem+json)"}
        )
        if "requestBody" in operation or _takes_idempotency_key(operation):
            operation["responses"].setdefault("400", {"description": BAD_REQUEST})
        for status, response in operation["responses"].items():
            if str(status).startswith(("4", "5")):
                response["content"] = _problem_content()
                response.setdefault("description", "Problem")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _forms_take_text_only(document, schemas)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


_FORMAT_EXAMPLES = {
    "date-time": "2019-06-10T08:00:00Z",
    "date": "2019-06-10",
    "uuid": "5f0c8f8e-3b8a-4a4e-9c55-8d1c7a0e2f10",
    "uri": "https://skr.se/kvinnofrid",
    "email": "kvinnofrid@skr.se",
}
_TYPE_EXAMPLES: dict[str, Any] = {"integer": 0, "number": 0, "boolean": True, "string": "text"}


def example_for(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """An example value for a schema: its own example, else one built from its parts."""
    if depth > 8:
        return None
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        return example_for(schemas.get(schema["$ref"].rsplit("/", 1)[1], {}), schemas, depth + 1)
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(combinator, []) if o.get("type") != "null"]
        if options:
            return example_for(options[0], schemas, depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: example_for(part, schemas, depth + 1)
            for name, part in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [example_for(schema.get("items", {}), schemas, depth + 1)]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if kind == "string" and schema.get("format") in _FORMAT_EXAMPLES:
        return _FORMAT_EXAMPLES[schema["format"]]
    return _TYPE_EXAMPLES.get(kind) if isinstance(kind, str) else None


def _target(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[1], {})
    return schema


def _nullable(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", []) + schema.get("oneOf", [])
    return schema.get("type") == "null" or any(o.get("type") == "null" for o in options)


def complete_example(example: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    """The example as the server answers: a required field that may be null and is left out
    of a hand-written example is there as null (pydantic always writes it)."""
    schema = _target(schema, schemas)
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        if option.get("type") != "null":
            return complete_example(example, option, schemas)
    if isinstance(example, list) and "items" in schema:
        return [complete_example(item, schema["items"], schemas) for item in example]
    if not isinstance(example, dict):
        return example
    properties = schema.get("properties", {})
    completed = {
        name: complete_example(value, properties[name], schemas) if name in properties else value
        for name, value in example.items()
    }
    for name in schema.get("required", []):
        if name not in completed and _nullable(_target(properties.get(name, {}), schemas)):
            completed[name] = None
    return completed


def _complete_component_examples(schemas: dict[str, Any]) -> None:
    for schema in schemas.values():
        if "examples" in schema:
            schema["examples"] = [complete_example(e, schema, schemas) for e in schema["examples"]]


def _ensure_examples(document: dict[str, Any]) -> None:
    """Every JSON request and response body carries an example (DIGG's profile asks for it)."""
    schemas = document.get("components", {}).get("schemas", {})
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            bodies = [operation.get("requestBody", {})]
            bodies += list(operation.get("responses", {}).values())
            for body in bodies:
                for media_type, media in body.get("content", {}).items():
                    if "json" not in media_type or "examples" in media:
                        continue
                    schema = media.get("schema", {})
                    example = (
                        media["example"] if "example" in media else example_for(schema, schemas)
                    )
                    media["example"] = complete_example(example, schema, schemas)


def _allowed_roles(dependant: Dependant) -> tuple[str, ...] | None:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Allow):
            return tuple(role.value for role in dependency.call.roles)
        found = _allowed_roles(dependency)
        if found is not None:
            return found
    return None


def _declare_roles(app: FastAPI, document: dict[str, Any]) -> None:
    """Each protected operation lists its roles in its description and in `x-roles`."""
    # FastAPI (pinned) nests included routers; its own OpenAPI builder flattens them this way.
    for context in iter_route_contexts(app.routes):
        route = _get_api_route_for_openapi(context)
        if route is None or not getattr(route, "include_in_schema", False):
            continue
        roles = _allowed_roles(route.dependant)
        if roles is None:
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            operation["x-roles"] = list(roles)
            operation["description"] = (
                f"{operation.get('description', '')}\n\n**Roles / roller:** {', '.join(roles)}"
            ).strip()


def declare_context_headers(document: dict[str, Any]) -> None:
    """`traceparent` and `X-Request-ID` as request headers of every operation and response
    headers of every response; every tag used, declared."""
    components = document.setdefault("components", {})
    components.setdefault("headers", {}).update(deepcopy(RESPONSE_HEADERS))
    for operation in operations(document):
        given = operation.setdefault("parameters", [])
        names = {parameter.get("name", "").lower() for parameter in given}
        given.extend(
            deepcopy(header)
            for header in REQUEST_HEADERS.values()
            if header["name"].lower() not in names
        )
        for response in operation["responses"].values():
            headers = response.setdefault("headers", {})
            for name in ("X-Request-ID", "traceparent"):
                headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
    used = sorted({tag for operation in operations(document) for tag in operation.get("tags", [])})
    declared = {tag["name"] for tag in document.get("tags", [])}
    document.setdefault("tags", []).extend(
        {"name": tag, "description": TAGS.get(tag, tag)} for tag in used if tag not in declared
    )


def _date_time_examples(node: Any) -> None:
    """Every date and date-time property shows an RFC 3339 example, as `examples` (JSON
    Schema) and `example` (what OpenAPI 3.0 tools and DIGG's linter read)."""
    if isinstance(node, dict):
        for part in node.get("properties", {}).values():
            options = [part, *part.get("anyOf", [])]
            formats = {o.get("format") for o in options} & set(_DATE_EXAMPLES)
            if not formats:
                continue
            if not part.get("examples"):
                part["examples"] = [_DATE_EXAMPLES[formats.pop()]]
            part.setdefault("example", part["examples"][0])
        for value in node.values():
            _date_time_examples(value)
    elif isinstance(node, list):
        for value in node:
            _date_time_examples(value)


def _query_parameters_without_null(document: dict[str, Any]) -> None:
    """A query string has no null: an optional parameter is one that may be left out."""
    for operation in operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter.get("in") != "query" or "anyOf" not in schema:
                continue
            options = [o for o in schema["anyOf"] if o.get("type") != "null"]
            if len(options) == 1:
                del schema["anyOf"]
                schema.update({k: v for k, v in options[0].items() if k not in schema})
            else:
                schema["anyOf"] = options
            if schema.get("default", "") is None:
                del schema["default"]


NO_NUL = {"pattern": "^[^\\u0000]*$"}
"""PostgreSQL stores no NUL character; common.input refuses one anywhere."""


def _input_bounds(node: Any) -> None:
    """What common.input holds every app to, said in every schema that sets nothing narrower:
    integers within 64 bits, and text (values and object keys) without NUL."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "integer":
            node.setdefault("minimum", INT64_MIN)
            node.setdefault("maximum", INT64_MAX)
        elif kind == "string" and not {"pattern", "enum", "const", "format"} & set(node):
            node.update(NO_NUL)
        elif isinstance(node.get("additionalProperties"), dict):
            node.setdefault("propertyNames", dict(NO_NUL))
        for value in node.values():
            _input_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _input_bounds(value)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _require_idempotency_keys(app: FastAPI, document: dict[str, Any]) -> None:
    """`Idempotency-Key` is `required: true` on the operations that refuse a request without."""
    for context in iter_route_contexts(app.routes):
        route = _get_api_route_for_openapi(context)
        if route is None or required_idempotency not in set(_calls(route.dependant)):
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower(), {})
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "Idempotency-Key":
                    parameter["required"] = True


def build_openapi(app: FastAPI, *, description: str) -> dict[str, Any]:
    """The app's document, made once and cached on the app."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=description,
        routes=app.routes,
    )
    document["info"].update(
        {
            "contact": CONTACT,
            "license": LICENSE,
            "termsOfService": TERMS,
            "x-sla": SLA,
            "x-limitations": LIMITATIONS,
        }
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Problem", deepcopy(Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
    )
    for name, definition in list(schemas["Problem"].pop("$defs", {}).items()):
        schemas.setdefault(name, definition)
    _polish_operations(document)
    _declare_roles(app, document)
    _require_idempotency_keys(app, document)
    _date_time_examples(schemas)
    _query_parameters_without_null(document)
    _input_bounds(document)
    _complete_component_examples(schemas)
    _ensure_examples(document)
    declare_context_headers(document)
    app.openapi_schema = document
    return document

"""The OpenAPI document each app serves: DIGG's REST API profile, problems as problem+json."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import _get_api_route_for_openapi, get_openapi
from fastapi.routing import iter_route_contexts

from common.auth import Allow
from common.problems import PROBLEM_JSON, Problem

CONTACT = {
    "name": "SKR, Kvinnofridssatsningen / Swedish Association of Local Authorities and Regions",
    "url": "https://skr.se/kvinnofrid",
    "email": "kvinnofrid@skr.se",
}
LICENSE = {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}
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


def bilingual(swedish: str, english: str) -> str:
    return f"{swedish}\n\n---\n\n{english}"


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _polish_operations(document: dict[str, Any]) -> None:
    """Every operation gets a description and problem+json errors (422 included)."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation.setdefault("description", operation.get("summary", ""))
            for status, response in operation["responses"].items():
                if str(status).startswith(("4", "5")):
                    response["content"] = _problem_content()
                    response.setdefault("description", "Problem")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
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
                    if "json" not in media_type or "example" in media or "examples" in media:
                        continue
                    media["example"] = example_for(media.get("schema", {}), schemas)


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
    _ensure_examples(document)
    app.openapi_schema = document
    return document

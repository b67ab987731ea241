"""The merged OpenAPI document and the offline docs the gateway serves."""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate
from starlette.types import ASGIApp

from gateway.openapi import merge_document
from tests.support import GatewayFactory, closed_url

APPS = ("gateway", "funding", "goals", "mvp-evaluation")
REF = "#/components/schemas/"


def _refs(node: Any) -> list[str]:
    """Every `$ref` in a document, in any depth."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """`node` with every local schema `$ref` replaced by its target (the documents are acyclic)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(document, document["components"]["schemas"][node["$ref"][len(REF) :]])
        return {key: _resolve(document, value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(document, item) for item in node]
    return node


def _json_response(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": "Read",
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}
        },
    }


def _document(paths: dict[str, dict[str, Any]], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {path: {"get": _json_response(schema)} for path, schema in paths.items()},
        "components": {"schemas": schemas},
    }


GATEWAY_ITEM = {"type": "object", "properties": {"name": {"type": "string"}}}
FUNDING_ITEM = {"type": "object", "properties": {"amount_ore": {"type": "integer"}}}
PROBLEM = {"type": "object", "properties": {"status": {"type": "integer"}}}
LIST_OF_ITEMS = {"type": "array", "items": {"$ref": f"{REF}Item"}}


def _base() -> dict[str, Any]:
    return _document(
        {"/gateway/v1/items": {"$ref": f"{REF}Item"}},
        {"Item": GATEWAY_ITEM, "Problem": PROBLEM},
    )


def _funding() -> dict[str, Any]:
    return _document(
        {
            "/funding/v1/items": {"$ref": f"{REF}Item"},
            "/funding/v1/problem": {"$ref": f"{REF}Problem"},
            "/health/live": {"type": "object"},
        },
        {"Item": FUNDING_ITEM, "Problem": deepcopy(PROBLEM)},
    )


def _schema_of(document: dict[str, Any], path: str) -> dict[str, Any]:
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


class TestMergeDocument:
    def test_colliding_component_is_renamed_and_both_survive(self) -> None:
        merged = merge_document(_base(), "funding", _funding())

        schemas = merged["components"]["schemas"]
        assert schemas["Item"] == GATEWAY_ITEM
        assert schemas["FundingItem"] == FUNDING_ITEM
        assert _schema_of(merged, "/gateway/v1/items") == {"$ref": f"{REF}Item"}
        assert _schema_of(merged, "/funding/v1/items") == {"$ref": f"{REF}FundingItem"}

    def test_identical_component_is_shared(self) -> None:
        merged = merge_document(_base(), "funding", _funding())

        assert merged["components"]["schemas"]["Problem"] == PROBLEM
        assert "FundingProblem" not in merged["components"]["schemas"]
        assert _schema_of(merged, "/funding/v1/problem") == {"$ref": f"{REF}Problem"}

    def test_component_equal_in_text_but_pointing_at_a_renamed_one_resolves_to_its_own(
        self,
    ) -> None:
        base = _base()
        base["components"]["schemas"]["ItemList"] = deepcopy(LIST_OF_ITEMS)
        base["paths"]["/gateway/v1/lists"] = {"get": _json_response({"$ref": f"{REF}ItemList"})}
        funding = _funding()
        funding["components"]["schemas"]["ItemList"] = deepcopy(LIST_OF_ITEMS)
        funding["paths"]["/funding/v1/lists"] = {"get": _json_response({"$ref": f"{REF}ItemList"})}

        merged = merge_document(base, "funding", funding)

        gateway_list = _resolve(merged, _schema_of(merged, "/gateway/v1/lists"))
        funding_list = _resolve(merged, _schema_of(merged, "/funding/v1/lists"))
        assert gateway_list == {"type": "array", "items": GATEWAY_ITEM}
        assert funding_list == {"type": "array", "items": FUNDING_ITEM}

    def test_only_the_services_own_paths_are_taken(self) -> None:
        merged = merge_document(_base(), "funding", _funding())

        assert set(merged["paths"]) == {
            "/gateway/v1/items",
            "/funding/v1/items",
            "/funding/v1/problem",
        }

    def test_merged_document_is_valid_and_every_ref_resolves(self) -> None:
        merged = merge_document(_base(), "funding", _funding())

        validate(merged)
        for ref in _refs(merged):
            assert ref[len(REF) :] in merged["components"]["schemas"], ref


class TestMergedDocument:
    async def test_gateway_serves_one_valid_openapi_31_document_of_every_app(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/openapi.json")

        assert response.status_code == 200
        document = response.json()
        assert document["openapi"].startswith("3.1")
        assert "x-unavailable" not in document["info"]
        for app in APPS:
            assert f"/{app}/v1/api-info" in document["paths"], app
        validate(document)
        for ref in _refs(document):
            kind, name = ref.removeprefix("#/components/").split("/", 1)
            assert name in document["components"][kind], ref

    async def test_unreachable_service_is_named_and_the_others_still_documented(
        self, gateways: GatewayFactory, services: dict[str, FastAPI]
    ) -> None:
        upstreams = {
            "funding": "http://funding",
            "goals": "http://goals",
            "mvp-evaluation": closed_url(),
        }
        apps: dict[str, ASGIApp] = {"funding": services["funding"], "goals": services["goals"]}
        async with gateways.run(upstreams, apps) as client:
            response = await client.get("/openapi.json")

        assert response.status_code == 200
        document = response.json()
        assert document["info"]["x-unavailable"] == ["mvp-evaluation"]
        assert "/funding/v1/api-info" in document["paths"]
        assert "/goals/v1/api-info" in document["paths"]
        assert "/mvp-evaluation/v1/api-info" not in document["paths"]


class TestDocs:
    async def test_docs_page_uses_only_local_swagger_assets(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/docs")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", response.text)
        assert "/docs/static/swagger-ui-bundle.js" in assets
        assert "/docs/static/swagger-ui.css" in assets
        assert not [url for url in assets if url.startswith(("http:", "https:", "//"))]
        assert "/openapi.json" in response.text

    @pytest.mark.parametrize("asset", ["swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"])
    async def test_swagger_asset_is_served(self, client: httpx.AsyncClient, asset: str) -> None:
        response = await client.get(f"/docs/static/{asset}")

        assert response.status_code == 200
        assert len(response.content) > 0

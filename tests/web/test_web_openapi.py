"""/openapi.json: a valid OpenAPI 3.1 document whose schemas are the ones in schemas/."""

from __future__ import annotations

import json
from typing import Any

from openapi_spec_validator import validate

from preflight.resources import load_schema


def test_openapi_is_served_and_valid_3_1(client: Any) -> None:
    """The document validates as OpenAPI 3.1 and lists the four operations."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    assert set(spec["paths"]) == {"/api/v1/preflight", "/api/v1/rules", "/healthz", "/openapi.json"}


def test_documented_statuses_match_the_contract(openapi_spec: dict[str, Any]) -> None:
    """POST /api/v1/preflight documents exactly 200, 400, 408 (a late body), 409 (cross-check), 413, 415, 422
    (and 500 for a bug)."""
    responses = openapi_spec["paths"]["/api/v1/preflight"]["post"]["responses"]
    assert set(responses) == {"200", "400", "408", "409", "413", "415", "422", "500"}
    body = openapi_spec["paths"]["/api/v1/preflight"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "application/yaml", "application/x-yaml", "text/yaml"}


def test_schemas_come_from_the_schema_files(openapi_spec: dict[str, Any]) -> None:
    """Snapshot and Report components are the schema files' contents, $defs hoisted beside them."""
    components = openapi_spec["components"]["schemas"]
    for name, file_name in (("Snapshot", "snapshot.schema.json"), ("Report", "report.schema.json")):
        source = load_schema(file_name)
        assert components[name]["required"] == source["required"]
        assert set(components[name]["properties"]) == set(source["properties"])
        for definition in source.get("$defs", {}):
            assert name + definition[:1].upper() + definition[1:] in components
    assert components["ReportFinding"]["properties"]["subject"] == load_schema("report.schema.json")["$defs"]["Finding"]["properties"]["subject"]


def test_every_reference_resolves(openapi_spec: dict[str, Any]) -> None:
    """No $ref points at a component that is not there."""
    text = json.dumps(openapi_spec)
    components = openapi_spec["components"]
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in components[kind], ref

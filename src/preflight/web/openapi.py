"""The OpenAPI 3.1 document of the API, built from the JSON Schemas in schemas/.

Each schema file is imported whole: its root becomes ``components/schemas/<Name>`` and each of its
``$defs`` becomes ``<Name><Def>``, with ``$ref``s rewritten to match, so the API description
cannot drift from the contracts the pipeline validates against.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from .. import __version__
from ..pipeline import ENGINES, LANGUAGES
from ..resources import load_schema

_IMPORTS = {"Snapshot": "snapshot.schema.json", "Report": "report.schema.json", "RuleFile": "rules.schema.json"}
SNAPSHOT_MEDIA_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml")


def _component(prefix: str, definition: str) -> str:
    """``RuleFile`` + ``condition`` → ``RuleFileCondition``."""
    return prefix + definition[:1].upper() + definition[1:]


def _import_schema(name: str, document: dict[str, Any], into: dict[str, Any]) -> None:
    schema = copy.deepcopy(document)
    schema.pop("$schema", None)
    schema.pop("$id", None)
    definitions = schema.pop("$defs", {})

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {key: rewrite(value) for key, value in node.items()}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                out["$ref"] = "#/components/schemas/" + _component(name, ref.removeprefix("#/$defs/"))
            elif ref == "#":
                out["$ref"] = f"#/components/schemas/{name}"
            return out
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    into[name] = rewrite(schema)
    for def_name, definition in definitions.items():
        into[_component(name, def_name)] = rewrite(definition)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, headers: bool = True) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}}
    return response


@cache
def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (built once per process)."""
    schemas: dict[str, Any] = {}
    for name, file_name in _IMPORTS.items():
        _import_schema(name, load_schema(file_name), schemas)
    rule_properties = schemas["RuleFileRule"]["properties"]
    schemas["Rule"] = {
        "title": "Rule",
        "description": "One loaded rule, as `preflight rules --format json` prints it.",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "severity", "mode", "scope", "theme", "title", "step", "faq", "faq_url", "when",
                     "evidence", "message", "remedy"],
        "properties": {
            "id": rule_properties["id"],
            "severity": rule_properties["severity"],
            "mode": {"description": "A: also runs in audit mode; M: only with a migration.", "enum": ["A", "M"]},
            "scope": rule_properties["scope"],
            "theme": {"type": "string", "description": "The FAQ theme of the rule's file."},
            "title": rule_properties["title"],
            "step": rule_properties["step"],
            "after_completion": rule_properties["after_completion"],
            "batch": rule_properties["batch"],
            "faq": rule_properties["faq"],
            "faq_url": rule_properties["faq_url"],
            "when": rule_properties["when"],
            "evidence": rule_properties["evidence"],
            "message": rule_properties["message"],
            "remedy": rule_properties["remedy"],
        },
    }
    schemas["RuleList"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["digest", "count", "rules"],
        "properties": {
            "digest": {"type": "string", "description": "Changes whenever a rule file does."},
            "count": {"type": "integer", "minimum": 0},
            "rules": {"type": "array", "items": _ref("Rule")},
        },
    }
    schemas["Health"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["status", "version", "rules", "digest"],
        "properties": {
            "status": {"const": "ok"},
            "version": {"type": "string"},
            "rules": {"type": "integer", "minimum": 1, "description": "Number of rules loaded."},
            "digest": {"type": "string", "description": "Digest of the loaded rule files."},
        },
    }
    schemas["Error"] = {
        "title": "Error",
        "description": "Why a request was not answered with a report; quote `request_id` to support.",
        "type": "object",
        "additionalProperties": False,
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "additionalProperties": False,
                "required": ["status", "code", "message", "request_id"],
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string", "examples": ["too_large", "unsupported_media_type"]},
                    "message": {"type": "string"},
                    "request_id": {"type": "string"},
                },
            }
        },
    }
    snapshot_body = {media: {"schema": _ref("Snapshot")} for media in SNAPSHOT_MEDIA_TYPES}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "preflight",
            "version": __version__,
            "description": (
                "Says whether a Basecone external migration may start, what blocks it and how to fix "
                "it. Post a snapshot (snapshot contract v1) and read the report (report contract v1)."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/preflight": {
                "post": {
                    "operationId": "checkSnapshot",
                    "summary": "Check one snapshot",
                    "description": (
                        "The body is parsed by content (JSON or YAML) whatever the media type. "
                        "Messages are in `lang`, else the best of nl/en in Accept-Language, else nl."
                    ),
                    "parameters": [
                        {"name": "lang", "in": "query", "required": False, "schema": {"enum": list(LANGUAGES)}},
                        {"name": "engine", "in": "query", "required": False, "schema": {"enum": list(ENGINES)}},
                        {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"}},
                    ],
                    "requestBody": {"required": True, "content": snapshot_body},
                    "responses": {
                        "200": _report_response("The report: verdict `ready` or `blocked`."),
                        "400": {
                            "description": (
                                "The body does not parse: a report with verdict `invalid` whose error "
                                "gives line and column; or a bad `lang`/`engine`, a malformed chunked body "
                                "or one shorter than its Content-Length (error envelope)."
                            ),
                            "headers": {"X-Request-ID": {"$ref": "#/components/headers/RequestId"}},
                            "content": {"application/json": {"schema": {"oneOf": [_ref("Report"), _ref("Error")]}}},
                        },
                        "408": _json(_ref("Error"), "The body did not arrive within PREFLIGHT_BODY_TIMEOUT seconds."),
                        "409": _json(_ref("Error"), (
                            "`engine=cross-check` only: the two engines disagree on this snapshot (the "
                            "message names the first differing field of the report), or one of them could "
                            "not evaluate it. Never a silently chosen report."
                        )),
                        "413": _json(_ref("Error"), "The body is larger than the configured limit."),
                        "415": _json(_ref("Error"), "The Content-Type is not JSON or YAML."),
                        "422": _report_response(
                            "The snapshot breaks the contract: verdict `invalid`, every violation."
                        ),
                        "500": _json(_ref("Error"), "An unexpected failure (a bug): quote the request id."),
                    },
                }
            },
            "/api/v1/rules": {
                "get": {
                    "operationId": "listRules",
                    "summary": "The loaded rules",
                    "responses": {"200": _json(_ref("RuleList"), "Every rule, in id order.")},
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness",
                    "responses": {"200": _json(_ref("Health"), "The service is up and its rules are loaded.")},
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": _json({"type": "object"}, "The OpenAPI 3.1 document.")},
                }
            },
        },
        "components": {
            "schemas": schemas,
            "headers": {
                "RequestId": {
                    "description": "The request's id (yours from X-Request-ID when given); it is in the logs.",
                    "schema": {"type": "string"},
                }
            },
        },
    }


def _report_response(description: str) -> dict[str, Any]:
    response = _json(_ref("Report"), description)
    response["headers"]["Content-Language"] = {"schema": {"enum": list(LANGUAGES)}}
    return response

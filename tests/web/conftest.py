"""Fixtures for the web service tests: the app, its test client, the served OpenAPI document,
a response validator against it, and a live server on a free loopback port (browser test)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.serving import BaseWSGIServer, make_server

from preflight.web import create_app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def app() -> Flask:
    """One app for the session (building the engine per test would only cost time)."""
    return create_app({"TESTING": True})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def openapi_spec(app: Flask) -> dict[str, Any]:
    """The document the service serves at /openapi.json."""
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.get_json()
    return spec


class OpenApiChecker:
    """Checks a response against the served OpenAPI document: documented status, media type, body."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.registry: Registry = Registry().with_resource(
            "urn:preflight:openapi", Resource.from_contents(spec, default_specification=DRAFT202012)
        )

    def __call__(self, response: Any, method: str, path: str) -> None:
        operation = self.spec["paths"][path][method.lower()]
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, f"{method} {path}: status {response.status_code} is not documented"
        content = documented["content"]
        assert response.mimetype in content, f"{response.mimetype} is not documented for {response.status_code}"
        schema = _absolute(content[response.mimetype]["schema"])
        validator = Draft202012Validator(schema, registry=self.registry)
        errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
        for header in documented.get("headers", {}):
            if header == "X-Request-ID":
                assert response.headers.get(header), f"{header} missing"


def _absolute(node: Any) -> Any:
    """Point the document's local refs at the registered resource."""
    if isinstance(node, dict):
        return {
            k: (f"urn:preflight:openapi{v}" if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute(item) for item in node]
    return node


@pytest.fixture(scope="session")
def conforms(openapi_spec: dict[str, Any]) -> OpenApiChecker:
    """``conforms(response, "POST", "/api/v1/preflight")`` fails unless the response matches the spec."""
    return OpenApiChecker(openapi_spec)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free loopback port by werkzeug in a thread; yields its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="preflight-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()

"""Fixtures for the web service tests: the app, its test client, the served OpenAPI document,
a response validator against it, a live server on a free loopback port (browser test), and the
real thing — gunicorn with the project's config — for what only the server does (slow clients,
gunicorn's own errors, body deadlines)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
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


#: PREFLIGHT_BODY_TIMEOUT of the gunicorn fixture: short, so the deadline tests are quick.
BODY_TIMEOUT = 3


@dataclass(frozen=True)
class Gunicorn:
    """A running gunicorn: its loopback port and the file its stderr (the logs) goes to."""

    port: int
    log: Path


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``gunicorn --config python:preflight.web.gunicorn_conf app:app``, as ``make run`` starts it."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:preflight.web.gunicorn_conf", "app:app"],
            cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True,
        )


@pytest.fixture(scope="session")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    """gunicorn with the project's config, 2 workers and a 3 s body deadline, on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {
        "PREFLIGHT_HOST": "127.0.0.1", "PREFLIGHT_PORT": str(port), "PREFLIGHT_WORKERS": "2",
        "PREFLIGHT_BODY_TIMEOUT": str(BODY_TIMEOUT),
    }
    server = start_gunicorn(env, log)
    try:
        deadline = time.monotonic() + 90
        while exchange(port, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", timeout=5).status != 200:
            assert server.poll() is None, f"gunicorn exited: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 90 s"
            time.sleep(0.3)
        yield Gunicorn(port, log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: gunicorn and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@dataclass(frozen=True)
class Answer:
    """An HTTP answer read off a raw socket (status 0: none came)."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def exchange(port: int, request: bytes, timeout: float = 20, sock: socket.socket | None = None) -> Answer:
    """Send ``request`` as raw bytes (on ``sock`` when given) and read one answer — to its
    Content-Length, else until the server closes — for at most ``timeout`` seconds; status 0 when
    nothing (or no HTTP) came back."""
    try:
        conn = sock or socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError:
        return Answer(0, {}, b"")
    with conn:
        conn.settimeout(timeout)
        data = b""
        try:
            if request:
                conn.sendall(request)
            while (chunk := conn.recv(65536)) and not _complete(data + chunk):
                data += chunk
            data += chunk
        except OSError:  # a timeout or a reset: keep what came
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        return Answer(0, {}, data)
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if ": " in line)}
    return Answer(int(lines[0].split(" ")[1]), headers, body)


def _complete(data: bytes) -> bool:
    head, found, body = data.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False

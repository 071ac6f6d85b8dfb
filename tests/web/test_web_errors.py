"""Request ids, the error envelope and the request log: nothing a client sends can forge a log
line, and an unexpected exception is one logged traceback and a clean answer with the request id."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from preflight.web import create_app
from preflight.web.errors import envelope, log_line, log_value

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("/api/v1/preflight", "/api/v1/preflight"),
        ("/x\n2026-01-01 INFO forged", '"/x\\n2026-01-01 INFO forged"'),
        ("/x\r\x1b[2J\x00", '"/x\\r\\u001b[2J\\u0000"'),
        ("/x status=200", '"/x status=200"'),
        ("/a=b", '"/a=b"'),
        ('/q"uote\\', '"/q\\"uote\\\\"'),
        ("/caf\u00e9\u2028", '"/caf\\u00e9\\u2028"'),
        ("", '""'),
        (404, "404"),
    ],
)
def test_log_values_are_one_token(value: object, written: str) -> None:
    """Plain values stay bare; anything with a control character, space, quote, backslash, "="
    or non-ASCII becomes a JSON string, so it can neither end the line nor add a field."""
    assert log_value(value) == written


def test_control_characters_in_the_path_cannot_start_a_log_line(client: Any, caplog: Any) -> None:
    """A %0A in the URL path is logged escaped, inside the path's value, on the request's own line."""
    with caplog.at_level(logging.INFO, logger="preflight.web"):
        response = client.get("/x%0A2026-01-01%2000:00:00,000%20INFO%20preflight.web%20request_id=forged", headers={"X-Request-ID": "inj-1"})
    assert response.status_code == 404
    line = next(r.getMessage() for r in caplog.records if "request_id=inj-1" in r.getMessage())
    assert "\n" not in line
    assert 'path="/x\\n2026-01-01 00:00:00,000 INFO preflight.web request_id=forged"' in line


def test_request_id_with_a_line_break_is_replaced(client: Any, caplog: Any) -> None:
    """An X-Request-ID that ends in a line break is not a plain token: a fresh id is used instead."""
    with caplog.at_level(logging.INFO, logger="preflight.web"):
        response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": "ticket-1\n"})
    assert response.status_code == 200
    rid = response.headers["X-Request-ID"]
    assert rid != "ticket-1" and "\n" not in rid
    assert all("\n" not in r.getMessage() for r in caplog.records)


def test_log_line_joins_escaped_fields() -> None:
    """Fields keep their order, each as key=value."""
    assert log_line({"request_id": "r1", "path": "/a b", "status": 400}) == 'request_id=r1 path="/a b" status=400'


def test_envelope_has_status_code_message_and_request_id() -> None:
    """The one error body: gunicorn's answers and the app's share it."""
    assert envelope(408, "late", "r1") == {"error": {"status": 408, "code": "request_timeout", "message": "late", "request_id": "r1"}}


def test_unexpected_exception_on_the_page_is_the_error_page_logged_once(monkeypatch: Any, caplog: Any) -> None:
    """A bug during a check on the page shows the error page with the request id (not a bare 500),
    and the server logs it once, with its stack but without the snapshot's contents."""
    from preflight.web import checking

    def explode(raw: Any, **kwargs: Any) -> None:
        raise RuntimeError(json.loads(raw)["source_office"]["name"])

    monkeypatch.setattr(checking, "check", explode)
    client = create_app({"TESTING": False, "PREFLIGHT_WARMUP": False}).test_client()
    snapshot = (EXAMPLES / "ready.json").read_text()
    with caplog.at_level(logging.INFO):
        response = client.post("/", data={"snapshot": snapshot}, headers={"X-Request-ID": "page-500"})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "page-500" in page
    assert "Traceback" not in page and "RuntimeError" not in page
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "request_id=page-500" in errors[0].getMessage()
    assert "checking.py" in errors[0].getMessage()  # the stack, for whoever reads the log
    assert "Administratiekantoor De Vries" in snapshot
    assert "Administratiekantoor De Vries" not in caplog.text


def test_failure_after_the_view_is_still_an_envelope(monkeypatch: Any, caplog: Any) -> None:
    """Even an exception past the view (in an after-request hook) ends as the JSON envelope with
    the request id and a message of ours, never werkzeug's HTML."""
    app = create_app({"TESTING": False, "PREFLIGHT_WARMUP": False})

    @app.after_request
    def _broken(response: Any) -> Any:
        raise RuntimeError("after")

    with caplog.at_level(logging.INFO):
        response = app.test_client().get("/healthz", headers={"X-Request-ID": "late-500"})
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert (error["code"], error["request_id"]) == ("internal_error", "late-500")
    assert "request id" in error["message"]

"""Request ids, the JSON error envelope, and the handlers that make every failure a clean answer.

Every response carries ``X-Request-ID``; every error body is
``{"error": {"status", "code", "message", "request_id"}}`` (or the HTML error page for a browser
on the page). An unexpected exception is logged with its type and stack — never its message or
the request body, which may hold customer data — and answered with a 500 in the same envelope.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("preflight.web")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

#: Short, stable codes for the statuses the service answers with.
ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    409: "engines_disagree",
    415: "unsupported_media_type",
    422: "invalid_snapshot",
    500: "internal_error",
}


def request_id() -> str:
    """The current request's id: the caller's ``X-Request-ID`` when sane, else a fresh one."""
    rid: str | None = g.get("request_id")
    if rid is None:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The JSON error envelope with ``status``."""
    body = {
        "error": {
            "status": status,
            "code": ERROR_CODES.get(status, "error"),
            "message": message,
            "request_id": request_id(),
        }
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_html() -> bool:
    """Whether the failing request came from the page (a browser), not an API client."""
    if request.blueprint == "page":
        return True
    if request.path.startswith("/api/") or request.path in ("/healthz", "/openapi.json"):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _html_error(status: int, message: str) -> Response:
    from .page import page_context  # late: page imports this module

    try:
        html = render_template(
            "error.html", status=status, message=message, request_id=request_id(), **page_context()
        )
    except Exception:  # the error page must not fail in turn; plain text will do
        return Response(f"{status}: {message}\n", status=status, mimetype="text/plain")
    return Response(html, status=status, mimetype="text/html")


def register_error_handlers(app: Flask) -> None:
    """Install request-id/timing hooks, the HTTP error handler and the catch-all."""

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        request_id()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = request_id()
        _log_request(response)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        status = err.code or 500
        message = _MESSAGES.get(status) or err.description or err.name
        if status == 413:
            limit = current_app.config["PREFLIGHT_MAX_BODY_BYTES"]
            message = f"The request is too large: a snapshot may have at most {limit} bytes."
        headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
        if wants_html():
            response = _html_error(status, message)
            response.headers.update(headers)
            return response
        return error_response(status, message, headers)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        # Type and stack only: an exception's message can quote snapshot values (customer data).
        stack = "".join(traceback.format_tb(err.__traceback__))
        log.error(
            "unhandled request_id=%s error=%s\n%s", request_id(), type(err).__name__, stack
        )
        g.failed = type(err).__name__
        message = "Something went wrong on our side; quote the request id when you report it."
        if wants_html():
            return _html_error(500, message)
        return error_response(500, message)


_MESSAGES = {404: "There is nothing at this address."}


def _log_request(response: Response) -> None:
    """One line per request: id, method, path, status, timing and — for checks — verdict and rules.

    Never the body, the query string's values other than lang/engine, or finding subjects: they
    are customer data.
    """
    if not log.isEnabledFor(logging.INFO):
        return
    started = g.get("started")
    elapsed_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    fields: dict[str, Any] = {
        "request_id": request_id(),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "ms": f"{elapsed_ms:.1f}",
    }
    for key in ("verdict", "lang", "engine", "rules", "errors", "failed"):
        value = g.get(key)
        if value is not None:
            if isinstance(value, (list, tuple)):
                value = ",".join(value) or "-"
            fields[key] = value
    log.info(" ".join(f"{k}={v}" for k, v in fields.items()))

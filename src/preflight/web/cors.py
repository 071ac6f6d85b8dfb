"""CORS for the migration web form, which is served from another origin and posts to the API.

Only origins in ``PREFLIGHT_CORS_ORIGINS`` get ``Access-Control-Allow-Origin`` (``*`` allows any).
A preflight ``OPTIONS`` under ``/api/`` is answered here with 204.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Content-Type, Accept-Language, X-Request-ID"
EXPOSED_HEADERS = "X-Request-ID, Content-Language"


def _allowed_origin() -> str | None:
    origin = request.headers.get("Origin")
    if not origin:
        return None
    allowed: tuple[str, ...] = current_app.config["PREFLIGHT_CORS_ORIGINS"]
    if "*" in allowed or origin.rstrip("/") in allowed:
        return origin
    return None


def _is_api() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/openapi.json")


def register_cors(app: Flask) -> None:
    """Answer CORS preflights on the API and mark API responses for allowed origins."""

    @app.before_request
    def _preflight() -> Response | None:
        if request.method != "OPTIONS" or not _is_api() or request.routing_exception is not None:
            return None
        response = Response(status=204)
        if _allowed_origin():
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        return response

    @app.after_request
    def _mark(response: Response) -> Response:
        if not _is_api():
            return response
        response.vary.add("Origin")
        origin = _allowed_origin()
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response

"""The web service: JSON API and the support agents' page, over the same pipeline as the CLI.

``create_app()`` reads its settings from ``PREFLIGHT_*`` environment variables (see
:mod:`preflight.web.config`); ``test_config`` overrides any Flask config key.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from ..pipeline import check, get_engine
from .api import api
from .body import BodyDeadline
from .config import WebSettings
from .cors import register_cors
from .errors import register_error_handlers
from .page import page

#: Strict by design: only our own script and styles run; nothing may frame the page.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

# Two tiny snapshots (migration and audit mode) that build the engine's rulesets at start-up, so
# the first real request of a worker is as fast as the others.
_WARMUP = (
    {
        "snapshot_version": 1,
        "taken_at": "2026-01-01T00:00:00Z",
        "source_office": {"code": "W"},
        "administrations": [],
        "migration": {"status": "draft", "administrations": [{"code": "1"}]},
    },
    {"snapshot_version": 1, "taken_at": "2026-01-01T00:00:00Z", "source_office": {"code": "W"}, "administrations": []},
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app: API and page blueprints, error handling, CORS and security headers."""
    settings = WebSettings.from_env()
    _configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config.from_mapping(settings.flask_config())
    if test_config:
        app.config.from_mapping(test_config)
    limit = app.config["PREFLIGHT_MAX_BODY_BYTES"]
    app.config["MAX_CONTENT_LENGTH"] = limit
    app.config["MAX_FORM_MEMORY_SIZE"] = limit
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep field order (rules, health)

    # Every body must arrive by its deadline, end where its Content-Length says, and parse as HTTP.
    app.wsgi_app = BodyDeadline(app.wsgi_app, app.config["PREFLIGHT_BODY_TIMEOUT"])  # type: ignore[method-assign]
    register_error_handlers(app)
    register_cors(app)
    app.register_blueprint(api)
    app.register_blueprint(page)
    app.jinja_env.filters["evidence_value"] = _evidence_value

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    if app.config.get("PREFLIGHT_WARMUP", True):
        engine = get_engine(app.config["PREFLIGHT_ENGINE"])
        warm_up = getattr(engine, "warm_up", None)
        if warm_up is not None:  # the compiled engine: every phase and language, now
            warm_up()
        for snapshot in _WARMUP:
            check(snapshot, engine=app.config["PREFLIGHT_ENGINE"])
        for template in ("index.html", "error.html"):
            app.jinja_env.get_template(template)  # compiled now, not on a worker's first page
    return app


def _evidence_value(value: Any) -> str:
    """Evidence as a person reads it: text as is, anything else as compact JSON (escaped later)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _configure_logging(level: str) -> None:
    """One stderr handler on the ``preflight.web`` logger (once per process), lines in key=value form."""
    logger = logging.getLogger("preflight.web")
    logger.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners and servers swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass

"""gunicorn settings from the ``PREFLIGHT_*`` environment (``gunicorn -c python:preflight.web.gunicorn_conf app:app``).

Sync workers, one process per core: the engine is CPU-bound and serialised inside a process, so
processes are what scale. Each worker builds its engine when it imports the app.
"""

from __future__ import annotations

import sys
from typing import Any

from preflight.web.config import WebSettings

_settings = WebSettings.from_env()

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
worker_class = "sync"
timeout = _settings.timeout
graceful_timeout = 10
# The app logs one line per request itself (request id, status, verdict, rule ids, timing).
accesslog = None
errorlog = "-"
loglevel = _settings.log_level.lower()
proc_name = "preflight"
# gunicorn 24+ opens a control socket in ~/.gunicorn by default; two instances (bench, tests)
# would fight over it, and nothing here uses it.
control_socket_disable = True


def when_ready(server: Any) -> None:
    """Say where the service is, once it accepts connections."""
    host = _settings.host if ":" not in _settings.host else f"[{_settings.host}]"
    print(f"preflight is serving on http://{host}:{_settings.port}/  (Ctrl+C stops it)", file=sys.stderr, flush=True)

"""gunicorn settings from the ``PREFLIGHT_*`` environment (``gunicorn -c python:preflight.web.gunicorn_conf app:app``).

One process per core, each a gevent worker (:mod:`preflight.web.worker`): the engine is CPU-bound
and serialised inside a process, so processes are what scale the checks, while gevent lets a
process keep many slow connections waiting without being held by them. Each worker builds its
engine when it imports the app.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any

from preflight.web.config import WebSettings

_settings = WebSettings.from_env()

bind = f"[{_settings.host}]:{_settings.port}" if ":" in _settings.host else f"{_settings.host}:{_settings.port}"
workers = _settings.workers
worker_class = "preflight.web.worker.PreflightWorker"
# Connections one worker keeps at once (waiting, reading or being answered); more wait in the
# listen queue.
worker_connections = 1000
# Seconds a client has to send a request's line and headers — after connecting, or after the
# previous answer on a kept-alive connection — before it is disconnected (the gevent worker reads
# them under this timer). The body has its own deadline: PREFLIGHT_BODY_TIMEOUT.
keepalive = 5
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


def on_starting(server: Any) -> None:
    """Stop at once with one clear line when the address cannot be listened on.

    gunicorn itself would retry five times, a second apart, printing "Connection in use" each time.
    Sockets handed over by systemd or a re-exec are not ours to check.
    """
    if os.environ.get("LISTEN_FDS") or os.environ.get("GUNICORN_FD"):
        return
    problem = address_problem(_settings.host, _settings.port)
    if problem:
        print(problem, file=sys.stderr, flush=True)
        sys.exit(1)


def when_ready(server: Any) -> None:
    """Say where the service is, once it accepts connections."""
    print(f"preflight is serving on http://{_address(_settings.host, _settings.port)}/  (Ctrl+C stops it)",
          file=sys.stderr, flush=True)


def address_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, in words naming the settings to change; None if it can."""
    where = _address(host, port)
    start = f"preflight cannot listen on {where}:"
    try:
        family, kind, proto, _, sockaddr = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror:
        return f"{start} PREFLIGHT_HOST={host!r} is not an address; use 127.0.0.1, or 0.0.0.0 for every interface."
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(sockaddr)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                other = port + 1 if port < 65535 else port - 1
                return (
                    f"{start} the port is in use (by another `make run`, or another program). Stop that one, "
                    f"or choose another port: PREFLIGHT_PORT={other} make run  (PREFLIGHT_HOST sets the address)."
                )
            if err.errno == errno.EADDRNOTAVAIL:
                return f"{start} this machine has no such address; set PREFLIGHT_HOST to one of its addresses " \
                       "(127.0.0.1, or 0.0.0.0 for every interface)."
            if err.errno == errno.EACCES:
                return f"{start} permission denied (ports below 1024 need root); set PREFLIGHT_PORT to 1024 or above."
            return f"{start} {err.strerror}; check PREFLIGHT_HOST and PREFLIGHT_PORT."
    return None


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

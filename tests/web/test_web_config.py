"""Settings from PREFLIGHT_* environment variables, and the gunicorn configuration built on them."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from preflight.snapshot_loader import MAX_SNAPSHOT_BYTES
from preflight.web import create_app
from preflight.web.config import ConfigError, WebSettings

from .conftest import free_port, start_gunicorn


def test_defaults_are_sane() -> None:
    """Loopback, port 8000, Dutch, the compiled engine, the loader's 5 MiB limit, no CORS origin."""
    settings = WebSettings.from_env({})
    assert (settings.host, settings.port, settings.default_lang, settings.engine) == ("127.0.0.1", 8000, "nl", "compiled")
    assert settings.max_body_bytes == MAX_SNAPSHOT_BYTES
    assert settings.cors_origins == ()
    assert settings.workers >= 2


def test_an_engine_that_cannot_run_here_stops_the_start(without_durable: None) -> None:
    """PREFLIGHT_ENGINE=durable without durable-rules (Python 3.13): the variable and the Python version are named."""
    with pytest.raises(ConfigError, match=rf"PREFLIGHT_ENGINE='durable'.*Python {sys.version_info.major}\.{sys.version_info.minor}"):
        WebSettings.from_env({"PREFLIGHT_ENGINE": "durable"})


def test_every_variable_is_read() -> None:
    """Each documented variable changes its setting."""
    settings = WebSettings.from_env(
        {
            "PREFLIGHT_HOST": "0.0.0.0",
            "PREFLIGHT_PORT": "9000",
            "PREFLIGHT_WORKERS": "3",
            "PREFLIGHT_TIMEOUT": "60",
            "PREFLIGHT_BODY_TIMEOUT": "12",
            "PREFLIGHT_MAX_BODY_BYTES": "100000",
            "PREFLIGHT_CORS_ORIGINS": "https://form.example.nl, http://localhost:3000/",
            "PREFLIGHT_DEFAULT_LANG": "EN",
            "PREFLIGHT_ENGINE": "python",
            "PREFLIGHT_LOG_LEVEL": "warning",
        }
    )
    assert settings == WebSettings(
        host="0.0.0.0",
        port=9000,
        workers=3,
        timeout=60,
        body_timeout=12,
        max_body_bytes=100000,
        cors_origins=("https://form.example.nl", "http://localhost:3000"),
        default_lang="en",
        engine="python",
        log_level="WARNING",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PREFLIGHT_PORT", "eighty"),
        ("PREFLIGHT_PORT", "70000"),
        ("PREFLIGHT_WORKERS", "0"),
        ("PREFLIGHT_BODY_TIMEOUT", "0"),
        ("PREFLIGHT_MAX_BODY_BYTES", str(MAX_SNAPSHOT_BYTES + 1)),
        ("PREFLIGHT_DEFAULT_LANG", "fr"),
        ("PREFLIGHT_ENGINE", "drools"),
        ("PREFLIGHT_CORS_ORIGINS", "form.example.nl"),
    ],
)
def test_bad_values_fail_loudly(name: str, value: str) -> None:
    """A bad value stops start-up with the variable's name, rather than serving with a guess."""
    with pytest.raises(ConfigError, match=name):
        WebSettings.from_env({name: value})


def test_app_uses_environment(monkeypatch: Any) -> None:
    """create_app reads the environment: default language and body limit apply to requests."""
    monkeypatch.setenv("PREFLIGHT_DEFAULT_LANG", "en")
    monkeypatch.setenv("PREFLIGHT_MAX_BODY_BYTES", "4096")
    client = create_app({"TESTING": True, "PREFLIGHT_WARMUP": False}).test_client()
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="en">' in page.get_data(as_text=True)
    too_big = client.post("/api/v1/preflight", data=b"{" + b" " * 5000 + b"}", content_type="application/json")
    assert too_big.status_code == 413


def test_gunicorn_config_follows_environment(monkeypatch: Any) -> None:
    """The gunicorn config binds to PREFLIGHT_HOST:PORT with PREFLIGHT_WORKERS gevent workers of ours."""
    monkeypatch.setenv("PREFLIGHT_PORT", "8123")
    monkeypatch.setenv("PREFLIGHT_WORKERS", "3")
    from preflight.web import gunicorn_conf

    conf = importlib.reload(gunicorn_conf)
    assert conf.bind == "127.0.0.1:8123"
    assert (conf.workers, conf.worker_class) == (3, "preflight.web.worker.PreflightWorker")
    assert conf.accesslog is None
    monkeypatch.setenv("PREFLIGHT_HOST", "::1")
    assert importlib.reload(gunicorn_conf).bind == "[::1]:8123"


def test_app_takes_the_body_deadline_from_the_environment(monkeypatch: Any) -> None:
    """PREFLIGHT_BODY_TIMEOUT reaches the app, whose 408 names it in seconds."""
    monkeypatch.setenv("PREFLIGHT_BODY_TIMEOUT", "7")
    app = create_app({"TESTING": True, "PREFLIGHT_WARMUP": False})
    assert app.config["PREFLIGHT_BODY_TIMEOUT"] == 7


def test_taken_port_is_named_with_the_setting_to_change() -> None:
    """A port someone listens on gives one sentence with the address and PREFLIGHT_PORT."""
    from preflight.web.gunicorn_conf import address_problem

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        problem = address_problem("127.0.0.1", port)
    assert problem is not None
    assert f"127.0.0.1:{port}" in problem
    assert "in use" in problem and "PREFLIGHT_PORT" in problem
    assert address_problem("127.0.0.1", free_port()) is None
    assert "PREFLIGHT_HOST" in (address_problem("no-such-host.invalid", 8000) or "")


@pytest.mark.slow
def test_second_server_on_a_taken_port_stops_at_once_with_one_message(tmp_path: Path) -> None:
    """`make run` while the port is taken: one clear line naming the address and PREFLIGHT_PORT,
    exit status non-zero, and no gunicorn retry loop ("Connection in use" five times)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = tmp_path / "second.log"
        server = start_gunicorn({"PREFLIGHT_HOST": "127.0.0.1", "PREFLIGHT_PORT": str(port)}, log)
        try:
            status = server.wait(timeout=60)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    output = log.read_text()
    assert status != 0
    assert f"127.0.0.1:{port}" in output and "PREFLIGHT_PORT" in output
    assert "Connection in use" not in output
    assert "Traceback" not in output

"""Web service settings, read from environment variables (documented in README "Web service")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..pipeline import DEFAULT_ENGINE, ENGINES, LANGUAGES
from ..snapshot_loader import MAX_SNAPSHOT_BYTES


class ConfigError(ValueError):
    """An environment variable holds a value the service cannot use."""


def _default_workers() -> int:
    # The engine is CPU-bound and serialised per process, so one worker per core.
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class WebSettings:
    """Everything an operator can set; each field has a ``PREFLIGHT_*`` variable."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=_default_workers)
    timeout: int = 30
    body_timeout: int = 30
    max_body_bytes: int = MAX_SNAPSHOT_BYTES
    cors_origins: tuple[str, ...] = ()
    default_lang: str = "nl"
    engine: str = DEFAULT_ENGINE
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """Settings from ``env`` (default: the process environment); bad values raise ConfigError."""
        env = os.environ if env is None else env
        defaults = cls()

        def text(name: str, default: str) -> str:
            return env.get(name, "").strip() or default

        def number(name: str, default: int, low: int, high: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a whole number") from None
            if not low <= value <= high:
                raise ConfigError(f"{name}={value} is outside {low}..{high}")
            return value

        def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
            value = text(name, default).lower()
            if value not in allowed:
                raise ConfigError(f"{name}={value!r}; use one of {', '.join(allowed)}")
            return value

        origins = tuple(
            o.strip().rstrip("/") for o in env.get("PREFLIGHT_CORS_ORIGINS", "").split(",") if o.strip()
        )
        for origin in origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ConfigError(
                    f"PREFLIGHT_CORS_ORIGINS: {origin!r} is not an origin like https://form.example.nl"
                )
        return cls(
            host=text("PREFLIGHT_HOST", defaults.host),
            port=number("PREFLIGHT_PORT", defaults.port, 1, 65535),
            workers=number("PREFLIGHT_WORKERS", defaults.workers, 1, 64),
            timeout=number("PREFLIGHT_TIMEOUT", defaults.timeout, 1, 3600),
            body_timeout=number("PREFLIGHT_BODY_TIMEOUT", defaults.body_timeout, 1, 600),
            max_body_bytes=number("PREFLIGHT_MAX_BODY_BYTES", defaults.max_body_bytes, 1024, MAX_SNAPSHOT_BYTES),
            cors_origins=origins,
            default_lang=choice("PREFLIGHT_DEFAULT_LANG", defaults.default_lang, LANGUAGES),
            engine=choice("PREFLIGHT_ENGINE", defaults.engine, ENGINES),
            log_level=choice("PREFLIGHT_LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
        )

    def flask_config(self) -> dict[str, Any]:
        """The settings as Flask config keys (``create_app(test_config)`` may override each)."""
        return {
            "PREFLIGHT_MAX_BODY_BYTES": self.max_body_bytes,
            "PREFLIGHT_BODY_TIMEOUT": self.body_timeout,
            "PREFLIGHT_CORS_ORIGINS": self.cors_origins,
            "PREFLIGHT_DEFAULT_LANG": self.default_lang,
            "PREFLIGHT_ENGINE": self.engine,
            "PREFLIGHT_LOG_LEVEL": self.log_level,
            "PREFLIGHT_WARMUP": True,
        }

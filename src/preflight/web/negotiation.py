"""What the client asked for: language (``?lang=`` or ``Accept-Language``) and engine."""

from __future__ import annotations

from flask import Request
from werkzeug.exceptions import BadRequest

from ..pipeline import ENGINES, LANGUAGES, engine_unavailable


def choose_language(request: Request, default: str) -> str:
    """``?lang=`` when given (nl or en, else 400); else the best of nl/en by Accept-Language quality."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked.lower() not in LANGUAGES:
            raise BadRequest(f"lang={asked!r} is not supported; use one of {', '.join(LANGUAGES)}.")
        return asked.lower()
    return language_from_header(request.headers.get("Accept-Language", ""), default)


def language_from_header(header: str, default: str) -> str:
    """The supported language with the highest quality in an Accept-Language header, else ``default``.

    ``nl-BE`` counts as ``nl``; ``*`` and unknown languages fall back to ``default``; q=0 excludes.
    """
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary == "*":
            primary = default
        if primary not in LANGUAGES or not 0 < quality <= 1:
            continue
        candidate = (quality, -position, primary)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else default


def choose_engine(request: Request, default: str) -> str:
    """``?engine=`` when given (one of pipeline.ENGINES, else 400; 400 too where it cannot run), else ``default``."""
    asked = request.args.get("engine")
    if asked is None:
        return default
    if asked not in ENGINES:
        raise BadRequest(f"engine={asked!r} is not known; use one of {', '.join(ENGINES)}.")
    reason = engine_unavailable(asked)
    if reason:
        raise BadRequest(f"{reason}.")
    return asked

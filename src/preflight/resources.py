"""Where the project's data files live: schemas/ and rules/ beside src/, or inside the package."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent
_PROJECT_DIR = _PACKAGE_DIR.parent.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def schemas_dir() -> Path:
    """The folder holding the JSON Schemas."""
    return _first_existing(_PROJECT_DIR / "schemas", _PACKAGE_DIR / "data" / "schemas")


def rules_dir() -> Path:
    """The folder of rule files: $PREFLIGHT_RULES_DIR, else the project's rules/."""
    override = os.environ.get("PREFLIGHT_RULES_DIR")
    if override:
        return Path(override)
    return _first_existing(_PROJECT_DIR / "rules", _PACKAGE_DIR / "data" / "rules")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema of schemas/ by file name, e.g. 'snapshot.schema.json'."""
    with open(schemas_dir() / name, encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema

"""`preflight snapshot-template`: a skeleton that is valid once its placeholders are filled in."""

from __future__ import annotations

import re

import pytest

from preflight.cli import main
from preflight.pipeline import check
from preflight.snapshot_loader import load_snapshot
from preflight.snapshot_template import TEMPLATES, template
from preflight.snapshot_validator import validate_snapshot

PLACEHOLDER = re.compile(r"<([^<>]+)>")


def filled(text: str) -> str:
    """Each placeholder replaced: by its example when it gives one, else by a value per placeholder."""
    values: dict[str, str] = {}

    def value(match: re.Match[str]) -> str:
        inside = match.group(1)
        example = re.search(r"(?:e\.g\.|bijv\.) (\S+)$", inside)
        if example:
            return example.group(1)
        if "e-mail" in inside:
            return values.setdefault(inside, f"person{len(values)}@example.nl")
        return values.setdefault(inside, f"X{len(values)}")

    return PLACEHOLDER.sub(value, text)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_template_is_valid_once_filled_in(lang):
    """Fill in every <…> and the snapshot passes validation, and both engines answer it."""
    text = filled(template(lang))
    assert PLACEHOLDER.search(text) is None
    assert validate_snapshot(load_snapshot(text).data, lang="en") == []
    for engine in ("python", "durable"):
        assert check(text, engine=engine).verdict in ("ready", "blocked")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_template_unfilled_is_not_mistaken_for_a_snapshot(lang):
    """Sent as it is, the skeleton is invalid (its moment is a placeholder), so nobody checks an empty form."""
    problems = validate_snapshot(load_snapshot(template(lang)).data, lang="en")
    assert [p.path for p in problems] == ["/taken_at"]


def test_both_languages_have_the_same_fields():
    """The Dutch and English skeletons differ in their comments and placeholders only."""
    def shape(text):
        lines = [PLACEHOLDER.sub("", line.split(" #")[0]).rstrip() for line in text.splitlines()]
        return [line for line in lines if line and not line.lstrip().startswith("#")]
    assert shape(TEMPLATES["nl"]) == shape(TEMPLATES["en"])


@pytest.mark.parametrize(("args", "lang"), [([], "nl"), (["--lang", "en"], "en")])
def test_the_command_prints_the_template(capsys, args, lang):
    """`preflight snapshot-template [--lang]` prints it (Dutch by default) and exits 0."""
    assert main(["snapshot-template", *args]) == 0
    assert capsys.readouterr().out == TEMPLATES[lang]

"""Renderers: a snapshot's values cannot inject anything into text, Markdown or JUnit output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import yaml

from preflight.pipeline import check
from preflight.renderers import render_junit, render_markdown, render_text


@pytest.fixture()
def hostile(examples_dir):
    """blocked.yaml with names that try to repaint a terminal, link out, and break XML."""
    data = yaml.safe_load((examples_dir / "blocked.yaml").read_text(encoding="utf-8"))
    data["administrations"][0]["name"] = "Bakkerij\x1b[2J\x1b[32mKLAAR\x1b[0m\u202e"
    data["target_office"]["name"] = "[klik hier](https://evil.example/x) ![](https://evil.example/t.png) <b>x</b>"
    data["requester"]["email"] = "a\x01b@example.nl"
    return data


def test_text_shows_control_characters_escaped(hostile):
    """No escape sequence reaches the terminal: a name cannot clear the screen or paint a verdict."""
    text = render_text(check(hostile))
    assert "\x1b" not in text and "\u202e" not in text and "\x01" not in text
    assert "Bakkerij\\x1b[2J\\x1b[32mKLAAR\\x1b[0m\\u202e" in text
    assert text.startswith("GEBLOKKEERD")


def test_text_in_colour_paints_only_what_preflight_paints(hostile):
    """With colour on, the only escape sequences are preflight's own."""
    text = render_text(check(hostile), colour=True)
    assert "\x1b[2J" not in text and "\x1b[32mKLAAR" not in text
    assert text.startswith("\x1b[1;31mGEBLOKKEERD")


def test_markdown_carries_no_links_images_or_html_from_a_snapshot(hostile):
    """Brackets and angle brackets of values are escaped: the name renders as typed."""
    markdown = render_markdown(check(hostile))
    assert "[klik hier](https" not in markdown and "![](" not in markdown and "<b>" not in markdown
    assert "\\[klik hier\\](https://evil.example/x) \\!\\[\\](https://evil.example/t.png) \\<b\\>x\\</b\\>" in markdown


def test_junit_is_valid_xml_whatever_the_values(hostile):
    """Characters XML cannot carry are shown escaped; the document parses."""
    suite = ET.fromstring(render_junit(check(hostile)))
    assert suite.get("failures") == str(check(hostile).summary["blocking"])

"""Findings and the report: texts filled in, deterministic order, verdict and summary."""

from __future__ import annotations

import json

import pytest

from preflight.findings import Finding
from preflight.pipeline import check_data, check_text
from preflight.report import report_from_findings


def finding(severity, subject, rule, message="m"):
    return Finding(rule, severity, subject, message, "r", "faq", {})


def test_order_is_severity_then_subject_then_rule():
    """blocking < advisory < info, then subject, then rule — whatever the input order."""
    items = [
        finding("info", "migration", "b"),
        finding("advisory", "administration:2", "a"),
        finding("blocking", "user:z", "a"),
        finding("blocking", "administration:1", "z"),
        finding("blocking", "administration:1", "a"),
    ]
    report = report_from_findings(list(reversed(items)), "2026-11-27T09:30:00Z", "nl")
    assert [(f.severity, f.subject, f.rule) for f in report.findings] == [
        ("blocking", "administration:1", "a"),
        ("blocking", "administration:1", "z"),
        ("blocking", "user:z", "a"),
        ("advisory", "administration:2", "a"),
        ("info", "migration", "b"),
    ]
    assert report.summary == {"blocking": 3, "advisory": 1, "info": 1}
    assert report.verdict == "blocked"


def test_info_and_advisory_alone_are_ready():
    """Only advisory and info findings: ready."""
    report = report_from_findings([finding("advisory", "migration", "x"), finding("info", "migration", "y")], "t", "en")
    assert report.verdict == "ready"


def test_placeholders_and_variants(examples_dir):
    """Messages carry the evidence values; without a target the other variant is used."""
    data = json.loads((examples_dir / "ready.json").read_text(encoding="utf-8"))
    report = check_data(data, lang="en")
    emails = [f for f in report.findings if f.rule == "submission-email-changes"]
    assert all(f.evidence["new_submission_email"] in f.message for f in emails)
    data["target_office"] = None
    report = check_data(data, lang="en")
    emails = [f for f in report.findings if f.rule == "submission-email-changes"]
    assert emails and all("will start with the new office's code" in f.message for f in emails)
    assert all("new_submission_email" not in f.evidence for f in emails)


def test_same_user_in_two_administrations_gives_two_findings(examples_dir):
    """personal-archive-lost: one finding per user per administration, each naming it."""
    data = json.loads((examples_dir / "ready.json").read_text(encoding="utf-8"))
    for admin in data["administrations"][:2]:
        admin["users"] = [{"email": "lies@x.nl", "role": "client", "personal_archive": True}]
    report = check_data(data, lang="en")
    lost = [f for f in report.findings if f.rule == "personal-archive-lost"]
    assert len(lost) == 2
    assert {f.evidence["administration_code"] for f in lost} == {a["code"] for a in data["administrations"][:2]}


@pytest.mark.parametrize("raw", [b"[]", b"42", b'"text"', b"null"])
def test_top_level_not_an_object_is_invalid(raw):
    """A snapshot that is not an object: verdict invalid with an error at the root."""
    report = check_text(raw)
    assert report.verdict == "invalid"
    assert report.errors[0].path == ""
    assert report.findings == ()


def test_invalid_report_echoes_taken_at_only_when_text():
    """taken_at is echoed from an invalid snapshot only when it is a string."""
    assert check_text(b'{"taken_at": "x"}').taken_at == "x"
    assert check_text(b'{"taken_at": 5}').taken_at is None

"""The report (v2): verdict per phase, deterministic order, findings with subjects as data and
pointers into the snapshot, and the input errors."""

from __future__ import annotations

import json

import pytest
import yaml

from preflight.facts import Subject
from preflight.findings import Finding
from preflight.pipeline import check
from preflight.report import finding_sort_key, verdict_of


def finding(severity, about, rule, message="m"):
    return Finding(rule, severity, about, message, "r", "faq", "https://x", "step", {})


@pytest.fixture()
def ready(examples_dir):
    return json.loads((examples_dir / "ready.json").read_text(encoding="utf-8"))


@pytest.fixture()
def blocked(examples_dir):
    return yaml.safe_load((examples_dir / "blocked.yaml").read_text(encoding="utf-8"))


def test_order_is_severity_then_subject_then_rule():
    """blocking < advisory < info, then subject, then rule — whatever the input order."""
    admin1, admin2 = Subject("administration", "1", "1"), Subject("administration", "2", "2")
    items = [
        finding("info", Subject("migration"), "b"),
        finding("advisory", admin2, "a"),
        finding("blocking", Subject("user", "z"), "a"),
        finding("blocking", admin1, "z"),
        finding("blocking", admin1, "a"),
    ]
    ordered = sorted(reversed(items), key=finding_sort_key)
    assert [(f.severity, f.subject, f.rule) for f in ordered] == [
        ("blocking", "administration:1", "a"),
        ("blocking", "administration:1", "z"),
        ("blocking", "user:z", "a"),
        ("advisory", "administration:2", "a"),
        ("info", "migration", "b"),
    ]


def test_verdict_per_phase():
    """Blocked by any blocking finding, else ready; after completion always completed."""
    blocking = (finding("blocking", Subject("migration"), "x"),)
    advisory = (finding("advisory", Subject("migration"), "x"),)
    assert verdict_of("before_start", blocking) == "blocked"
    assert verdict_of("audit", advisory) == "ready"
    assert verdict_of("completed", ()) == "completed"


def test_placeholders_and_variants(ready):
    """Messages carry the values; without a target the other variant is used."""
    report = check(ready, lang="en")
    emails = [f for f in report.findings if f.rule == "submission-email-changes"]
    assert emails and all(f.evidence["new_submission_email"] in f.message for f in emails if "new_submission_email" in f.evidence)
    ready["target_office"] = None
    report = check(ready, lang="en")
    emails = [f for f in report.findings if f.rule == "submission-email-changes"]
    assert emails and all("starts with the new office code" in f.message for f in emails)
    assert all("new_submission_email" not in f.evidence for f in emails)


def test_with_a_new_code_no_submission_address_is_predicted(ready):
    """The FAQ says only that the address will start with the new office code: with a new_code
    the report predicts no address (it might not be the administration code's)."""
    ready["migration"]["administrations"] = [{"code": ready["administrations"][0]["code"], "new_code": "7001"}]
    ready["target_office"]["package_administrations"].append("7001")
    (email,) = [f for f in check(ready, lang="nl").findings if f.rule == "submission-email-changes"]
    assert "new_submission_email" not in email.evidence
    assert email.message.endswith("begint na de migratie met de nieuwe kantoorcode.")


def test_same_user_in_two_administrations_gives_two_findings(ready):
    """personal-archive-lost: one finding per user per administration, each naming it."""
    for admin in ready["administrations"][:2]:
        admin["users"] = [{"email": "lies@x.nl", "role": "client", "personal_archive": True}]
    lost = [f for f in check(ready, lang="en").findings if f.rule == "personal-archive-lost"]
    assert len(lost) == 2
    assert {f.about.administration for f in lost} == {a["code"] for a in ready["administrations"][:2]}
    assert {f.about for f in lost} == {Subject("user", "lies@x.nl", a["code"]) for a in ready["administrations"][:2]}


def test_every_finding_carries_its_subject_as_data(blocked):
    """kind, key and administration: nobody has to split 'administration:1001' again."""
    report = check(blocked)
    for f in report.findings:
        assert str(f.about) == f.subject
        if f.about.kind == "administration":
            assert f.about.administration == f.about.key
        if f.about.kind in ("office", "migration"):
            assert f.about.administration is None
    requester = next(f for f in report.findings if f.rule == "requester-not-superuser")
    assert requester.about == Subject("user", "s.meijer@devries-administratie.nl", None)


def _resolve(document, pointer):
    node = document
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_pointers_lead_to_the_values_a_finding_rests_on(blocked):
    """Every pointer of every finding resolves in the snapshot (or names the absent part a rule
    missed), and points at the value that made the rule fire."""
    report = check(blocked)
    for f in report.findings:
        assert f.pointers, f.rule
        for pointer in f.pointers:
            _resolve(blocked, pointer)
    by_rule = {(f.rule, f.subject): f.pointers for f in report.findings}
    assert by_rule[("documents-awaiting-authorisation", "administration:2001")] == ("/administrations/0/pending_authorisation",)
    assert by_rule[("administration-exists-in-target", "administration:2005")] == (
        "/target_office/administrations", "/migration/administrations/5/new_code")
    assert _resolve(blocked, "/migration/administrations/5/new_code") == "3005"
    del blocked["target_office"]
    (missing,) = [f for f in check(blocked).findings if f.rule == "target-environment-missing"]
    assert missing.pointers == ("/target_office",)


def test_a_completed_migration_runs_only_the_after_rules(blocked):
    """Phase completed: verdict completed, only after-migration rules, with their own severities."""
    blocked["migration"] = {"status": "completed", "administrations": blocked["migration"]["administrations"]}
    report = check(blocked, lang="en")
    assert (report.verdict, report.phase) == ("completed", "completed")
    severities = {f.rule: f.severity for f in report.findings}
    assert severities == {
        "users-not-migrated": "advisory",
        "personal-archive-lost": "advisory",
        "payment-agreement-moves": "advisory",
        "grant-access-after-migration": "advisory",
        "submission-email-changes": "info",
        "migration-completed": "info",
    }
    assert [step.step for step in report.plan] == ["after-migration"]
    assert report.batches is not None and not report.batches.can_start_now and report.batches.ready == ()


def test_a_withdrawn_migration_still_checks_everything_and_is_blocked(blocked):
    """Phase withdrawn: every rule still applies to the new attempt, and the migration must start anew."""
    blocked["migration"]["status"] = "withdrawn"
    report = check(blocked)
    assert (report.verdict, report.phase) == ("blocked", "withdrawn")
    rules = {f.rule for f in report.findings}
    assert {"migration-withdrawn", "documents-awaiting-authorisation", "target-subscription-not-premium"} <= rules
    assert "grant-access-after-migration" not in rules


def test_an_accepted_migration_is_its_own_phase(blocked):
    """Phase accepted: the e-mail addresses are fixed; the code no longer expires."""
    blocked["migration"]["status"] = "accepted"
    report = check(blocked)
    assert report.phase == "accepted"
    rules = {f.rule for f in report.findings}
    assert "email-addresses-locked" in rules and "transfer-code-expired" not in rules


def test_readiness_only_ignores_the_request(blocked):
    """readiness_only: the audit's view — every administration of the source, audit rules only."""
    report = check(blocked, readiness_only=True)
    assert report.phase == "audit"
    assert report.context is not None and report.context.status is None
    assert [a.code for a in report.context.administrations] == [a["code"] for a in blocked["administrations"]]
    assert "administration:2010" in {f.subject for f in report.findings}  # not requested, still checked
    assert not any(f.rule == "transfer-code-expired" for f in report.findings)


def test_dates_are_written_for_people(blocked):
    """The expired code names the day it expired, in words, in each language."""
    nl = next(f for f in check(blocked, lang="nl").findings if f.rule == "transfer-code-expired")
    en = next(f for f in check(blocked, lang="en").findings if f.rule == "transfer-code-expired")
    assert "22 november 2026 om 09:30" in nl.message
    assert "22 November 2026 at 09:30" in en.message
    blocked["migration"]["transfer_code_sent_at"] = "2026-11-20T09:30:00+01:00"
    pending = next(f for f in check(blocked, lang="nl").findings if f.rule == "transfer-code-pending")
    assert pending.message == (
        "De overdrachtscode is verstuurd op 20 november 2026 en is geldig tot 5 december 2026 om 09:30."
    )
    assert "spambox" in pending.remedy


@pytest.mark.parametrize("raw", [b"[]", b"42", b'"text"', b"null"])
def test_top_level_not_an_object_is_invalid(raw):
    """A snapshot that is not an object: verdict invalid with an error at the root."""
    report = check(raw)
    assert report.verdict == "invalid"
    assert report.errors[0].path == ""


def test_invalid_report_has_no_context_plan_or_batches(examples_dir):
    """An invalid report lists errors only: no phase, context, plan or batches in its JSON."""
    body = json.loads(check((examples_dir / "invalid.json").read_bytes()).to_json())
    assert body["verdict"] == "invalid" and body["errors"]
    assert not {"phase", "context", "plan", "batches"} & set(body)


def test_invalid_report_echoes_taken_at_only_when_text():
    """taken_at is echoed when it is a string, else null."""
    assert check(b'{"taken_at": "x"}').taken_at == "x"
    assert check(b'{"taken_at": 5}').taken_at is None


def test_same_snapshot_same_bytes_in_either_language(blocked):
    """Deterministic: the same snapshot gives the same bytes, every time."""
    for lang in ("nl", "en"):
        assert check(blocked, lang=lang).to_json() == check(json.loads(json.dumps(blocked)), lang=lang).to_json()


def test_unknown_fields_are_notices_in_the_report(examples_dir):
    """A misspelt optional field is named in the report with the closest known name — the
    verdict stands, and nothing is silently ignored — in valid and invalid reports alike."""
    data = yaml.safe_load((examples_dir / "blocked.yaml").read_text(encoding="utf-8"))
    data["migration"]["administrations"][5]["newcode"] = "7003"
    report = check(data, lang="en")
    assert report.verdict == "blocked"
    assert [n.to_dict() for n in report.notices] == [{
        "path": "/migration/administrations/5/newcode",
        "message": "unknown field 'newcode' is ignored; did you mean 'new_code'?",
    }]
    data["taken_at"] = "yesterday"
    invalid = check(data, lang="en")
    assert invalid.verdict == "invalid" and [n.path for n in invalid.notices] == ["/migration/administrations/5/newcode"]
    assert check((examples_dir / "blocked.yaml").read_bytes()).notices == ()


def test_sorting_writes_the_evidence_out_only_to_break_ties() -> None:
    """sort_findings gives exactly the order of finding_sort_key, ties on all but the evidence included."""
    import random

    from preflight.report import sort_findings

    admin = Subject("administration", "1", "1")
    pool = [finding(severity, subject, rule, message) for severity in ("info", "blocking")
            for subject in (admin, Subject("migration")) for rule in ("b", "a") for message in ("y", "x")]
    pool += [pool[0]._replace(evidence={"n": n}) for n in (3, 1, 2)] + [pool[5]._replace(evidence={"n": 0})]
    random.Random(4).shuffle(pool)
    assert list(sort_findings(pool)) == sorted(pool, key=finding_sort_key)


@pytest.mark.parametrize("indent", [2, None])
def test_json_is_the_same_bytes_from_orjson_and_the_standard_library(blocked, indent, monkeypatch):
    """Reports are written by orjson, and by the standard library where orjson cannot (integers
    beyond 64 bits): both give the same bytes, so a report never changes with its numbers."""
    import builtins
    import sys

    from preflight.report import dump_json

    data = check(blocked).to_dict()
    fast = dump_json(data, indent)
    real_import = builtins.__import__

    def no_orjson(name, *args, **kwargs):
        if name == "orjson":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "orjson", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_orjson)
    assert dump_json(data, indent) == fast
    monkeypatch.undo()
    huge = dict(data, summary={"blocking": 10**30})
    assert dump_json(huge, indent).count("1000000000000000000000000000000") == 1


def test_a_long_report_lists_the_first_findings_and_counts_them_all(examples_dir):
    """Past 1,000 findings a report lists the first (blocking first) and says how many it leaves
    out; the verdict, the summary, the plan and the batches still rest on every finding."""
    from preflight.renderers import render_text
    from preflight.report import MAX_LISTED_FINDINGS

    data = json.loads((examples_dir / "audit-office.json").read_text(encoding="utf-8"))
    template = dict(data["administrations"][0], pending_authorisation=2, payment_agreement=True,
                    users=[{"email": "a@b.nl", "role": "client"}], subadministration_of=None)
    data["administrations"] = [dict(template, code=f"A{i:04}", name=f"Klant {i}") for i in range(700)]
    report = check(data, lang="nl")
    total = sum(report.summary.values())
    assert total == 700 * 3 + 1  # three per administration, and the office has no superuser
    assert len(report.findings) == MAX_LISTED_FINDINGS and report.omitted == total - MAX_LISTED_FINDINGS
    assert all(f.severity == "blocking" for f in report.findings[:700])
    body = json.loads(report.to_json())
    assert body["findings_omitted"] == total - MAX_LISTED_FINDINGS
    assert all(i < MAX_LISTED_FINDINGS for step in body["plan"] for i in step["findings"])
    (good_to_know,) = [s for s in report.plan if s.step == "good-to-know"]
    assert len(good_to_know.administrations) == 700  # the plan still names every administration
    assert len(report.batches.after_fixes) == 700
    text = render_text(report)
    assert f"Nog {total - MAX_LISTED_FINDINGS:,} bevindingen staan hier niet bij".replace(",", ".") in text

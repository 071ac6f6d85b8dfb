"""The plan and the batches: what to do in which order, and which administrations can move."""

from __future__ import annotations

import copy

import pytest
import yaml

from preflight.pipeline import check
from preflight.rulebook import default_rulebook


@pytest.fixture()
def blocked(examples_dir):
    return yaml.safe_load((examples_dir / "blocked.yaml").read_text(encoding="utf-8"))


@pytest.fixture()
def ready_admin(examples_dir):
    """A requested administration with nothing wrong, to copy."""
    data = yaml.safe_load((examples_dir / "blocked.yaml").read_text(encoding="utf-8"))
    admin = copy.deepcopy(data["administrations"][0])
    admin.update(pending_authorisation=0, users=[])
    del admin["submission_email"]
    return admin


def test_every_finding_is_covered_by_exactly_one_step_in_order(blocked):
    """The plan's findings are a partition of the report's findings, steps sorted by order."""
    report = check(blocked)
    covered = [i for step in report.plan for i in step.findings]
    assert sorted(covered) == list(range(len(report.findings)))
    assert [s.order for s in report.plan] == sorted(s.order for s in report.plan)
    book = default_rulebook()
    for step in report.plan:
        for i in step.findings:
            assert report.findings[i].step == step.step == book.by_id(report.findings[i].rule).step
        ranks = {"blocking": 0, "advisory": 1, "info": 2}
        assert step.severity == min((report.findings[i].severity for i in step.findings), key=ranks.__getitem__)


def test_a_remedy_is_said_once_per_step_with_the_administrations_it_concerns(blocked):
    """Two administrations with users: one task 'create the users again', naming both."""
    report = check(blocked, lang="en")
    (step,) = [s for s in report.plan if s.step == "good-to-know"]
    texts = [t.text for t in step.tasks]
    assert len(texts) == len(set(texts))
    (users,) = [t for t in step.tasks if t.text == "Create the users again in the new office."]
    assert users.administrations == ("2001", "2002")
    assert step.actor == "source_office"


def test_steps_follow_the_plan_order_not_the_severity(blocked):
    """The target environment comes before the authorisations, as an agent walks a customer through."""
    report = check(blocked)
    steps = [s.step for s in report.plan]
    assert steps == ["target-environment", "superusers", "accounting-package", "authorisations",
                     "the-request", "the-migration", "good-to-know", "after-migration"]


def test_batches_sort_requested_administrations(blocked):
    """cannot_move: the subadministration; after_fixes: those with a blocking finding (the code
    the source lacks too); nothing ready, so the migration cannot start."""
    batches = check(blocked).batches
    assert batches is not None
    assert batches.cannot_move == ("2003",)
    assert batches.after_fixes == ("2001", "2002", "2004", "2099", "2005")
    assert batches.ready == () and batches.can_start_now is False


def test_ready_administrations_go_in_migrations_of_at_most_five(blocked, ready_admin):
    """Seven clean administrations: migrations of 5 and 2, in request order; startable once
    nothing about the office, the migration or a person blocks."""
    blocked["administrations"] = [dict(ready_admin, code=f"30{i}") for i in range(7)]
    blocked["migration"] = {"status": "draft", "administrations": [{"code": f"30{i}"} for i in (6, 0, 1, 2, 3, 4, 5)]}
    blocked["target_office"].update(subscription="premium", package_administrations=[f"30{i}" for i in range(7)])
    blocked["requester"]["role"] = "superuser"
    report = check(blocked)
    assert report.batches is not None
    assert report.batches.ready == (("306", "300", "301", "302", "303"), ("304", "305"))
    assert report.batches.can_start_now is True
    assert any(f.rule == "batch-too-large" for f in report.findings)  # the advice still stands
    blocked["requester"]["role"] = "accountant"
    blocked_by_person = check(blocked).batches
    assert blocked_by_person is not None and blocked_by_person.ready and not blocked_by_person.can_start_now


def test_in_an_audit_every_administration_of_the_office_is_sorted(examples_dir):
    """Without a migration the batches cover every administration of the source."""
    import json

    data = json.loads((examples_dir / "audit-office.json").read_text(encoding="utf-8"))
    report = check(data)
    batches = report.batches
    assert batches is not None
    everything = [c for batch in batches.ready for c in batch] + list(batches.after_fixes) + list(batches.cannot_move)
    assert sorted(everything) == sorted(a["code"] for a in data["administrations"])
    assert "5004" in batches.cannot_move and "5002" in batches.after_fixes


def test_plan_entries_are_in_the_reports_language(blocked):
    """Titles, actions and tasks are in the requested language."""
    nl = check(blocked, lang="nl").plan[0]
    en = check(blocked, lang="en").plan[0]
    assert (nl.title, en.title) == ("De nieuwe Basecone-omgeving", "The new Basecone environment")
    assert nl.action != en.action and nl.tasks[0].text != en.tasks[0].text

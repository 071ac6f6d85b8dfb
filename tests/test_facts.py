"""Fact derivation: generic values the rules read, from a valid snapshot."""

from __future__ import annotations

import json

import pytest

from preflight.facts import derive_facts, new_submission_email, target_code
from preflight.timestamps import epoch_seconds


@pytest.fixture()
def ready(examples_dir):
    return json.loads((examples_dir / "ready.json").read_text(encoding="utf-8"))


def by_scope(factset, scope):
    return [f for f in factset.facts if f.scope == scope]


def test_with_a_migration_only_requested_administrations_are_facts(ready):
    """Administration facts are the requested ones; requested codes are facts of their own."""
    ready["administrations"].append(dict(ready["administrations"][0], code="8888"))
    facts = derive_facts(ready)
    assert facts.phase == "before_start"
    assert "8888" not in {f.fields["code"] for f in by_scope(facts, "administration")}
    assert "8888" in facts.lists["source_office.administration_codes"]


def test_audit_mode_covers_every_administration(examples_dir):
    """Without a migration every administration is a fact, and there is no migration fact."""
    data = json.loads((examples_dir / "audit-office.json").read_text(encoding="utf-8"))
    facts = derive_facts(data)
    assert facts.phase == "audit"
    assert len(by_scope(facts, "administration")) == len(data["administrations"])
    assert by_scope(facts, "migration") == []


def test_transfer_code_age(ready):
    """Age of the transfer code in seconds and whole days, from taken_at (never the clock)."""
    ready["migration"].update(status="code_sent", transfer_code_sent_at="2026-11-12T08:29:59Z")
    (migration,) = by_scope(derive_facts(ready), "migration")
    assert migration.fields["transfer_code_age_seconds"] == 15 * 86_400 + 1
    assert migration.fields["transfer_code_age_days"] == 15


def test_null_values_are_absent_fields(ready):
    """Null in the snapshot is an absent field in the facts."""
    ready["target_office"]["accounting_link"] = None
    (target,) = by_scope(derive_facts(ready), "target_office")
    assert "accounting_link" not in target.fields


def test_requested_twice_is_counted_once_per_code(ready):
    """A code requested twice gives one fact with times_requested 2."""
    code = ready["migration"]["administrations"][0]["code"]
    ready["migration"]["administrations"].append({"code": code})
    facts = derive_facts(ready)
    requested = [f for f in by_scope(facts, "requested_administration") if f.fields["code"] == code]
    assert len(requested) == 1 and requested[0].fields["times_requested"] == 2


@pytest.mark.parametrize(
    ("requested", "expected"),
    [({"code": "1001"}, "1001"), ({"code": "1001", "new_code": "7001"}, "7001"), ({"code": "1001", "new_code": ""}, "1001")],
)
def test_target_code(requested, expected):
    """new_code when given, else the code."""
    assert target_code(requested) == expected


@pytest.mark.parametrize(
    ("old", "target", "new"),
    [
        ("adv01.1001@basecone-post.nl", "BJK01", "bjk01.1001@basecone-post.nl"),
        ("ADV01.1001@x.nl", "bjk01", "BJK01.1001@x.nl"),
        ("Adv01.1001@x.nl", "BJK01", "BJK01.1001@x.nl"),
        ("nodot@x.nl", "BJK01", "nodot@x.nl"),
    ],
)
def test_new_submission_email(old, target, new):
    """The leading office code becomes the target's, in the case the old address used."""
    assert new_submission_email(old, target) == new


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T01:00:00+01:00", 0),
        ("2026-11-27T09:30:00.999+01:00", 1795768200),
        ("0001-01-01T00:00:00Z", -62135596800),
    ],
)
def test_epoch_seconds(text, epoch):
    """RFC 3339 with offsets and fractions; whole seconds."""
    assert epoch_seconds(text) == epoch


@pytest.mark.parametrize("text", ["2026-11-27T09:30:00", "2026-02-30T00:00:00Z", "2026-11-27T09:30:00+25:00"])
def test_epoch_seconds_rejects_bad_text(text):
    """No offset, impossible dates and offsets raise ValueError."""
    with pytest.raises(ValueError):
        epoch_seconds(text)

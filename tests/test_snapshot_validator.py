"""The snapshot contract: every violation is listed with its JSON path; valid snapshots pass."""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.pipeline import check
from preflight.problems import InputProblem
from preflight.snapshot_loader import load_snapshot
from preflight.snapshot_validator import MAX_PROBLEMS, validate_snapshot

from .snapshot_strategies import snapshots


@pytest.fixture()
def ready(examples_dir):
    return json.loads((examples_dir / "ready.json").read_text(encoding="utf-8"))


def paths(problems):
    return [p.path for p in problems]


@pytest.mark.parametrize("name", ["ready.json", "blocked.yaml", "audit-office.json"])
def test_the_valid_examples_are_valid(examples_dir, name):
    """The example snapshots satisfy the contract."""
    assert validate_snapshot(yaml.safe_load((examples_dir / name).read_text(encoding="utf-8"))) == []


def test_invalid_example_lists_every_violation(examples_dir):
    """All violations at once, sorted by path, worded from the failing keyword, with hints."""
    data = json.loads((examples_dir / "invalid.json").read_text(encoding="utf-8"))
    problems = validate_snapshot(data, lang="en")
    assert [f"{p.path}: {p.message}" for p in problems] == [
        "/administrations/1: required field 'accounting_system' is missing",
        "/administrations/2/pending_authorisation: -1 is less than the minimum of 0; a count is never negative",
        "/administrations/3/code: duplicate administration code '3101' (also at /administrations/0)",
        "/migration: required field 'transfer_code_sent_at' is missing; needed when the status is code_sent or accepted: when was the transfer code sent?",
        "/snapshot_version: must be 1, found the number 2; this program reads snapshot version 1",
    ]


def test_violations_are_in_dutch_by_default(examples_dir):
    """Without a language the reader gets Dutch, as everywhere in preflight."""
    data = json.loads((examples_dir / "invalid.json").read_text(encoding="utf-8"))
    messages = [p.message for p in validate_snapshot(data)]
    assert "verplicht veld 'accounting_system' ontbreekt" in messages
    assert "-1 is kleiner dan het minimum 0; een aantal is nooit negatief" in messages
    assert [p.path for p in validate_snapshot(data)] == [p.path for p in validate_snapshot(data, lang="en")]


MUTATIONS = [
    ("top level not an object", lambda d: [d], [""]),
    ("missing taken_at", lambda d: d.pop("taken_at"), [""]),
    ("taken_at without offset", lambda d: d.update(taken_at="2026-11-27T09:30:00"), ["/taken_at"]),
    ("impossible month", lambda d: d.update(taken_at="2026-13-01T00:00:00Z"), ["/taken_at"]),
    ("year zero", lambda d: d.update(taken_at="0000-01-01T00:00:00Z"), ["/taken_at"]),
    ("office code too long", lambda d: d["source_office"].update(code="X" * 33), ["/source_office/code"]),
    ("unknown role", lambda d: d["requester"].update(role="admin"), ["/requester/role"]),
    ("unknown subscription", lambda d: d["target_office"].update(subscription="gold"), ["/target_office/subscription"]),
    ("accounting_link missing", lambda d: d["target_office"].pop("accounting_link"), ["/target_office"]),
    ("status unknown", lambda d: d["migration"].update(status="running"), ["/migration/status"]),
    ("no requested administrations", lambda d: d["migration"].update(administrations=[]), ["/migration/administrations"]),
    ("accepted without sent_at", lambda d: d["migration"].update(status="accepted"), ["/migration"]),
    ("negative pending", lambda d: d["administrations"][0].update(pending_authorisation=-1), ["/administrations/0/pending_authorisation"]),
    ("pending as text", lambda d: d["administrations"][0].update(pending_authorisation="3"), ["/administrations/0/pending_authorisation"]),
    ("boolean as count", lambda d: d["administrations"][0].update(documents_total=True), ["/administrations/0/documents_total"]),
    ("authorisation value", lambda d: d["administrations"][0]["authorisation"].update(after_booking="always"), ["/administrations/0/authorisation/after_booking"]),
    ("workflow without authorisers", lambda d: d["administrations"][0].update(workflows=[{"name": "x"}]), ["/administrations/0/workflows/0"]),
    ("target office wrong type", lambda d: d.update(target_office="BJK01"), ["/target_office"]),
    ("version 2", lambda d: d.update(snapshot_version=2), ["/snapshot_version"]),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_each_kind_of_violation_has_its_path(ready, name, mutate, expected):
    """A single contract violation is reported at its JSON pointer, and gives verdict invalid."""
    data = copy.deepcopy(ready)
    result = mutate(data)
    if isinstance(result, list):
        data = result
    problems = validate_snapshot(data)
    assert paths(problems) == expected, problems
    assert check(data).verdict == "invalid"


def test_null_target_office_is_valid(ready):
    """target_office may be null (no environment yet)."""
    ready["target_office"] = None
    assert validate_snapshot(ready) == []


def test_unknown_fields_are_ignored(ready):
    """Newer exporters may add fields."""
    ready["exporter"] = {"version": "9.9"}
    ready["administrations"][0]["colour"] = "blue"
    assert validate_snapshot(ready) == []


def test_huge_integers_are_valid_and_evaluated_exactly(ready):
    """10**30 documents awaiting authorisation: valid, blocking on both engines, evidence exact."""
    ready["administrations"][0]["pending_authorisation"] = 10**30
    for engine in ("durable", "python"):
        report = check(ready, engine=engine)
        finding = next(f for f in report.findings if f.rule == "documents-awaiting-authorisation")
        assert finding.evidence == {"pending_authorisation": 10**30}
        assert "1.000.000.000.000.000.000.000.000.000.000 documenten" in finding.message  # grouped, exact


def test_longest_names_and_non_ascii_codes_are_carried_through(ready):
    """A name at its limit (200 characters) and non-ASCII codes are neither truncated nor mangled."""
    ready["administrations"][0]["name"] = "Ä" * 200
    ready["administrations"][0]["code"] = "Ö-1001"
    ready["migration"]["administrations"] = [{"code": "Ö-1001"}]
    ready["administrations"][0]["pending_authorisation"] = 1
    for engine in ("durable", "python"):
        report = check(ready, engine=engine)
        assert report.verdict == "blocked"
        assert "administration:Ö-1001" in {f.subject for f in report.findings}


def test_long_error_messages_are_shortened(ready):
    """A violation on a huge value does not repeat the value in full."""
    ready["administrations"][0]["workflows"] = "x" * 100_000
    (problem,) = validate_snapshot(ready, lang="en")
    assert problem.message == "expected a list, found the text 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"


INTERESTING = [-1, 0, 1, 1.0, 2.5, 10**30, -(10**30), "", "x", "X" * 70, "X" * 255, None, True, False, [], {},
               "2026-11-27T09:30:00", "2026-11-27T23:59:60Z", "0000-01-01T00:00:00Z", "premium",
               "2026-11-27 09:30:00Z", "2016-12-31T23:59:60Z", "2017-01-01T00:59:60+01:00", "2026-11-27T12:00:60Z",
               "2026-11-27T09:30:00.000001+01:00", "2026-11-27T09:30:00+24:00", "Premium", "supergebruiker",
               "code_sent", "superuser", "required", [{"code": "1001"}], {"email": "a", "role": "client"}]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def mutated_snapshots(draw):
    snapshot = draw(snapshots())
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(snapshot))[1:]))
        parent = snapshot
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and draw(st.booleans()):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(INTERESTING)))
        if draw(st.booleans()):
            break
    return snapshot


@settings(max_examples=600)
@given(mutated_snapshots())
def test_fast_validator_agrees_with_jsonschema(snapshot):
    """The compiled fast path never accepts what python-jsonschema and the cross checks reject."""
    assert validate_snapshot(snapshot) == validate_snapshot(snapshot, fast=False)


def test_integral_floats_count_as_integers(ready):
    """3.0 documents awaiting authorisation is valid (JSON Schema integer) and evaluates as 3."""
    ready["administrations"][0]["pending_authorisation"] = 3.0
    for engine in ("durable", "python"):
        finding = next(f for f in check(ready, engine=engine).findings if f.rule == "documents-awaiting-authorisation")
        assert finding.evidence == {"pending_authorisation": 3}


def load_and_validate(text, lang="en"):
    return validate_snapshot(load_snapshot(text).data, lang=lang)


def test_an_unquoted_code_gets_a_hint_to_quote_it(examples_dir):
    """`code: 5001` in hand-written YAML says that codes are text and must be quoted."""
    text = (examples_dir / "one-problem.yaml").read_text(encoding="utf-8").replace('code: "1001"', "code: 1001", 1)
    (problem,) = load_and_validate(text)
    assert problem.message == (
        "expected text, found the number 1001; codes are text: put them in quotes, like \"5001\"; "
        "without quotes YAML reads 0012 as a number and the code is lost"
    )
    (dutch,) = load_and_validate(text, lang="nl")
    assert dutch.message.startswith("verwacht: tekst; gevonden: het getal 1001; codes zijn tekst: zet ze tussen aanhalingstekens")


def test_a_timestamp_without_offset_gets_an_example_with_one(ready):
    """A date-time without Z or ±HH:MM is told to add one, with the value completed as an example."""
    ready["taken_at"] = "2026-11-27T09:30:00"
    (problem,) = validate_snapshot(ready, lang="en")
    assert problem.message == (
        "'2026-11-27T09:30:00' has no offset; add the offset, such as 2026-11-27T09:30:00+01:00 (Dutch winter time) or Z for UTC"
    )


@pytest.mark.parametrize(
    ("where", "written", "meant"),
    [
        (("requester", "role"), "Supergebruiker", "superuser"),
        (("requester", "role"), "Super User", "superuser"),
        (("target_office", "subscription"), "Premium", "premium"),
        (("target_office", "subscription"), "premum", "premium"),
        (("migration", "status"), "code_send", "code_sent"),
    ],
)
def test_a_value_not_in_the_list_names_the_allowed_ones_and_the_closest(ready, where, written, meant):
    """A role, subscription or status that is not allowed lists the allowed values and the likeliest one."""
    ready[where[0]][where[1]] = written
    (problem,) = validate_snapshot(ready, lang="en")
    assert problem.path == f"/{where[0]}/{where[1]}"
    assert problem.message.startswith(f"{written!r} is not one of the allowed values: ")
    assert problem.message.endswith(f"; did you mean '{meant}'?")
    (dutch,) = validate_snapshot(ready, lang="nl")
    assert dutch.message.endswith(f"; bedoel je '{meant}'?")


@pytest.mark.parametrize("moment", ["2016-12-31T23:59:60Z", "2017-01-01T00:59:60+01:00", "2016-12-31T15:59:60.5-08:00"])
def test_leap_seconds_are_valid_on_both_paths(ready, moment):
    """RFC 3339 allows :60 at the end of a UTC day; the fast and the full path agree."""
    ready["taken_at"] = moment
    ready["migration"]["transfer_code_sent_at"] = moment
    assert validate_snapshot(ready) == [] == validate_snapshot(ready, fast=False)
    assert check(ready, engine="python").verdict != "invalid"


@pytest.mark.parametrize("moment", ["2026-11-27T12:00:60Z", "2026-11-27T23:59:61Z", "2026-11-27T09:30:00+24:00"])
def test_impossible_seconds_and_offsets_are_invalid_on_both_paths(ready, moment):
    """:60 anywhere but 23:59 UTC, :61, or an offset of 24 hours: invalid, on the fast and the full path."""
    ready["taken_at"] = moment
    assert [p.path for p in validate_snapshot(ready)] == ["/taken_at"]
    assert validate_snapshot(ready) == validate_snapshot(ready, fast=False)


def test_many_violations_are_listed_up_to_the_limit(ready):
    """10,000 broken administrations give the first MAX_PROBLEMS violations and one line saying there are more."""
    broken = dict(ready["administrations"][0], pending_authorisation="3")
    ready["administrations"] = [dict(broken, code=str(i)) for i in range(10_000)]
    problems = validate_snapshot(ready, lang="en")
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == InputProblem("", f"and more problems; only the first {MAX_PROBLEMS} are listed")
    assert problems == validate_snapshot(ready, fast=False, lang="en")


def test_an_unknown_language_is_refused(ready):
    """Only nl and en are spoken."""
    with pytest.raises(ValueError, match="unknown language"):
        validate_snapshot(ready, lang="de")

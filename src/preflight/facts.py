"""Step 3: derive flat, typed facts from a valid snapshot, one per thing a rule can look at.

Facts hold only generic derivations (counts, epoch seconds, target codes, …) — never whether a
rule fires; that is decided by the YAML rules. :data:`FACT_FIELDS` and :data:`FACT_LISTS` are the
documented catalogue rules may use; the rule loader refuses any other name. An absent or null
snapshot value is an *absent* field here (rules test it with ``present``/``absent``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .timestamps import elapsed_days, elapsed_seconds, epoch_seconds

#: Scopes with at most one fact per snapshot; rules may reference their fields as ``scope.field``.
SINGLETON_SCOPES = ("migration", "source_office", "target_office", "requester", "receiver")
#: Scopes with one fact per thing.
MULTI_SCOPES = ("administration", "requested_administration", "user")
SCOPES = SINGLETON_SCOPES + MULTI_SCOPES

_PERSON = {"email": "str", "role": "str", "personal_archive": "bool"}
_OFFICE = {"code": "str", "name": "str", "users_count": "int"}

#: scope -> field -> type ('str', 'int' or 'bool'). The meaning of every field is in docs/facts.md.
FACT_FIELDS: dict[str, dict[str, str]] = {
    "migration": {
        "status": "str",
        "administrations_count": "int",
        "distinct_administrations_count": "int",
        "taken_at_epoch": "int",
        "transfer_code_sent_at_epoch": "int",
        "transfer_code_age_seconds": "int",
        "transfer_code_age_days": "int",
    },
    "source_office": dict(_OFFICE, administrations_count="int"),
    "target_office": dict(
        _OFFICE,
        subscription="str",
        accounting_link="str",
        package_administrations_count="int",
        administrations_count="int",
    ),
    "requester": dict(_PERSON),
    "receiver": dict(_PERSON),
    "administration": {
        "code": "str",
        "name": "str",
        "accounting_system": "str",
        "subadministration_of": "str",
        "submission_email": "str",
        "documents_total": "int",
        "pending_authorisation": "int",
        "authorisation_before_booking": "str",
        "authorisation_after_booking": "str",
        "workflows_count": "int",
        "authorisers_count": "int",
        "payment_agreement": "bool",
        "users_count": "int",
        "personal_archive_users_count": "int",
        # Only with a migration:
        "new_code": "str",
        "target_code": "str",
        "times_requested": "int",
        "new_submission_email": "str",
    },
    "requested_administration": {
        "code": "str",
        "new_code": "str",
        "target_code": "str",
        "times_requested": "int",
    },
    "user": dict(_PERSON, administration_code="str", administration_name="str"),
}

#: Lists of text values held by a singleton fact, for ``contains``/``not_contains``.
FACT_LISTS: dict[str, tuple[str, ...]] = {
    "source_office": ("administration_codes", "user_roles"),
    "target_office": ("package_administrations", "administrations", "user_roles"),
}

#: How a finding names the thing it is about, per scope.
SUBJECT_TEMPLATES: dict[str, str] = {
    "migration": "migration",
    "source_office": "office:{code}",
    "target_office": "office:{code}",
    "requester": "user:{email}",
    "receiver": "user:{email}",
    "administration": "administration:{code}",
    "requested_administration": "administration:{code}",
    "user": "user:{email}",
}


@dataclass(frozen=True)
class Fact:
    """One thing a rule can match: its scope, a key unique in the snapshot, and flat fields."""

    scope: str
    key: str
    fields: dict[str, str | int | bool]

    @property
    def subject(self) -> str:
        """What a finding about this fact is about, e.g. 'administration:1001'."""
        return SUBJECT_TEMPLATES[self.scope].format_map(self.fields)


@dataclass(frozen=True)
class FactSet:
    """Everything the engines see of one snapshot."""

    mode: str  # "migration" or "audit"
    facts: tuple[Fact, ...]
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "scope.list" -> sorted values

    def singleton(self, scope: str) -> Fact | None:
        """The fact of a singleton scope, or None when the snapshot lacks it."""
        for fact in self.facts:
            if fact.scope == scope:
                return fact
        return None


def derive_facts(snapshot: dict[str, Any]) -> FactSet:
    """The facts of a snapshot that passed validation."""
    facts: list[Fact] = []
    lists: dict[str, tuple[str, ...]] = {}
    migration = snapshot.get("migration")
    source = snapshot["source_office"]
    target = snapshot.get("target_office")

    facts.append(_office_fact("source_office", source, lists))
    source_admins = snapshot["administrations"]
    facts[-1].fields["administrations_count"] = len(source_admins)
    lists["source_office.administration_codes"] = _sorted_unique(a["code"] for a in source_admins)
    if target is not None:
        fact = _office_fact("target_office", target, lists)
        fact.fields.update(
            subscription=target["subscription"],
            package_administrations_count=len(target["package_administrations"]),
            administrations_count=len(target["administrations"]),
        )
        _put(fact.fields, "accounting_link", target["accounting_link"])
        lists["target_office.package_administrations"] = _sorted_unique(target["package_administrations"])
        lists["target_office.administrations"] = _sorted_unique(target["administrations"])
        facts.append(fact)
    for role in ("requester", "receiver"):
        if role in snapshot:
            facts.append(Fact(role, role, _person_fields(snapshot[role])))

    if migration is None:
        admins: list[tuple[dict[str, Any], dict[str, str | int | bool]]] = [(a, {}) for a in source_admins]
    else:
        facts.append(_migration_fact(migration, snapshot["taken_at"]))
        admins = _requested(migration, source_admins, target, facts)

    position = {id(admin): i for i, admin in enumerate(source_admins)}
    for admin, extra in admins:
        index = position[id(admin)]
        fields = _administration_fields(admin)
        fields.update(extra)
        facts.append(Fact("administration", f"administration/{index}", fields))
        for user_index, user in enumerate(admin["users"]):
            user_fields = _person_fields(user)
            user_fields["administration_code"] = admin["code"]
            _put(user_fields, "administration_name", admin.get("name"))
            facts.append(Fact("user", f"administration/{index}/user/{user_index}", user_fields))
    return FactSet("audit" if migration is None else "migration", tuple(facts), lists)


def target_code(requested: dict[str, Any]) -> str:
    """The code a requested administration gets in the target: new_code, else its code."""
    new_code = requested.get("new_code")
    return str(new_code) if new_code else str(requested["code"])


def new_submission_email(email: str, target_office_code: str) -> str:
    """The submission address after migration: its leading office code becomes the target's.

    The contract's form is ``<officecode>.<administrationcode>@<domain>``: the part before the
    first dot is the office code. The new code is written in the case the old address used.
    """
    local, at, domain = email.partition("@")
    head, dot, rest = local.partition(".")
    if not dot:
        return email
    if head.islower():
        new_head = target_office_code.lower()
    elif head.isupper():
        new_head = target_office_code.upper()
    else:
        new_head = target_office_code
    return f"{new_head}.{rest}{at}{domain}"


def _requested(
    migration: dict[str, Any],
    source_admins: list[dict[str, Any]],
    target: dict[str, Any] | None,
    facts: list[Fact],
) -> list[tuple[dict[str, Any], dict[str, str | int | bool]]]:
    by_code = {a["code"]: a for a in source_admins}
    counts = Counter(r["code"] for r in migration["administrations"])
    chosen: list[tuple[dict[str, Any], dict[str, str | int | bool]]] = []
    seen: set[str] = set()
    for index, requested in enumerate(migration["administrations"]):
        code = requested["code"]
        if code in seen:
            continue
        seen.add(code)
        extra: dict[str, str | int | bool] = {
            "target_code": target_code(requested),
            "times_requested": counts[code],
        }
        _put(extra, "new_code", requested.get("new_code"))
        facts.append(
            Fact("requested_administration", f"requested/{index}", {"code": code, **extra})
        )
        admin = by_code.get(code)
        if admin is None:
            continue
        if target is not None and admin.get("submission_email"):
            extra["new_submission_email"] = new_submission_email(
                admin["submission_email"], target["code"]
            )
        chosen.append((admin, extra))
    return chosen


def _office_fact(scope: str, office: dict[str, Any], lists: dict[str, tuple[str, ...]]) -> Fact:
    fields: dict[str, str | int | bool] = {"code": office["code"]}
    _put(fields, "name", office.get("name"))
    users = office.get("users")
    if users is not None:
        fields["users_count"] = len(users)
        lists[f"{scope}.user_roles"] = _sorted_unique(u["role"] for u in users)
    return Fact(scope, scope, fields)


def _migration_fact(migration: dict[str, Any], taken_at_text: str) -> Fact:
    taken_at = epoch_seconds(taken_at_text)
    requested = migration["administrations"]
    fields: dict[str, str | int | bool] = {
        "status": migration["status"],
        "administrations_count": len(requested),
        "distinct_administrations_count": len({r["code"] for r in requested}),
        "taken_at_epoch": taken_at,
    }
    sent_at = migration.get("transfer_code_sent_at")
    if sent_at:
        fields["transfer_code_sent_at_epoch"] = epoch_seconds(sent_at)
        # Exact, fractions of a second included: seconds rounded up, days rounded down.
        fields["transfer_code_age_seconds"] = elapsed_seconds(taken_at_text, sent_at)
        fields["transfer_code_age_days"] = elapsed_days(taken_at_text, sent_at)
    return Fact("migration", "migration", fields)


def _administration_fields(admin: dict[str, Any]) -> dict[str, str | int | bool]:
    fields: dict[str, str | int | bool] = {
        "code": admin["code"],
        "accounting_system": admin["accounting_system"],
        "pending_authorisation": _integer(admin["pending_authorisation"]),
        "authorisation_before_booking": admin["authorisation"]["before_booking"],
        "authorisation_after_booking": admin["authorisation"]["after_booking"],
        "workflows_count": len(admin["workflows"]),
        "authorisers_count": sum(len(w["authorisers"]) for w in admin["workflows"]),
        "payment_agreement": admin["payment_agreement"],
        "users_count": len(admin["users"]),
        "personal_archive_users_count": sum(1 for u in admin["users"] if u.get("personal_archive")),
    }
    for name in ("name", "subadministration_of", "submission_email"):
        _put(fields, name, admin.get(name))
    if admin.get("documents_total") is not None:
        fields["documents_total"] = _integer(admin["documents_total"])
    return fields


def _person_fields(person: dict[str, Any]) -> dict[str, str | int | bool]:
    return {
        "email": person["email"],
        "role": person["role"],
        "personal_archive": bool(person.get("personal_archive", False)),
    }


def _integer(value: int | float) -> int:
    """JSON Schema counts 3.0 as an integer; the facts carry it as 3."""
    return int(value)


def _put(fields: dict[str, str | int | bool], name: str, value: Any) -> None:
    if value is not None:
        fields[name] = value


def _sorted_unique(values: Any) -> tuple[str, ...]:
    return tuple(sorted(set(values)))

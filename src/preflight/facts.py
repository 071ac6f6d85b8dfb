"""Step 3: derive flat, typed facts from a valid snapshot, one per thing a rule can look at.

Facts hold only generic derivations (counts, epoch seconds, target codes, …) — never whether a
rule fires; that is decided by the YAML rules. The catalogue below is what rules may use: for
every field its type (:data:`FACT_FIELDS`), how a person reads its value (:data:`FIELD_KINDS`)
and where in the snapshot it comes from (:data:`FIELD_POINTERS`, JSON pointers with the fact's
positions filled in), documented in docs/rule-language.md. An absent or null snapshot value is
an *absent* field here (rules test it with ``present``/``absent``).

The phase (rules.md, catalogue v2) is derived here too: it decides which rules run.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .timestamps import epoch_seconds
from .vocabulary import PHASE_OF_STATUS, Phase, SubjectKind

#: Scopes with at most one fact per snapshot; rules may reference their fields as ``scope.field``.
SINGLETON_SCOPES = ("migration", "source_office", "target_office", "requester", "receiver")
#: Scopes with one fact per thing.
MULTI_SCOPES = ("administration", "requested_administration", "user")
SCOPES = SINGLETON_SCOPES + MULTI_SCOPES

#: The FAQ: "De overdrachtscode is 15 dagen geldig." The rules compare the code's age with it
#: in seconds (1296000); the expiry date shown to people is the sending moment plus this.
TRANSFER_CODE_VALIDITY = timedelta(days=15)

_PERSON = {"email": "str", "role": "str", "personal_archive": "bool"}
_OFFICE = {"code": "str", "name": "str", "users_count": "int"}

#: scope -> field -> type ('str', 'int' or 'bool').
FACT_FIELDS: dict[str, dict[str, str]] = {
    "migration": {
        "status": "str",
        "administrations_count": "int",
        "distinct_administrations_count": "int",
        "taken_at": "str",
        "taken_at_epoch": "int",
        "transfer_code_sent_at": "str",
        "transfer_code_sent_at_epoch": "int",
        "transfer_code_age_seconds": "int",
        "transfer_code_age_days": "int",
        "transfer_code_expires_at": "str",
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

#: How a person reads a field's value (preflight.wording.VALUE_KINDS); unlisted: by its type.
FIELD_KINDS: dict[str, str] = {
    "status": "status",
    "role": "role",
    "subscription": "subscription",
    "accounting_link": "package",
    "accounting_system": "package",
    "authorisation_before_booking": "authorisation",
    "authorisation_after_booking": "authorisation",
    "taken_at": "date",
    "transfer_code_sent_at": "date",
    "transfer_code_expires_at": "moment",
}

_ADMIN = "/administrations/{admin}"
_REQUEST = "/migration/administrations/{request}"
_USER = "/administrations/{admin}/users/{user}"

#: scope -> field -> the snapshot values it is derived from, as JSON pointer templates filled in
#: with the fact's positions ({admin}, {request}, {user}, {target}: new_code or code).
FIELD_POINTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "migration": {
        "status": ("/migration/status",),
        "administrations_count": ("/migration/administrations",),
        "distinct_administrations_count": ("/migration/administrations",),
        "taken_at": ("/taken_at",),
        "taken_at_epoch": ("/taken_at",),
        "transfer_code_sent_at": ("/migration/transfer_code_sent_at",),
        "transfer_code_sent_at_epoch": ("/migration/transfer_code_sent_at",),
        "transfer_code_age_seconds": ("/migration/transfer_code_sent_at", "/taken_at"),
        "transfer_code_age_days": ("/migration/transfer_code_sent_at", "/taken_at"),
        "transfer_code_expires_at": ("/migration/transfer_code_sent_at",),
    },
    "source_office": {
        "code": ("/source_office/code",),
        "name": ("/source_office/name",),
        "users_count": ("/source_office/users",),
        "administrations_count": ("/administrations",),
    },
    "target_office": {
        "code": ("/target_office/code",),
        "name": ("/target_office/name",),
        "users_count": ("/target_office/users",),
        "subscription": ("/target_office/subscription",),
        "accounting_link": ("/target_office/accounting_link",),
        "package_administrations_count": ("/target_office/package_administrations",),
        "administrations_count": ("/target_office/administrations",),
    },
    **{
        person: {
            "email": (f"/{person}/email",),
            "role": (f"/{person}/role",),
            "personal_archive": (f"/{person}/personal_archive",),
        }
        for person in ("requester", "receiver")
    },
    "administration": {
        "code": (f"{_ADMIN}/code",),
        "name": (f"{_ADMIN}/name",),
        "accounting_system": (f"{_ADMIN}/accounting_system",),
        "subadministration_of": (f"{_ADMIN}/subadministration_of",),
        "submission_email": (f"{_ADMIN}/submission_email",),
        "documents_total": (f"{_ADMIN}/documents_total",),
        "pending_authorisation": (f"{_ADMIN}/pending_authorisation",),
        "authorisation_before_booking": (f"{_ADMIN}/authorisation/before_booking",),
        "authorisation_after_booking": (f"{_ADMIN}/authorisation/after_booking",),
        "workflows_count": (f"{_ADMIN}/workflows",),
        "authorisers_count": (f"{_ADMIN}/workflows",),
        "payment_agreement": (f"{_ADMIN}/payment_agreement",),
        "users_count": (f"{_ADMIN}/users",),
        "personal_archive_users_count": (f"{_ADMIN}/users",),
        "new_code": (f"{_REQUEST}/new_code",),
        "target_code": (f"{_REQUEST}/{{target}}",),
        "times_requested": ("/migration/administrations",),
        "new_submission_email": (f"{_ADMIN}/submission_email", "/target_office/code"),
    },
    "requested_administration": {
        "code": (f"{_REQUEST}/code",),
        "new_code": (f"{_REQUEST}/new_code",),
        "target_code": (f"{_REQUEST}/{{target}}",),
        "times_requested": ("/migration/administrations",),
    },
    "user": {
        "email": (f"{_USER}/email",),
        "role": (f"{_USER}/role",),
        "personal_archive": (f"{_USER}/personal_archive",),
        "administration_code": (f"{_ADMIN}/code",),
        "administration_name": (f"{_ADMIN}/name",),
    },
}

#: Lists of text values held by a singleton fact, for ``contains``/``not_contains``.
FACT_LISTS: dict[str, tuple[str, ...]] = {
    "source_office": ("administration_codes", "user_roles"),
    "target_office": ("package_administrations", "administrations", "user_roles"),
}

#: "scope.list" -> where the list's values come from.
LIST_POINTERS: dict[str, str] = {
    "source_office.administration_codes": "/administrations",
    "source_office.user_roles": "/source_office/users",
    "target_office.package_administrations": "/target_office/package_administrations",
    "target_office.administrations": "/target_office/administrations",
    "target_office.user_roles": "/target_office/users",
}

#: Where each singleton scope lives in a snapshot (a rule testing ``absent: target_office``
#: rests on that pointer).
SCOPE_POINTERS: dict[str, str] = {scope: f"/{scope}" for scope in SINGLETON_SCOPES}

#: What kind of thing a fact of each scope is about (a finding's subject).
SUBJECT_KINDS: dict[str, SubjectKind] = {
    "migration": "migration",
    "source_office": "office",
    "target_office": "office",
    "requester": "user",
    "receiver": "user",
    "administration": "administration",
    "requested_administration": "administration",
    "user": "user",
}


@dataclass(frozen=True)
class Subject:
    """What a finding is about: its kind, its key (code or e-mail address; none for the
    migration) and the administration it concerns, when it concerns one."""

    kind: SubjectKind
    key: str | None = None
    administration: str | None = None

    def __str__(self) -> str:
        """The report's ``subject`` text: 'administration:1001', 'user:…', 'office:…', 'migration'."""
        return self.kind if self.key is None else f"{self.kind}:{self.key}"

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "key": self.key, "administration": self.administration}


@dataclass(frozen=True)
class Fact:
    """One thing a rule can match: its scope, a key unique in the snapshot, and flat fields.

    ``slots`` are its positions in the snapshot, for :data:`FIELD_POINTERS`.
    """

    scope: str
    key: str
    fields: dict[str, str | int | bool]
    slots: dict[str, str | int] = field(default_factory=dict)

    @property
    def subject(self) -> Subject:
        """What a finding about this fact is about."""
        kind = SUBJECT_KINDS[self.scope]
        if kind == "migration":
            return Subject(kind)
        if kind == "office":
            return Subject(kind, str(self.fields["code"]))
        if kind == "user":
            admin = self.fields.get("administration_code")
            return Subject(kind, str(self.fields["email"]), admin if isinstance(admin, str) else None)
        code = str(self.fields["code"])
        return Subject(kind, code, code)

    def pointers(self, name: str) -> tuple[str, ...]:
        """The snapshot values field ``name`` of this fact comes from."""
        return tuple(template.format_map(self.slots) for template in FIELD_POINTERS[self.scope][name])


@dataclass(frozen=True)
class FactSet:
    """Everything the engines see of one snapshot."""

    phase: Phase
    facts: tuple[Fact, ...]
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "scope.list" -> sorted values

    @property
    def mode(self) -> str:
        """'audit' (no migration request) or 'migration'."""
        return "audit" if self.phase == "audit" else "migration"

    def singleton(self, scope: str) -> Fact | None:
        """The fact of a singleton scope, or None when the snapshot lacks it."""
        for fact in self.facts:
            if fact.scope == scope:
                return fact
        return None


def phase_of(snapshot: dict[str, Any], readiness_only: bool = False) -> Phase:
    """The phase of a valid snapshot: ``audit`` without a migration (or when the request is to be
    ignored), else what its status means (rules.md, catalogue v2)."""
    migration = snapshot.get("migration")
    if migration is None or readiness_only:
        return "audit"
    return PHASE_OF_STATUS[migration["status"]]


def derive_facts(snapshot: dict[str, Any], phase: Phase | None = None) -> FactSet:
    """The facts of a snapshot that passed validation (``phase``: default, from the snapshot)."""
    phase = phase or phase_of(snapshot)
    facts: list[Fact] = []
    lists: dict[str, tuple[str, ...]] = {}
    migration = snapshot.get("migration") if phase != "audit" else None
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
        admins: list[tuple[int, dict[str, Any], dict[str, str | int | bool], dict[str, str | int]]] = [
            (index, admin, {}, {"admin": index}) for index, admin in enumerate(source_admins)
        ]
    else:
        facts.append(_migration_fact(migration, snapshot["taken_at"]))
        admins = _requested(migration, source_admins, target, facts)

    for index, admin, extra, slots in admins:
        fields = _administration_fields(admin)
        fields.update(extra)
        facts.append(Fact("administration", f"administration/{index}", fields, slots))
        for user_index, user in enumerate(admin["users"]):
            user_fields = _person_fields(user)
            user_fields["administration_code"] = admin["code"]
            _put(user_fields, "administration_name", admin.get("name"))
            facts.append(
                Fact("user", f"administration/{index}/user/{user_index}", user_fields,
                     {"admin": index, "user": user_index})
            )
    return FactSet(phase, tuple(facts), lists)


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
) -> list[tuple[int, dict[str, Any], dict[str, str | int | bool], dict[str, str | int]]]:
    position = {a["code"]: i for i, a in enumerate(source_admins)}
    counts = Counter(r["code"] for r in migration["administrations"])
    chosen = []
    seen: set[str] = set()
    for request_index, requested in enumerate(migration["administrations"]):
        code = requested["code"]
        if code in seen:
            continue
        seen.add(code)
        extra: dict[str, str | int | bool] = {
            "target_code": target_code(requested),
            "times_requested": counts[code],
        }
        _put(extra, "new_code", requested.get("new_code"))
        slots: dict[str, str | int] = {
            "request": request_index,
            "target": "new_code" if requested.get("new_code") else "code",
        }
        facts.append(Fact("requested_administration", f"requested/{request_index}", {"code": code, **extra}, slots))
        index = position.get(code)
        if index is None:
            continue
        admin = source_admins[index]
        # The FAQ says only that the address "zal nu beginnen met de nieuwe kantoorcode": the
        # whole new address is predicted only when the administration keeps its code.
        if target is not None and admin.get("submission_email") and not requested.get("new_code"):
            extra["new_submission_email"] = new_submission_email(admin["submission_email"], target["code"])
        chosen.append((index, admin, extra, {**slots, "admin": index}))
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
    requested = migration["administrations"]
    taken_at = epoch_seconds(taken_at_text)
    fields: dict[str, str | int | bool] = {
        "status": migration["status"],
        "administrations_count": len(requested),
        "distinct_administrations_count": len({r["code"] for r in requested}),
        "taken_at": taken_at_text,
        "taken_at_epoch": taken_at,
    }
    sent_at_text = migration.get("transfer_code_sent_at")
    if sent_at_text:
        from .wording import parse_timestamp  # only migrations with a code need the moment

        sent_at = epoch_seconds(sent_at_text)
        age = _exact_age(taken_at_text, sent_at_text)
        fields["transfer_code_sent_at"] = sent_at_text
        fields["transfer_code_sent_at_epoch"] = sent_at
        fields["transfer_code_age_seconds"] = math.ceil(age)
        fields["transfer_code_age_days"] = math.floor(age / 86_400)
        expires = parse_timestamp(sent_at_text) + TRANSFER_CODE_VALIDITY
        fields["transfer_code_expires_at"] = expires.isoformat()
    return Fact("migration", "migration", fields)


def _exact_age(later: str, earlier: str) -> float:
    """Seconds from ``earlier`` to ``later``, fractions included.

    ``transfer_code_age_seconds`` is this rounded *up*: for a whole number of seconds N,
    "age > N" holds exactly when "ceil(age) > N" does, so a code sent 15 days and half a second
    ago is expired, and one sent exactly 15 days ago is not.
    """
    from .wording import parse_timestamp

    return (parse_timestamp(later) - parse_timestamp(earlier)).total_seconds()


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

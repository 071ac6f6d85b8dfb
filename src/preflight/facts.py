"""Step 3: derive flat, typed facts from a valid snapshot, one per thing a rule can look at.

Facts hold only generic derivations (counts, epoch seconds, target codes, …) — never whether a
rule fires; that is decided by the YAML rules. :data:`CATALOGUE` is what rules may use, each
field defined once: its type, how it is derived from the snapshot (a small Python expression
over the parts of the snapshot its fact is made of, :data:`SCOPE_INPUTS`), where in the snapshot
it comes from (JSON pointer templates, filled in with the fact's positions) and how a person
reads it. :func:`derive_facts` evaluates those definitions for every fact; the compiled engine
(:mod:`preflight.engine_compiled`) inlines the same expressions for the fields its rules read.
Documented in docs/rule-language.md. An absent or null snapshot value is an *absent* field here
(its expression gives None; rules test it with ``present``/``absent``).

Which facts a snapshot has is decided here too (:func:`administration_sources`,
:func:`requested_sources`, …), and the phase (rules.md, catalogue v2), which decides which
rules run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any, NamedTuple

from .timestamps import epoch_seconds
from .vocabulary import PHASE_OF_STATUS, Phase, SubjectKind
from .wording import parse_timestamp

#: Scopes with at most one fact per snapshot; rules may reference their fields as ``scope.field``.
SINGLETON_SCOPES = ("migration", "source_office", "target_office", "requester", "receiver")
#: Scopes with one fact per thing.
MULTI_SCOPES = ("administration", "requested_administration", "user")
SCOPES = SINGLETON_SCOPES + MULTI_SCOPES

#: The FAQ: "De overdrachtscode is 15 dagen geldig." The rules compare the code's age with it
#: in seconds (1296000); the expiry date shown to people is the sending moment plus this.
TRANSFER_CODE_VALIDITY = timedelta(days=15)

#: The parts of the snapshot a fact of each scope is made of: the names a field's expression
#: may use. ``snap`` is the whole snapshot; ``*_index`` are positions in its lists; ``person`` a
#: requester, receiver or user of an administration; ``request``
#: is the administration's entry in ``migration.administrations`` (None without a migration) and
#: ``times`` how often its code is requested.
SCOPE_INPUTS: dict[str, tuple[str, ...]] = {
    "migration": ("snap", "mig"),
    "source_office": ("snap", "office"),
    "target_office": ("snap", "office"),
    "requester": ("person",),
    "receiver": ("person",),
    "administration": ("snap", "admin_index", "admin", "request_index", "request", "times"),
    "requested_administration": ("request_index", "request", "times"),
    "user": ("admin_index", "admin", "user_index", "person"),
}

#: The positions a pointer template is filled in with ({admin}, {request}, {user}, {target}), as
#: expressions over the inputs; a fact without the input (e.g. no request in audit mode) lacks it.
POINTER_SLOTS: dict[str, tuple[str, str]] = {  # slot -> (input it needs, expression)
    "admin": ("admin_index", "admin_index"),
    "request": ("request_index", "request_index"),
    "user": ("user_index", "user_index"),
    "target": ("request", "target_key(request)"),
}


@dataclass(frozen=True)
class FactField:
    """One field rules can read: its type, its derivation, its sources and how it is shown."""

    type: str  # 'str', 'int' or 'bool'
    derive: str  # a Python expression over SCOPE_INPUTS[scope]; None means absent
    pointers: tuple[str, ...]  # JSON pointer templates of the snapshot values it comes from
    kind: str | None = None  # how a person reads it (preflight.wording.VALUE_KINDS); None: by its type

    @property
    def shown_as(self) -> str:
        """The value kind: the field's own, else number (int), yes_no (bool) or text."""
        return self.kind or {"int": "number", "bool": "yes_no"}.get(self.type, "text")


@dataclass(frozen=True)
class FactList:
    """A list of text values held by a singleton fact, for ``contains``/``not_contains``."""

    derive: str  # an expression over the owner's inputs giving the values (None: no list)
    pointer: str


_ADMIN = "/administrations/{admin}"
_REQUEST = "/migration/administrations/{request}"
_USER = "/administrations/{admin}/users/{user}"
_SENT = "/migration/transfer_code_sent_at"
_MIGRATION_ONLY = "None if request is None else "


def _person(prefix: str) -> dict[str, FactField]:
    return {
        "email": FactField("str", "person['email']", (f"{prefix}/email",)),
        "role": FactField("str", "person['role']", (f"{prefix}/role",), "role"),
        "personal_archive": FactField("bool", "bool(person.get('personal_archive', False))",
                                      (f"{prefix}/personal_archive",)),
    }


def _office(scope: str) -> dict[str, FactField]:
    return {
        "code": FactField("str", "office['code']", (f"/{scope}/code",)),
        "name": FactField("str", "office.get('name')", (f"/{scope}/name",)),
        "users_count": FactField("int", "count(office.get('users'))", (f"/{scope}/users",)),
    }


#: scope -> field -> its definition. A new field is a line here and a row in docs/rule-language.md.
CATALOGUE: dict[str, dict[str, FactField]] = {
    "migration": {
        "status": FactField("str", "mig['status']", ("/migration/status",), "status"),
        "administrations_count": FactField("int", "len(mig['administrations'])", ("/migration/administrations",)),
        "distinct_administrations_count": FactField(
            "int", "len({r['code'] for r in mig['administrations']})", ("/migration/administrations",)),
        "taken_at": FactField("str", "snap['taken_at']", ("/taken_at",), "date"),
        "taken_at_epoch": FactField("int", "epoch_seconds(snap['taken_at'])", ("/taken_at",)),
        "transfer_code_sent_at": FactField("str", "mig.get('transfer_code_sent_at') or None", (_SENT,), "date"),
        "transfer_code_sent_at_epoch": FactField(
            "int", "if_sent(mig, epoch_seconds)", (_SENT,)),
        "transfer_code_age_seconds": FactField(
            "int", "code_age_seconds(snap['taken_at'], mig.get('transfer_code_sent_at'))", (_SENT, "/taken_at")),
        "transfer_code_age_days": FactField(
            "int", "code_age_days(snap['taken_at'], mig.get('transfer_code_sent_at'))", (_SENT, "/taken_at")),
        "transfer_code_expires_at": FactField("str", "if_sent(mig, code_expires_at)", (_SENT,), "moment"),
    },
    "source_office": {
        **_office("source_office"),
        "administrations_count": FactField("int", "len(snap['administrations'])", ("/administrations",)),
    },
    "target_office": {
        **_office("target_office"),
        "subscription": FactField("str", "office['subscription']", ("/target_office/subscription",), "subscription"),
        "accounting_link": FactField(
            "str", "office['accounting_link']", ("/target_office/accounting_link",), "package"),
        "package_administrations_count": FactField(
            "int", "len(office['package_administrations'])", ("/target_office/package_administrations",)),
        "administrations_count": FactField(
            "int", "len(office['administrations'])", ("/target_office/administrations",)),
    },
    "requester": _person("/requester"),
    "receiver": _person("/receiver"),
    "administration": {
        "code": FactField("str", "admin['code']", (f"{_ADMIN}/code",)),
        "name": FactField("str", "admin.get('name')", (f"{_ADMIN}/name",)),
        "accounting_system": FactField(
            "str", "admin['accounting_system']", (f"{_ADMIN}/accounting_system",), "package"),
        "subadministration_of": FactField(
            "str", "admin.get('subadministration_of')", (f"{_ADMIN}/subadministration_of",)),
        "submission_email": FactField("str", "admin.get('submission_email')", (f"{_ADMIN}/submission_email",)),
        "documents_total": FactField("int", "integer(admin.get('documents_total'))", (f"{_ADMIN}/documents_total",)),
        "pending_authorisation": FactField(
            "int", "integer(admin['pending_authorisation'])", (f"{_ADMIN}/pending_authorisation",)),
        "authorisation_before_booking": FactField(
            "str", "admin['authorisation']['before_booking']", (f"{_ADMIN}/authorisation/before_booking",),
            "authorisation"),
        "authorisation_after_booking": FactField(
            "str", "admin['authorisation']['after_booking']", (f"{_ADMIN}/authorisation/after_booking",),
            "authorisation"),
        "workflows_count": FactField("int", "len(admin['workflows'])", (f"{_ADMIN}/workflows",)),
        "authorisers_count": FactField(
            "int", "sum(len(w['authorisers']) for w in admin['workflows'])", (f"{_ADMIN}/workflows",)),
        "payment_agreement": FactField("bool", "admin['payment_agreement']", (f"{_ADMIN}/payment_agreement",)),
        "users_count": FactField("int", "len(admin['users'])", (f"{_ADMIN}/users",)),
        "personal_archive_users_count": FactField(
            "int", "sum(1 for u in admin['users'] if u.get('personal_archive'))", (f"{_ADMIN}/users",)),
        # Only with a migration:
        "new_code": FactField("str", _MIGRATION_ONLY + "request.get('new_code')", (f"{_REQUEST}/new_code",)),
        "target_code": FactField("str", _MIGRATION_ONLY + "target_code(request)", (f"{_REQUEST}/{{target}}",)),
        "times_requested": FactField("int", "times", ("/migration/administrations",)),
        "new_submission_email": FactField(
            "str", "predicted_submission_email(admin, request, snap.get('target_office'))",
            (f"{_ADMIN}/submission_email", "/target_office/code")),
    },
    "requested_administration": {
        "code": FactField("str", "request['code']", (f"{_REQUEST}/code",)),
        "new_code": FactField("str", "request.get('new_code')", (f"{_REQUEST}/new_code",)),
        "target_code": FactField("str", "target_code(request)", (f"{_REQUEST}/{{target}}",)),
        "times_requested": FactField("int", "times", ("/migration/administrations",)),
    },
    "user": {
        **_person(_USER),
        "administration_code": FactField("str", "admin['code']", (f"{_ADMIN}/code",)),
        "administration_name": FactField("str", "admin.get('name')", (f"{_ADMIN}/name",)),
    },
}

#: "scope.list" -> its definition (values are text; the owner is a singleton scope).
LISTS: dict[str, FactList] = {
    "source_office.administration_codes": FactList("[a['code'] for a in snap['administrations']]", "/administrations"),
    "source_office.user_roles": FactList("roles(office.get('users'))", "/source_office/users"),
    "target_office.package_administrations": FactList(
        "office['package_administrations']", "/target_office/package_administrations"),
    "target_office.administrations": FactList("office['administrations']", "/target_office/administrations"),
    "target_office.user_roles": FactList("roles(office.get('users'))", "/target_office/users"),
}

# Views of the catalogue, for the modules that need one aspect of it.
#: scope -> field -> type ('str', 'int' or 'bool').
FACT_FIELDS: dict[str, dict[str, str]] = {
    scope: {name: f.type for name, f in fields.items()} for scope, fields in CATALOGUE.items()
}
#: scope -> field -> the JSON pointer templates of the snapshot values it is derived from.
FIELD_POINTERS: dict[str, dict[str, tuple[str, ...]]] = {
    scope: {name: f.pointers for name, f in fields.items()} for scope, fields in CATALOGUE.items()
}
#: field name -> its kind, for the fields with one of their own (the same in every scope; the
#: page shows a finding's evidence by it).
FIELD_KINDS: dict[str, str] = {
    name: f.kind for fields in CATALOGUE.values() for name, f in fields.items() if f.kind
}
#: Lists of text values held by a singleton fact, for ``contains``/``not_contains``.
FACT_LISTS: dict[str, tuple[str, ...]] = {}
for _key in LISTS:
    _owner, _name = _key.split(".")
    FACT_LISTS[_owner] = (*FACT_LISTS.get(_owner, ()), _name)
#: "scope.list" -> where the list's values come from.
LIST_POINTERS: dict[str, str] = {key: lst.pointer for key, lst in LISTS.items()}

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

#: The fields a subject is made of, per kind: (key field, administration field), or None.
SUBJECT_FIELDS: dict[str, tuple[str | None, str | None]] = {
    "migration": (None, None),
    "office": ("code", None),
    "user": ("email", "administration_code"),
    "administration": ("code", "code"),
}


def field_kind(scope: str, name: str) -> str:
    """How a person reads field ``name`` of ``scope`` (``scope.field`` names another scope)."""
    other, _, field_name = name.rpartition(".")
    return CATALOGUE[other or scope][field_name].shown_as


# -- the helpers the field expressions use ------------------------------------------------------


def target_code(requested: dict[str, Any]) -> str:
    """The code a requested administration gets in the target: new_code, else its code."""
    new_code = requested.get("new_code")
    return str(new_code) if new_code else str(requested["code"])


def target_key(requested: dict[str, Any]) -> str:
    """Which key of a request holds its target code ('new_code' or 'code')."""
    return "new_code" if requested.get("new_code") else "code"


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


def predicted_submission_email(
    admin: dict[str, Any], request: dict[str, Any] | None, target: dict[str, Any] | None
) -> str | None:
    """The address after migration, when it can be predicted: with a migration and a target, for
    an administration that keeps its code (the FAQ says only that the address "zal nu beginnen
    met de nieuwe kantoorcode": the whole address is predicted only when the code stays)."""
    if request is None or target is None or not admin.get("submission_email") or request.get("new_code"):
        return None
    return new_submission_email(admin["submission_email"], target["code"])


def code_age_seconds(taken_at: str, sent_at: str | None) -> int | None:
    """``taken_at`` − ``sent_at`` in seconds, rounded *up*: for a whole number of seconds N,
    "age > N" holds exactly when "ceil(age) > N" does, so a code sent 15 days and half a second
    ago is expired, and one sent exactly 15 days ago is not."""
    return math.ceil(_exact_age(taken_at, sent_at)) if sent_at else None


def code_age_days(taken_at: str, sent_at: str | None) -> int | None:
    """The code's age in whole days (rounded down)."""
    return math.floor(_exact_age(taken_at, sent_at) / 86_400) if sent_at else None


def code_expires_at(sent_at: str) -> str:
    """The moment the transfer code expires, in the offset it was sent in."""
    return (parse_timestamp(sent_at) + TRANSFER_CODE_VALIDITY).isoformat()


def if_sent(migration: dict[str, Any], derive: Callable[[str], Any]) -> Any:
    """``derive(transfer_code_sent_at)``, or None when no code was sent."""
    sent_at = migration.get("transfer_code_sent_at")
    return derive(sent_at) if sent_at else None


def _exact_age(later: str, earlier: str) -> float:
    return (parse_timestamp(later) - parse_timestamp(earlier)).total_seconds()


def count(items: list[Any] | None) -> int | None:
    """The length of a list the snapshot may leave out (None: absent)."""
    return None if items is None else len(items)


def integer(value: int | float | None) -> int | None:
    """JSON Schema counts 3.0 as an integer; the facts carry it as 3."""
    return None if value is None else int(value)


def roles(users: list[dict[str, Any]] | None) -> list[str] | None:
    """The roles of an office's users (None when the snapshot does not list them)."""
    return None if users is None else [u["role"] for u in users]


#: The names the field expressions may call, besides builtins.
HELPERS: dict[str, Any] = {
    "epoch_seconds": epoch_seconds, "target_code": target_code, "target_key": target_key,
    "predicted_submission_email": predicted_submission_email, "code_age_seconds": code_age_seconds,
    "code_age_days": code_age_days, "code_expires_at": code_expires_at, "if_sent": if_sent,
    "count": count, "integer": integer, "roles": roles,
}


# -- which facts a snapshot has -----------------------------------------------------------------


#: The parts of the snapshot an administration fact is made of (see SCOPE_INPUTS): admin_index,
#: admin, request_index, request, times — the last three None without a migration. Plain tuples:
#: the compiled engine unpacks one per administration.
AdministrationSource = tuple[int, dict[str, Any], int | None, dict[str, Any] | None, int | None]
#: A distinct code of ``migration.administrations``: request_index, request (its first entry), times.
RequestSource = tuple[int, dict[str, Any], int]


def requested_sources(migration: dict[str, Any]) -> list[RequestSource]:
    """Every distinct requested code, in request order (first entry), with how often it occurs."""
    first: dict[str, tuple[int, dict[str, Any]]] = {}
    counts: dict[str, int] = {}
    for index, request in enumerate(migration["administrations"]):
        code = request["code"]
        if code in counts:
            counts[code] += 1
        else:
            counts[code] = 1
            first[code] = (index, request)
    return [(index, request, counts[code]) for code, (index, request) in first.items()]


def administration_sources(
    snapshot: dict[str, Any], migration: dict[str, Any] | None, requested: list[RequestSource] | None = None
) -> list[AdministrationSource]:
    """The administrations rules look at: without a migration every administration of the source;
    with one every requested administration the source has, once per code, in request order
    (``requested``: the migration's :func:`requested_sources`, when already known)."""
    admins = snapshot["administrations"]
    if migration is None:
        return [(index, admin, None, None, None) for index, admin in enumerate(admins)]
    position = {a["code"]: i for i, a in enumerate(admins)}
    out: list[AdministrationSource] = []
    for request_index, request, times in requested if requested is not None else requested_sources(migration):
        index = position.get(request["code"])
        if index is not None:
            out.append((index, admins[index], request_index, request, times))
    return out


def singleton_inputs(snapshot: dict[str, Any], scope: str, migration: dict[str, Any] | None) -> dict[str, Any] | None:
    """The inputs of a singleton fact, or None when the snapshot has no such fact."""
    if scope == "migration":
        return None if migration is None else {"snap": snapshot, "mig": migration}
    if scope in ("requester", "receiver"):
        return {"person": snapshot[scope]} if scope in snapshot else None
    office = snapshot.get(scope)
    return None if office is None else {"snap": snapshot, "office": office}


# -- the facts -----------------------------------------------------------------------------------


class Subject(NamedTuple):
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

    ``slots`` are its positions in the snapshot, for the pointer templates of the catalogue.
    """

    scope: str
    key: str
    fields: dict[str, str | int | bool]
    slots: dict[str, str | int] = field(default_factory=dict)

    @property
    def subject(self) -> Subject:
        """What a finding about this fact is about."""
        kind = SUBJECT_KINDS[self.scope]
        key_field, admin_field = SUBJECT_FIELDS[kind]
        key = self.fields.get(key_field) if key_field else None
        admin = self.fields.get(admin_field) if admin_field else None
        return Subject(kind, key if isinstance(key, str) else None, admin if isinstance(admin, str) else None)

    def pointers(self, name: str) -> tuple[str, ...]:
        """The snapshot values field ``name`` of this fact comes from (those its positions allow)."""
        out = []
        for template in FIELD_POINTERS[self.scope][name]:
            try:
                out.append(template.format_map(self.slots))
            except KeyError:  # e.g. a request's position, for an administration without a migration
                continue
        return tuple(out)


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
    migration = snapshot.get("migration") if phase != "audit" else None
    facts: list[Fact] = []
    lists: dict[str, tuple[str, ...]] = {}
    for scope in ("source_office", "target_office", "requester", "receiver", "migration"):
        inputs = singleton_inputs(snapshot, scope, migration)
        if inputs is None:
            continue
        facts.append(Fact(scope, scope, _fields(scope, inputs)))
        for key in (k for k in LISTS if k.startswith(scope + ".")):
            values = _deriver(key, LISTS[key].derive, SCOPE_INPUTS[scope])(**inputs)
            if values is not None:
                lists[key] = sorted_unique(values)
    if migration is not None:
        for request_index, request, times in requested_sources(migration):
            slots: dict[str, str | int] = {"request": request_index, "target": target_key(request)}
            inputs = {"request_index": request_index, "request": request, "times": times}
            facts.append(Fact("requested_administration", f"requested/{request_index}",
                              _fields("requested_administration", inputs), slots))
    for index, admin, its_request_index, its_request, its_times in administration_sources(snapshot, migration):
        slots = {"admin": index}
        if its_request is not None and its_request_index is not None:
            slots.update(request=its_request_index, target=target_key(its_request))
        inputs = {"snap": snapshot, "admin_index": index, "admin": admin, "request_index": its_request_index,
                  "request": its_request, "times": its_times}
        facts.append(Fact("administration", f"administration/{index}", _fields("administration", inputs), slots))
        for user_index, user in enumerate(admin["users"]):
            inputs = {"admin_index": index, "admin": admin, "user_index": user_index, "person": user}
            facts.append(Fact("user", f"administration/{index}/user/{user_index}", _fields("user", inputs),
                              {"admin": index, "user": user_index}))
    return FactSet(phase, tuple(facts), lists)


def _fields(scope: str, inputs: dict[str, Any]) -> dict[str, str | int | bool]:
    """Every field of a fact whose value is present."""
    out: dict[str, str | int | bool] = {}
    for name, definition in CATALOGUE[scope].items():
        value = _deriver(f"{scope}.{name}", definition.derive, SCOPE_INPUTS[scope])(**inputs)
        if value is not None:
            out[name] = value
    return out


@cache
def _deriver(key: str, expression: str, inputs: tuple[str, ...]) -> Callable[..., Any]:
    """A field's expression as a function of its scope's inputs, compiled once."""
    source = f"lambda {', '.join(inputs)}: {expression}"
    # The expressions are the catalogue's own, above: never text from a rule file or a snapshot.
    function: Callable[..., Any] = eval(compile(source, f"<fact {key}>", "eval"), dict(HELPERS))
    return function


def sorted_unique(values: Iterable[str]) -> tuple[str, ...]:
    """A list's values as the facts hold them: each once, sorted."""
    return tuple(sorted(set(values)))

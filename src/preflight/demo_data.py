"""Synthetic audit snapshots: realistic offices, one JSON document per line, the same per seed.

``preflight demo-data --offices N --seed S`` writes them so anyone can try and benchmark
``preflight audit`` without real exports. Office sizes spread from 1 to a few hundred
administrations (a long tail, about 25 on average), and every audit-mode problem of the rule
catalogue occurs at a plausible rate:

=================================  ===========================================================
rule                               how often (roughly)
=================================  ===========================================================
documents-awaiting-authorisation   10 % of administrations have documents waiting
workflow-with-authorisers           4 % have a workflow with authorisers
workflow-present                    4 % have a workflow without authorisers
authorisation-required              7 % require authorisation before or after booking
subadministration                   3 % are a subadministration of another one
payment-agreement-moves             7 % have a payment agreement
users-not-migrated                 35 % have users of their own
personal-archive-lost               6 % of those users have an archive of their own
office-without-superuser           10 % of the offices that list their users have no superuser
=================================  ===========================================================

With ``invalid`` > 0 that fraction of lines is broken on purpose (a contract violation or a line
that is not JSON), to show how an audit reports them. Only :mod:`random.Random` with the given
seed is used, so the output is byte-for-byte the same for a seed on every run and machine.

``week`` (``--week N``, default 1) gives the same offices N - 1 weeks later, to try an audit
against last week's (``--baseline``): each week about half of the documents awaiting
authorisation have been handled, a fifth of the required authorisations relaxed and a few
administrations have new documents waiting; about 1 % of the offices have left and 1 % are new.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from typing import Any

#: Accounting packages and their share of administrations.
ACCOUNTING_SYSTEMS = (
    ("exact_online", 30), ("twinfield", 24), ("multivers", 10), ("accountview", 8),
    ("snelstart", 8), ("xero", 5), ("afas", 5), ("yuki", 4), ("king", 3), ("e_boekhouden", 3),
)
SURNAMES = (
    "De Vries", "Jansen", "Van den Berg", "Bakker", "Visser", "Smit", "Meijer", "De Boer",
    "Mulder", "De Groot", "Bos", "Vos", "Peters", "Hendriks", "Van Leeuwen", "Dekker", "Brouwer",
    "De Wit", "Dijkstra", "Smits", "De Graaf", "Van der Meer", "Kok", "Jacobs", "Vermeulen",
    "Van Dijk", "Hoekstra", "Kuipers", "Willems", "Van der Linden", "Schouten", "Prins",
)
OFFICE_KINDS = (
    "Administratiekantoor {n}", "{n} Accountants", "Accountantskantoor {n}",
    "{n} Administratie & Advies", "Boekhoudbureau {n}", "{n} & Partners",
)
BUSINESSES = (
    "Bakkerij", "Transportbedrijf", "Restaurant", "Dierenkliniek", "Bloemenhandel",
    "Fysiotherapie", "Installatiebedrijf", "Kapsalon", "Garagebedrijf", "Tandartspraktijk",
    "Bouwbedrijf", "Webwinkel", "Schildersbedrijf", "Adviesbureau", "Hoveniersbedrijf",
    "Fietsenwinkel", "Slagerij", "Architectenbureau", "Drukkerij", "Zorgboerderij",
)
FIRST_NAMES = (
    "anna", "bram", "carla", "daan", "eva", "femke", "gert", "hanna", "ivo", "joost", "karin",
    "lotte", "mark", "noor", "olaf", "petra", "quinten", "rik", "sanne", "tim", "ursula", "vera",
    "wouter", "yvonne", "zoe",
)
OFFICE_ROLES = ("accountant", "bookkeeper", "authorisation_manager", "bookkeeper", "accountant")
ADMINISTRATION_ROLES = ("client", "restricted_client", "authoriser", "bookkeeper", "client")
#: Lognormal office sizes: median about 14, mean about 25 administrations, at most MAX_SIZE.
SIZE_MU = 2.65
SIZE_SIGMA = 1.05
MAX_SIZE = 400


#: Each week after the first: shares of offices that leave and that are new (of the first week's).
WEEKLY_LEAVING = 0.01
WEEKLY_NEW = 0.01


def generate(offices: int, seed: int, invalid: float = 0.0, week: int = 1) -> Iterator[str]:
    """``offices`` lines of JSON (in week 1), one audit snapshot each, the same for the same
    arguments; ``week`` > 1: the same offices that many weeks on (see the module docstring)."""
    rng = random.Random(seed)
    for index in range(offices):
        snapshot = demo_office(rng, index)
        broken = invalid > 0 and rng.random() < invalid
        if week > 1 and _left(seed, week, index):
            continue
        for later in range(2, week + 1):
            _a_week_later(random.Random(f"{seed}/{later}/{index}"), snapshot, later)
        yield _broken(rng, snapshot) if broken else json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))
    index = offices
    for later in range(2, week + 1):  # the offices that joined in the weeks since
        joined = random.Random(f"{seed}/{later}/new")
        for _ in range(max(1, round(offices * WEEKLY_NEW))):
            snapshot = demo_office(joined, index)
            for after in range(later + 1, week + 1):
                _a_week_later(random.Random(f"{seed}/{after}/{index}"), snapshot, after)
            index += 1
            yield json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))


def _left(seed: int, week: int, index: int) -> bool:
    """Whether office ``index`` has left by ``week``."""
    return any(random.Random(f"{seed}/{w}/left/{index}").random() < WEEKLY_LEAVING for w in range(2, week + 1))


def _a_week_later(rng: random.Random, snapshot: dict[str, Any], week: int) -> None:
    """One week of work on an office: documents handled, authorisation relaxed, new documents."""
    day = 27 + 7 * (week - 1)  # the snapshots of week 1 are of 27 November 2026
    month, day = (11, day) if day <= 30 else (12, day - 30) if day <= 61 else (1, day - 61)
    year = 2027 if month == 1 else 2026
    snapshot["taken_at"] = f"{year}-{month:02d}-{day:02d}" + snapshot["taken_at"][10:]
    for admin in snapshot["administrations"]:
        if admin["pending_authorisation"] > 0:
            if rng.random() < 0.5:
                admin["pending_authorisation"] = 0
        elif rng.random() < 0.005:
            admin["pending_authorisation"] = rng.randint(1, 20)
        for moment in ("before_booking", "after_booking"):
            if admin["authorisation"][moment] == "required" and rng.random() < 0.2:
                admin["authorisation"][moment] = "optional"


def demo_office(rng: random.Random, index: int) -> dict[str, Any]:
    """One office: its users (usually) and its administrations."""
    surname = rng.choice(SURNAMES)
    name = rng.choice(OFFICE_KINDS).format(n=surname)
    initials = "".join(word[0] for word in surname.split() if word[0].isupper())[:3]
    code = f"{initials}{index + 1:05d}"
    domain = _slug(surname) + "-" + rng.choice(("advies", "accountants", "administratie")) + ".nl"
    minutes = rng.randrange(0, 8 * 60)
    office: dict[str, Any] = {"code": code, "name": name}
    if rng.random() < 0.9:
        office["users"] = _office_users(rng, domain)
    size = min(MAX_SIZE, max(1, round(math.exp(rng.gauss(SIZE_MU, SIZE_SIGMA)))))
    primary = _weighted(rng, ACCOUNTING_SYSTEMS)
    administrations: list[dict[str, Any]] = []
    for number in range(size):
        administrations.append(_administration(rng, code, 1001 + number, primary, administrations))
    return {
        "snapshot_version": 1,
        "taken_at": f"2026-11-27T{6 + minutes // 60:02d}:{minutes % 60:02d}:00+01:00",
        "source_office": office,
        "administrations": administrations,
    }


def _office_users(rng: random.Random, domain: str) -> list[dict[str, Any]]:
    count = rng.randint(1, 12)
    users = [
        {"email": f"{rng.choice(FIRST_NAMES)}.{i + 1}@{domain}", "role": rng.choice(OFFICE_ROLES)}
        for i in range(count)
    ]
    if rng.random() < 0.89:
        users[0]["role"] = "superuser"
    return users


def _administration(
    rng: random.Random, office: str, number: int, primary: str, earlier: list[dict[str, Any]]
) -> dict[str, Any]:
    code = str(number)
    business = rng.choice(BUSINESSES)
    owner = rng.choice(SURNAMES)
    parent = rng.choice(earlier) if earlier and rng.random() < 0.03 else None
    name = f"{parent['name']} - afdeling {business}" if parent else f"{business} {owner}"
    admin: dict[str, Any] = {
        "code": code,
        "name": name,
        "accounting_system": primary if rng.random() < 0.8 else _weighted(rng, ACCOUNTING_SYSTEMS),
        "subadministration_of": parent["code"] if parent else None,
    }
    if rng.random() < 0.9:
        admin["submission_email"] = f"{office.lower()}.{code}@basecone-post.nl"
    admin["documents_total"] = int(math.exp(rng.gauss(7.0, 1.3)))
    admin["pending_authorisation"] = rng.randint(1, 40) if rng.random() < 0.10 else 0
    admin["authorisation"] = {
        "before_booking": _authorisation(rng),
        "after_booking": _authorisation(rng),
    }
    workflows: list[dict[str, Any]] = []
    draw = rng.random()
    if draw < 0.08:
        with_authorisers = draw < 0.04
        for w in range(rng.randint(1, 3)):
            authorisers = (
                [f"{rng.choice(FIRST_NAMES)}@{_slug(owner)}.nl" for _ in range(rng.randint(1, 3))]
                if with_authorisers else []
            )
            workflows.append({"name": f"Kosten boven {(w + 1) * 500} euro", "authorisers": authorisers})
    admin["workflows"] = workflows
    admin["payment_agreement"] = rng.random() < 0.07
    users: list[dict[str, Any]] = []
    if rng.random() < 0.35:
        for i in range(rng.randint(1, 4)):
            user: dict[str, Any] = {
                "email": f"{rng.choice(FIRST_NAMES)}{i + 1}@{_slug(owner)}-{code}.nl",
                "role": rng.choice(ADMINISTRATION_ROLES),
            }
            if rng.random() < 0.06:
                user["personal_archive"] = True
            users.append(user)
    admin["users"] = users
    return admin


def _authorisation(rng: random.Random) -> str:
    draw = rng.random()
    return "required" if draw < 0.035 else "optional" if draw < 0.25 else "none"


def _broken(rng: random.Random, snapshot: dict[str, Any]) -> str:
    """A line an exporter might really produce: a contract violation, or truncated JSON."""
    kind = rng.randrange(3)
    if kind == 0 and snapshot["administrations"]:
        snapshot["administrations"][0]["pending_authorisation"] = -1
    elif kind == 1:
        del snapshot["taken_at"]
    else:
        text = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))
        return text[: max(1, len(text) // 2)]
    return json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    total = sum(weight for _, weight in choices)
    draw = rng.randrange(total)
    for value, weight in choices:
        if draw < weight:
            return value
        draw -= weight
    raise AssertionError("unreachable")


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())

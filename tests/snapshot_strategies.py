"""Valid snapshots that hit every rule's edges: a plain seeded generator and a Hypothesis strategy.

Values come from small pools so that codes collide, lists overlap and boundaries (0, 5, 15 days)
are hit often. :func:`random_snapshot` draws from a ``random.Random`` — fast enough for the
10,000-snapshot differential test and the rule fuzzer (scripts/fuzz_rules.py); :func:`snapshots`
is the same generator driven by Hypothesis (it draws the seed, so a failure names it).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

CODES = ["1001", "1002", "1003", "1004", "Ö5"]
ROLES = ["superuser", "accountant", "bookkeeper", "authorisation_manager", "authoriser", "client", "restricted_client"]
SYSTEMS = ["exact_online", "twinfield", "multivers", "xero", "accountview", "snelstart", "afas", "yuki"]
LEVELS = ["none", "optional", "required"]
STATUSES = ["draft", "code_sent", "accepted", "completed", "withdrawn"]
EMAILS = ["anna@a.nl", "bas@b.nl", "cor@c.nl", "dé@d.nl"]
NAMES = ["Flora", "Bakkerij <b>&", "名"]
DAY = 86_400
#: Ages of the transfer code around the FAQ's 15 days.
AGES = [0, 15 * DAY - 1, 15 * DAY, 15 * DAY + 1, 20 * DAY]


def random_snapshot(rng: random.Random) -> dict[str, Any]:
    """A valid snapshot (snapshot contract v1), mostly with a migration."""

    def chance() -> bool:
        return rng.random() < 0.5

    def some(pool: list[Any], most: int, least: int = 0) -> list[Any]:
        return [rng.choice(pool) for _ in range(rng.randint(least, most))]

    def person() -> dict[str, Any]:
        out: dict[str, Any] = {"email": rng.choice(EMAILS), "role": rng.choice(ROLES)}
        if chance():
            out["personal_archive"] = chance()
        return out

    def count() -> int:
        return rng.choice([0, rng.randint(0, 7), rng.randint(0, 7), rng.randint(0, 2**70), 2**63 - 1, 2**63, 2**64])

    def administration(code: str) -> dict[str, Any]:
        admin: dict[str, Any] = {
            "code": code,
            "accounting_system": rng.choice(SYSTEMS),
            "subadministration_of": None if chance() else rng.choice(CODES),
            "pending_authorisation": count(),
            "authorisation": {"before_booking": rng.choice(LEVELS), "after_booking": rng.choice(LEVELS)},
            "workflows": [{"name": rng.choice(["Inkoop", "Verkoop"]), "authorisers": some(EMAILS, 2)}
                          for _ in range(rng.randint(0, 2))],
            "payment_agreement": chance(),
            "users": [person() for _ in range(rng.randint(0, 3))],
        }
        if chance():
            admin["submission_email"] = rng.choice([f"adv01.{code}@basecone-post.nl", f"ADV01.{code}@x.nl", "nodot@x.nl"])
        if chance():
            admin["name"] = rng.choice(NAMES)
        if chance():
            admin["documents_total"] = count()
        return admin

    codes = rng.sample(CODES, rng.randint(0, 4))
    snap: dict[str, Any] = {
        "snapshot_version": 1,
        "taken_at": "2026-11-27T09:30:00+01:00",
        "source_office": {"code": "ADV01"},
        "administrations": [administration(code) for code in codes],
    }
    if chance():
        snap["source_office"]["users"] = [person() for _ in range(rng.randint(0, 3))]
    if chance():
        target: dict[str, Any] = {
            "code": rng.choice(["BJK01", "bjk02"]),
            "subscription": rng.choice(["trial", "premium", "none"]),
            "accounting_link": None if chance() else rng.choice(SYSTEMS),
            "package_administrations": some([*CODES, "7001"], 5),
            "administrations": some([*CODES, "7001"], 3),
        }
        if chance():
            target["users"] = [person() for _ in range(rng.randint(0, 2))]
        snap["target_office"] = target
    elif chance():
        snap["target_office"] = None
    for role in ("requester", "receiver"):
        if chance():
            snap[role] = person()
    if rng.randint(0, 3):  # mostly with a migration
        status = rng.choice(STATUSES)
        requested = []
        for _ in range(rng.randint(1, 7)):
            entry = {"code": rng.choice([*CODES, "9999"])}
            if chance():
                entry["new_code"] = rng.choice([*CODES, "7001"])
            requested.append(entry)
        migration: dict[str, Any] = {"status": status, "administrations": requested}
        if status in ("code_sent", "accepted") or chance():
            migration["transfer_code_sent_at"] = _before("2026-11-27T08:30:00Z", rng.choice(AGES))
        snap["migration"] = migration
    return snap


def snapshots() -> st.SearchStrategy[dict[str, Any]]:
    """:func:`random_snapshot` driven by Hypothesis: it draws the seed (derandomized on CI)."""
    return st.integers(0, 2**32 - 1).map(lambda seed: random_snapshot(random.Random(seed)))


def _before(iso_utc: str, seconds: int) -> str:
    moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00")) - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

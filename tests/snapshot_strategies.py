"""Hypothesis strategies for valid snapshots that hit every rule's edges.

Values come from small pools so that codes collide, lists overlap and boundaries (0, 5, 15 days)
are hit often.
"""

from __future__ import annotations

from hypothesis import strategies as st

CODES = ["1001", "1002", "1003", "1004", "Ö5"]
ROLES = ["superuser", "accountant", "bookkeeper", "authorisation_manager", "authoriser", "client", "restricted_client"]
SYSTEMS = ["exact_online", "twinfield", "multivers", "xero", "accountview", "snelstart", "afas", "yuki"]
LEVELS = ["none", "optional", "required"]
STATUSES = ["draft", "code_sent", "accepted", "completed", "withdrawn"]
DAY = 86_400

emails = st.sampled_from(["anna@a.nl", "bas@b.nl", "cor@c.nl", "dé@d.nl"])
person = st.fixed_dictionaries(
    {"email": emails, "role": st.sampled_from(ROLES)},
    optional={"personal_archive": st.booleans()},
)
counts = st.one_of(st.just(0), st.integers(0, 7), st.integers(0, 2**70))
workflow = st.fixed_dictionaries({"name": st.sampled_from(["Inkoop", "Verkoop"]), "authorisers": st.lists(emails, max_size=2)})


@st.composite
def administration(draw, code):
    admin = {
        "code": code,
        "accounting_system": draw(st.sampled_from(SYSTEMS)),
        "subadministration_of": draw(st.one_of(st.none(), st.sampled_from(CODES))),
        "pending_authorisation": draw(counts),
        "authorisation": {"before_booking": draw(st.sampled_from(LEVELS)), "after_booking": draw(st.sampled_from(LEVELS))},
        "workflows": draw(st.lists(workflow, max_size=2)),
        "payment_agreement": draw(st.booleans()),
        "users": draw(st.lists(person, max_size=3)),
    }
    if draw(st.booleans()):
        admin["submission_email"] = draw(st.sampled_from([f"adv01.{code}@basecone-post.nl", f"ADV01.{code}@x.nl", "nodot@x.nl"]))
    if draw(st.booleans()):
        admin["name"] = draw(st.sampled_from(["Flora", "Bakkerij <b>&", "名"]))
    if draw(st.booleans()):
        admin["documents_total"] = draw(counts)
    return admin


@st.composite
def snapshots(draw):
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=4))
    snap = {
        "snapshot_version": 1,
        "taken_at": "2026-11-27T09:30:00+01:00",
        "source_office": {"code": "ADV01"},
        "administrations": [draw(administration(code)) for code in codes],
    }
    if draw(st.booleans()):
        snap["source_office"]["users"] = draw(st.lists(person, max_size=3))
    if draw(st.booleans()):
        target = {
            "code": draw(st.sampled_from(["BJK01", "bjk02"])),
            "subscription": draw(st.sampled_from(["trial", "premium", "none"])),
            "accounting_link": draw(st.one_of(st.none(), st.sampled_from(SYSTEMS))),
            "package_administrations": draw(st.lists(st.sampled_from(CODES + ["7001"]), max_size=5)),
            "administrations": draw(st.lists(st.sampled_from(CODES + ["7001"]), max_size=3)),
        }
        if draw(st.booleans()):
            target["users"] = draw(st.lists(person, max_size=2))
        snap["target_office"] = target
    elif draw(st.booleans()):
        snap["target_office"] = None
    for role in ("requester", "receiver"):
        if draw(st.booleans()):
            snap[role] = draw(person)
    if draw(st.integers(0, 3)):  # mostly with a migration
        status = draw(st.sampled_from(STATUSES))
        requested = draw(st.lists(
            st.fixed_dictionaries({"code": st.sampled_from(CODES + ["9999"])}, optional={"new_code": st.sampled_from(CODES + ["7001"])}),
            min_size=1, max_size=7,
        ))
        migration = {"status": status, "administrations": requested}
        if status in ("code_sent", "accepted") or draw(st.booleans()):
            age = draw(st.sampled_from([0, 15 * DAY - 1, 15 * DAY, 15 * DAY + 1, 20 * DAY]))
            migration["transfer_code_sent_at"] = _before("2026-11-27T08:30:00Z", age)
        snap["migration"] = migration
    return snap


def _before(iso_utc: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00")) - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

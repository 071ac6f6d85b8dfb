"""Step 7a: what a report is about — from which office to which, who asks, who receives, the
status, the administrations concerned and the documents that move along (report.md, v2).

Read from the validated snapshot, not from the facts: it describes the request whatever rules
fired, and it names things (names, new codes) that no rule needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .vocabulary import Phase


@dataclass(frozen=True)
class OfficeRef:
    """An office as the report names it."""

    code: str
    name: str | None = None
    subscription: str | None = None
    accounting_link: str | None = None
    is_target: bool = False

    def label(self) -> str:
        """'Name (CODE)', or the code alone."""
        return f"{self.name} ({self.code})" if self.name else self.code

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "name": self.name}
        if self.is_target:
            out.update(subscription=self.subscription, accounting_link=self.accounting_link)
        return out


@dataclass(frozen=True)
class PersonRef:
    """The requester or the receiver."""

    email: str
    role: str

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "role": self.role}


@dataclass(frozen=True)
class AdministrationRef:
    """An administration concerned: requested ones with a migration, all of the source without."""

    code: str
    name: str | None = None
    new_code: str | None = None
    in_source: bool = True

    def label(self) -> str:
        """'CODE Name', or the code alone."""
        return f"{self.code} {self.name}" if self.name else self.code

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "new_code": self.new_code}


@dataclass(frozen=True)
class Context:
    """The report's ``context`` (report.md, v2)."""

    source_office: OfficeRef
    target_office: OfficeRef | None
    requester: PersonRef | None
    receiver: PersonRef | None
    status: str | None
    transfer_code_sent_at: str | None
    administrations: tuple[AdministrationRef, ...]
    documents_total: int | None

    def administration(self, code: str) -> AdministrationRef | None:
        """The administration with this (source) code, when it is concerned."""
        for item in self.administrations:
            if item.code == code:
                return item
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_office": self.source_office.to_dict(),
            "target_office": self.target_office.to_dict() if self.target_office else None,
            "requester": self.requester.to_dict() if self.requester else None,
            "receiver": self.receiver.to_dict() if self.receiver else None,
            "status": self.status,
            "transfer_code_sent_at": self.transfer_code_sent_at,
            "administrations": [a.to_dict() for a in self.administrations],
            "documents_total": self.documents_total,
        }


def build_context(snapshot: dict[str, Any], phase: Phase) -> Context:
    """The context of a valid snapshot in ``phase`` (``audit``: the request, if any, is ignored)."""
    source = snapshot["source_office"]
    target = snapshot.get("target_office")
    migration = snapshot.get("migration") if phase != "audit" else None
    by_code = {a["code"]: a for a in snapshot["administrations"]}
    if migration is None:
        administrations = tuple(AdministrationRef(a["code"], a.get("name")) for a in snapshot["administrations"])
    else:
        seen: set[str] = set()
        items = []
        for requested in migration["administrations"]:
            code = requested["code"]
            if code in seen:
                continue
            seen.add(code)
            admin = by_code.get(code)
            items.append(AdministrationRef(code, admin.get("name") if admin else None,
                                           requested.get("new_code") or None, admin is not None))
        administrations = tuple(items)
    counts = [by_code[a.code].get("documents_total") for a in administrations if a.in_source]
    known = [int(c) for c in counts if c is not None]
    return Context(
        source_office=OfficeRef(source["code"], source.get("name")),
        target_office=OfficeRef(target["code"], target.get("name"), target["subscription"],
                                target["accounting_link"], is_target=True) if target else None,
        requester=_person(snapshot.get("requester")),
        receiver=_person(snapshot.get("receiver")),
        status=migration["status"] if migration else None,
        transfer_code_sent_at=migration.get("transfer_code_sent_at") if migration else None,
        administrations=administrations,
        documents_total=sum(known) if known else None,
    )


def _person(person: dict[str, Any] | None) -> PersonRef | None:
    return PersonRef(person["email"], person["role"]) if person else None

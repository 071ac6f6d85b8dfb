"""What the page shows of one report beyond :func:`preflight.renderers.report_view`: where in the
submitted text each error and each finding's values stand, errors named by what they are about,
evidence by people's words, and the download's name.

The reading order itself (verdict, context, plan, batches, findings per administration) is the
renderers' and is not repeated here; this module only adds what needs the submitted text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..facts import FIELD_KINDS
from ..findings import Finding
from ..problems import InputProblem
from ..renderers import RENDERERS, ReportView, report_view
from ..report import Notice, Report
from ..snapshot_locations import Located, Location, locate
from ..ui_text import PAGE, field_label
from ..wording import format_list, format_number, format_value

#: Lines shown per finding before "and N more".
MAX_LINES_PER_FINDING = 3
#: Largest text whose errors and findings get line links (about 0.4 s of reading on the development
#: machine; real snapshots are a few hundred KiB). Larger ones get their report without the links.
MAX_LOCATED_CHARS = 1024 * 1024

_ADMIN = re.compile(r"^/administrations/(\d+)(?:/users/(\d+))?(?:/|$)")
_REQUESTED = re.compile(r"^/migration/administrations/(\d+)(?:/|$)")
_OFFICE_USER = re.compile(r"^/source_office/users/(\d+)(?:/|$)")
_TOP = re.compile(r"^/(source_office|target_office|requester|receiver|migration)(?:/|$)")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ErrorView:
    """An input problem as the page shows it: what it is about, where, and the lines around it."""

    subject: str | None
    message: str
    path: str
    location: Location | None
    context: tuple[tuple[int, str, bool], ...] = ()
    caret: str = ""


@dataclass(frozen=True)
class PageReport:
    """Everything the page lays out for one report."""

    report: Report
    view: ReportView
    heading: str
    errors: tuple[ErrorView, ...]
    notices: tuple[ErrorView, ...]
    located: Located
    filename: str
    text: str
    markdown: str
    json: str

    @property
    def summary(self) -> str:
        """'12 blokkerend, 5 advies, 6 info'."""
        lang = self.report.lang
        counts = {k: format_number(v, lang) for k, v in self.report.summary.items()}
        return self.view.labels["summary"].format(**counts)

    def listed(self, items: Iterable[str]) -> str:
        """Labels as a list in the report's language: 'a, b en c'."""
        return format_list(list(items), self.report.lang)

    def lines_of(self, finding: Finding) -> tuple[list[int], int]:
        """The distinct lines a finding's values are on (at most a few) and how many more there are."""
        lines: list[int] = []
        for pointer in finding.pointers:
            place = self.located.location(pointer)
            if place is not None and place.line not in lines:
                lines.append(place.line)
        return lines[:MAX_LINES_PER_FINDING], max(0, len(lines) - MAX_LINES_PER_FINDING)

    def evidence_of(self, finding: Finding) -> list[tuple[str, str]]:
        """The finding's evidence as (people's name of the field, its value in words)."""
        lang = self.report.lang
        out = []
        for key, value in finding.evidence.items():
            out.append((field_label(key, lang), self._value(key, value)))
        return out

    def _value(self, key: str, value: Any) -> str:
        names = self.report.names
        kind = FIELD_KINDS.get(key.rsplit(".", 1)[-1], "")
        if names is None:
            return str(value)
        if isinstance(value, list):
            return format_list([format_value(v, kind, self.report.lang, names) for v in value], self.report.lang)
        return format_value(value, kind, self.report.lang, names)


def page_report(report: Report, text: str) -> PageReport:
    """The page's view of ``report``, made from the ``text`` that was checked."""
    view = report_view(report)
    located = _locate(report, text)
    return PageReport(
        report=report,
        view=view,
        heading=_heading(report),
        errors=tuple(_error_view(e, report, located, text) for e in report.errors),
        notices=tuple(_error_view(n, report, located, text) for n in report.notices),
        located=located,
        filename=download_name(report),
        text=RENDERERS["text"](report),
        markdown=RENDERERS["markdown"](report),
        json=report.to_json(),
    )


def _locate(report: Report, text: str) -> Located:
    if report.unreadable or len(text) > MAX_LOCATED_CHARS:
        return Located()  # unreadable text: its errors carry their own line and column
    pointers: set[str] = set()
    problems: list[InputProblem | Notice] = [*report.errors, *report.notices]
    for error in problems:
        pointers.add(error.path)
        pointers.update(_naming_pointers(error.path))
    for finding in report.findings:
        pointers.update(finding.pointers)
    return locate(text, pointers)


def _naming_pointers(path: str) -> list[str]:
    """The scalars that name what ``path`` is about (an administration's code and name, a user's e-mail)."""
    if match := _ADMIN.match(path):
        admin = f"/administrations/{match.group(1)}"
        out = [f"{admin}/code", f"{admin}/name"]
        if match.group(2) is not None:
            out.append(f"{admin}/users/{match.group(2)}/email")
        return out
    if match := _REQUESTED.match(path):
        return [f"/migration/administrations/{match.group(1)}/code"]
    if match := _OFFICE_USER.match(path):
        return [f"/source_office/users/{match.group(1)}/email"]
    return []


def error_subject(path: str, located: Located, lang: str) -> str | None:
    """What an error is about, by name: 'Administratie 1003 (Garage Smit B.V.)', 'Nieuw kantoor'…"""
    words = PAGE[lang]
    subject: str | None = None
    user: str | None = None
    if match := _ADMIN.match(path):
        admin = f"/administrations/{match.group(1)}"
        code, name = located.scalar(f"{admin}/code"), located.scalar(f"{admin}/name")
        if code:
            key = "subject.administration_named" if name else "subject.administration"
            subject = words[key].format(code=code, name=name)
        if match.group(2) is not None:
            user = located.scalar(f"{admin}/users/{match.group(2)}/email")
    elif match := _REQUESTED.match(path):
        code = located.scalar(f"/migration/administrations/{match.group(1)}/code")
        subject = words["subject.requested"].format(code=code) if code else words["subject.migration"]
    elif match := _TOP.match(path):
        subject = words[f"subject.{match.group(1)}"]
        if office_user := _OFFICE_USER.match(path):
            user = located.scalar(f"/source_office/users/{office_user.group(1)}/email")
    if subject and user:
        subject = words["subject.user"].format(subject=subject, email=user)
    return subject


def _error_view(error: InputProblem | Notice, report: Report, located: Located, text: str) -> ErrorView:
    """An input problem (or a notice about the input) with what it is about and where it is."""
    subject = error_subject(error.path, located, report.lang)
    line = getattr(error, "line", None)
    if line is not None:
        where: Location | None = Location(line, getattr(error, "column", None) or 1)
    else:
        where = located.location(error.path)
    if where is None or not report.unreadable:
        return ErrorView(subject, error.message, error.path, where)
    # A parse error: the lines around it and a caret under the place, as a parser would show them.
    lines = text.split("\n")
    first = max(1, where.line - 2)
    context = tuple(
        (number, lines[number - 1], number == where.line)
        for number in range(first, min(len(lines), where.line + 1) + 1)
    )
    return ErrorView(subject, error.message, error.path, where, context, " " * (where.column - 1) + "^")


def _heading(report: Report) -> str:
    """'Migratie van ADV01 naar BJK01' (or 'Kantoor ADV01' in an audit); empty for an invalid report."""
    context = report.context
    if context is None:
        return ""
    words = PAGE[report.lang]
    if context.target_office is None or report.phase == "audit":
        return words["report_office"].format(office=context.source_office.label())
    return words["report_about"].format(source=context.source_office.label(), target=context.target_office.label())


def download_name(report: Report) -> str:
    """'preflight-ADV01-BJK01-2026-11-27.json': the offices and the snapshot's date (in its own offset)."""
    parts = ["preflight"]
    if report.context is not None:
        parts.append(report.context.source_office.code)
        if report.context.target_office is not None and report.phase != "audit":
            parts.append(report.context.target_office.code)
    else:
        parts.append(report.verdict)
    if report.taken_at and (date := _DATE.match(report.taken_at)):
        parts.append(date.group())
    safe = [_SAFE_NAME.sub("_", part).strip("._")[:40] or "_" for part in parts]
    return "-".join(safe) + ".json"


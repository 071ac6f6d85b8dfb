"""Step 8: render a report for people and tools — text, json, junit, markdown.

One registry (:data:`RENDERERS`) shared by the CLI and the web service.
"""

from __future__ import annotations

from collections.abc import Callable

from .findings import Finding
from .report import SEVERITY_ORDER, Report

LABELS = {
    "nl": {
        "ready": "KLAAR — de migratie kan starten",
        "blocked": "GEBLOKKEERD — de migratie kan nog niet starten",
        "invalid": "ONGELDIG — de snapshot voldoet niet aan het contract en is niet beoordeeld",
        "blocking": "blokkerend",
        "advisory": "advies",
        "info": "info",
        "remedy": "Oplossing",
        "faq": "FAQ",
        "errors": "Fouten in de snapshot",
        "no_findings": "Geen bevindingen.",
        "summary": "{blocking} blokkerend, {advisory} advies, {info} info",
        "taken_at": "Snapshot van",
        "where": "plaats",
        "message": "melding",
        "subject": "onderwerp",
        "rule": "regel",
        "severity": "ernst",
    },
    "en": {
        "ready": "READY — the migration may start",
        "blocked": "BLOCKED — the migration cannot start yet",
        "invalid": "INVALID — the snapshot breaks the contract and was not evaluated",
        "blocking": "blocking",
        "advisory": "advisory",
        "info": "info",
        "remedy": "Remedy",
        "faq": "FAQ",
        "errors": "Errors in the snapshot",
        "no_findings": "No findings.",
        "summary": "{blocking} blocking, {advisory} advisory, {info} info",
        "taken_at": "Snapshot of",
        "where": "where",
        "message": "message",
        "subject": "subject",
        "rule": "rule",
        "severity": "severity",
    },
}

_COLOURS = {"ready": "32", "blocked": "31", "invalid": "35", "blocking": "31", "advisory": "33", "info": "36"}


def group_by_subject(findings: tuple[Finding, ...]) -> list[tuple[str, list[Finding]]]:
    """Findings per subject; subjects with a blocking finding first, then advisory, then info."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.subject, []).append(finding)
    for items in groups.values():
        items.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
    return sorted(groups.items(), key=lambda kv: (SEVERITY_ORDER[kv[1][0].severity], kv[0]))


def render_text(report: Report, colour: bool = False) -> str:
    """What a support agent reads: the verdict, then findings grouped by subject, with remedies."""
    labels = LABELS[report.lang]

    def paint(text: str, key: str) -> str:
        return f"\x1b[1;{_COLOURS[key]}m{text}\x1b[0m" if colour else text

    lines = [paint(labels[report.verdict], report.verdict)]
    if report.taken_at:
        lines.append(f"{labels['taken_at']} {report.taken_at}")
    if report.verdict == "invalid":
        lines += ["", labels["errors"] + ":"]
        for error in report.errors:
            lines.append(f"  - {error.where()}: {error.message}")
        return "\n".join(lines) + "\n"
    lines.append(labels["summary"].format(**report.summary))
    if not report.findings:
        lines += ["", labels["no_findings"]]
    for subject, findings in group_by_subject(report.findings):
        lines += ["", subject]
        for finding in findings:
            tag = paint(f"[{labels[finding.severity]}]", finding.severity)
            lines.append(f"  {tag} {finding.message} ({finding.rule})")
            lines.append(f"      {labels['remedy']}: {finding.remedy}")
            lines.append(f"      {labels['faq']}: {finding.faq}")
    return "\n".join(lines) + "\n"


def render_json(report: Report, colour: bool = False) -> str:
    """The report contract (report.md), byte-for-byte stable."""
    return report.to_json()


def render_markdown(report: Report, colour: bool = False) -> str:
    """A support-ticket-friendly Markdown version."""
    labels = LABELS[report.lang]
    out = [f"## {labels[report.verdict]}", ""]
    if report.taken_at:
        out += [f"{labels['taken_at']} `{report.taken_at}`", ""]
    if report.verdict == "invalid":
        out += [f"### {labels['errors']}", "", f"| {labels['where']} | {labels['message']} |", "|---|---|"]
        out += [f"| `{_md(e.where())}` | {_md(e.message)} |" for e in report.errors]
        return "\n".join(out) + "\n"
    out += [labels["summary"].format(**report.summary), ""]
    for subject, findings in group_by_subject(report.findings):
        out += [f"### {_md(subject)}", ""]
        for f in findings:
            out.append(f"- **{labels[f.severity]}** {_md(f.message)} (`{f.rule}`)  ")
            out.append(f"  {labels['remedy']}: {_md(f.remedy)}  ")
            out.append(f"  {labels['faq']}: _{_md(f.faq)}_")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def render_junit(report: Report, colour: bool = False) -> str:
    """JUnit XML for CI dashboards: a blocking finding is a failure, invalid input an error."""
    from xml.sax.saxutils import escape, quoteattr  # imported here: it pulls in urllib and http
    cases = []
    if report.verdict == "invalid":
        for e in report.errors:
            cases.append(
                f'  <testcase classname="preflight.snapshot" name={quoteattr(e.where())}>\n'
                f"    <error message={quoteattr(e.message)}/>\n  </testcase>"
            )
    for f in report.findings:
        name = quoteattr(f"{f.rule} {f.subject}")
        if f.severity == "blocking":
            body = f"    <failure message={quoteattr(f.message)} type=\"blocking\">{escape(f.remedy)}</failure>\n"
        else:
            body = f"    <system-out>{escape(f.severity + ': ' + f.message + ' — ' + f.remedy)}</system-out>\n"
        cases.append(f'  <testcase classname="preflight.{f.severity}" name={name}>\n{body}  </testcase>')
    if not cases:
        cases.append('  <testcase classname="preflight" name="verdict ready"/>')
    failures = report.summary["blocking"]
    errors = len(report.errors)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="preflight" tests="{len(cases)}" failures="{failures}" errors="{errors}">'
    )
    return head + "\n" + "\n".join(cases) + "\n</testsuite>\n"


RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "markdown": render_markdown,
}

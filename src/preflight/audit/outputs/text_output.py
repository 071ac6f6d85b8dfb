"""``--format text``: the terminal summary — offices, administrations, verdicts, top rules, and
every snapshot that could not be checked, with where it came from.

Everything that comes from the input (file names, office codes, messages quoting values) is
printed with :func:`~preflight.neutralise.for_terminal`: a control character shows as an escape
such as ``\x1b`` instead of acting on the terminal, and every entry stays on its own line.
"""

from __future__ import annotations

from typing import Any

from ...neutralise import for_terminal
from ..summary import AuditSummary
from .base import Writer

#: Errors shown per invalid snapshot; the JSON output lists them all.
MAX_ERRORS_SHOWN = 5

COLUMNS = {"nl": ("REGEL", "ERNST", "BEVINDINGEN", "KANTOREN"), "en": ("RULE", "SEVERITY", "FINDINGS", "OFFICES")}
LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Audit van {offices} kantoren: {administrations} administraties gecontroleerd",
        "ready": "klaar", "blocked": "geblokkeerd", "invalid": "ongeldig", "failed": "mislukt",
        "blocked_admins": "Geblokkeerde administraties: {blocked} van {total} ({percent})",
        "findings": "Bevindingen: {blocking} blokkerend, {advisory} advies, {info} info",
        "top": "Regels die afgingen (meeste bevindingen eerst):",
        "none_fired": "Geen enkele regel ging af.",
        "invalid_list": "Ongeldige snapshots ({count}):",
        "failed_list": "Mislukte snapshots ({count}):",
        "more": "… en nog {count} fout(en)",
        "blocking": "blokkerend", "advisory": "advies", "info": "info",
    },
    "en": {
        "title": "Audit of {offices} offices: {administrations} administrations checked",
        "ready": "ready", "blocked": "blocked", "invalid": "invalid", "failed": "failed",
        "blocked_admins": "Blocked administrations: {blocked} of {total} ({percent})",
        "findings": "Findings: {blocking} blocking, {advisory} advisory, {info} info",
        "top": "Rules that fired (most findings first):",
        "none_fired": "No rule fired.",
        "invalid_list": "Invalid snapshots ({count}):",
        "failed_list": "Failed snapshots ({count}):",
        "more": "… and {count} more error(s)",
        "blocking": "blocking", "advisory": "advisory", "info": "info",
    },
}


def where(detail: dict[str, Any]) -> str:
    """'file:line' or 'file', plus the office code when known (safe to print)."""
    place = detail["source"] if detail["line"] is None else f"{detail['source']}:{detail['line']}"
    return for_terminal(f"{place} ({detail['office']})" if detail.get("office") else place)


def fragment(detail: dict[str, Any], lang: str) -> str:
    """Only snapshots that could not be checked appear office by office in the text output."""
    if detail["verdict"] == "failed":
        return f"F  {where(detail)}: {one_line(detail['failure'])}\n"
    if detail["verdict"] != "invalid":
        return ""
    errors = detail["report"]["errors"]
    lines = [f"I  {where(detail)}"]
    for error in errors[:MAX_ERRORS_SHOWN]:
        lines.append(f"     {_error_text(error)}")
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append("     " + LABELS[lang]["more"].format(count=len(errors) - MAX_ERRORS_SHOWN))
    return "\n".join(lines) + "\n"


def _error_text(error: dict[str, Any]) -> str:
    message = one_line(error["message"])
    if "line" in error:
        return f"line {error['line']}, column {error.get('column', 1)}: {message}"
    return f"{for_terminal(error['path']) or '/'}: {message}"


def one_line(text: str) -> str:
    """Text without line breaks (the listing keeps one entry per line), safe to print."""
    return for_terminal(" ".join(text.split()) if "\n" in text or "\r" in text else text)


def percent(part: int, whole: int) -> str:
    """'12.5 %' (or '0 %' of nothing)."""
    return f"{100 * part / whole:.1f} %" if whole else "0 %"


class TextWriter(Writer):
    """Summary first; the invalid and failed snapshots (spooled meanwhile) after it."""

    def end(self, summary: AuditSummary) -> None:
        labels = LABELS[self.lang]
        out = [labels["title"].format(offices=summary.offices, administrations=summary.administrations)]
        width = max(len(labels[v]) for v in summary.verdicts)
        for verdict, count in summary.verdicts.items():
            out.append(f"  {labels[verdict]:<{width}}  {count:>8}")
        out.append(labels["blocked_admins"].format(
            blocked=summary.blocked_administrations, total=summary.administrations,
            percent=percent(summary.blocked_administrations, summary.administrations),
        ))
        out.append(labels["findings"].format(**summary.by_severity))
        out.append("")
        top = summary.top_rules()
        if top:
            out.append(labels["top"])
            head = COLUMNS[self.lang]
            rule_width = max(len(head[0]), *(len(r.id) for r in top))
            out.append(f"  {head[0]:<{rule_width}}  {head[1]:<10}  {head[2]:>11}  {head[3]:>8}")
            for rule in top:
                severity = labels.get(rule.severity, rule.severity)
                out.append(f"  {rule.id:<{rule_width}}  {severity:<10}  {rule.findings:>11}  {rule.offices:>8}")
        else:
            out.append(labels["none_fired"])
        self.dest.write("\n".join(out) + "\n")
        self._sections(summary)

    def _sections(self, summary: AuditSummary) -> None:
        """Split the spooled lines into the invalid and the failed list (two passes over the file)."""
        labels = LABELS[self.lang]
        self.body.flush()
        for marker, key, count in (("I", "invalid_list", summary.invalid), ("F", "failed_list", summary.failed)):
            if not count:
                continue
            self.dest.write("\n" + labels[key].format(count=count) + "\n")
            self.body.seek(0)
            keep = False
            for line in self.body:
                if not line.startswith(" "):
                    keep = line.startswith(marker + " ")
                if keep:
                    self.dest.write("  " + line[3:] if not line.startswith(" ") else line)
        self.body.seek(0, 2)


WRITER = TextWriter

"""``--format text``: the terminal summary — with a baseline, first what changed since; then
offices, administrations, verdicts, what can move now, the rules that fired, and every snapshot
that could not be checked, with where it came from.

Numbers and percentages are written as the language writes them (``4.052`` and ``21,1 %`` in
Dutch, ``4,052`` and ``21.1%`` in English). Everything that comes from the input (file names,
office codes, messages quoting values) is printed with :func:`~preflight.neutralise.for_terminal`:
a control character shows as an escape such as ``\x1b`` instead of acting on the terminal, and
every entry stays on its own line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...neutralise import for_terminal
from ...ui_text import AUDIT
from ...vocabulary import SEVERITY_RANK
from ...wording import format_list, format_moment, format_number, format_percent
from ..summary import AuditSummary, Comparison
from .base import Writer

#: Errors shown per invalid snapshot; the JSON output lists them all.
MAX_ERRORS_SHOWN = 5
#: Offices named per list of the comparison (new, gone, with new blocking findings); the JSON has all.
MAX_OFFICES_SHOWN = 20
#: Markers of the spooled lines: which list of the text output a line belongs to.
INVALID, FAILED, NEW_BLOCKING = "I", "F", "N"


def where(detail: dict[str, Any]) -> str:
    """'file:line' or 'file', plus the office code when known (safe to print)."""
    place = detail["source"] if detail["line"] is None else f"{detail['source']}:{detail['line']}"
    return for_terminal(f"{place} ({detail['office']})" if detail.get("office") else place)


def fragment(detail: dict[str, Any], lang: str) -> str:
    """The lines of one office, each marked with the list it belongs to: snapshots that could not
    be checked, and (with a baseline) offices with new blocking findings."""
    out = []
    changes = detail.get("changes")
    if changes and detail["report"]:
        findings = detail["report"]["findings"]
        new = [findings[i] for i in changes["new"] if findings[i]["severity"] == "blocking"]
        if new:
            out.append(f"{NEW_BLOCKING}  {where(detail)}: {_new_blocking(new, lang)}\n")
    if detail["verdict"] == "failed":
        out.append(f"{FAILED}  {where(detail)}: {one_line(detail['failure'])}\n")
    elif detail["verdict"] == "invalid":
        errors = detail["report"]["errors"]
        lines = [f"{INVALID}  {where(detail)}"]
        for error in errors[:MAX_ERRORS_SHOWN]:
            lines.append(f"     {_error_text(error)}")
        if len(errors) > MAX_ERRORS_SHOWN:
            lines.append("     " + AUDIT[lang]["more_errors"].format(count=len(errors) - MAX_ERRORS_SHOWN))
        out.append("\n".join(lines) + "\n")
    return "".join(out)


def _new_blocking(findings: list[dict[str, Any]], lang: str) -> str:
    """'documents-awaiting-authorisation (1001, 1004), subadministration (1010)'."""
    by_rule: dict[str, list[str]] = {}
    for finding in findings:
        about = finding["about"]
        by_rule.setdefault(finding["rule"], []).append(about.get("key") or finding["subject"])
    return one_line(", ".join(f"{rule} ({', '.join(keys)})" for rule, keys in by_rule.items()))


def _error_text(error: dict[str, Any]) -> str:
    message = one_line(error["message"])
    if "line" in error:
        return f"line {error['line']}, column {error.get('column', 1)}: {message}"
    return f"{for_terminal(error['path']) or '/'}: {message}"


def one_line(text: str) -> str:
    """Text without line breaks (the listing keeps one entry per line), safe to print."""
    return for_terminal(" ".join(text.split()) if "\n" in text or "\r" in text else text)


def percent(part: int, whole: int, lang: str) -> str:
    """'21,1 %' (nl) or '21.1%' (en); '0 %' of nothing."""
    return format_percent(part / whole if whole else 0.0, lang)


class TextWriter(Writer):
    """The comparison (when there is one), the summary, then the invalid and failed snapshots
    (spooled meanwhile)."""

    def end(self, summary: AuditSummary) -> None:
        labels = AUDIT[self.lang]
        comparison = summary.comparison
        if comparison is not None:
            self.dest.write("\n".join(self._comparison(comparison, summary.readiness_only)) + "\n")
            if comparison.offices_with_new_blocking:
                self._section(NEW_BLOCKING, labels["new_blocking_list"], comparison.offices_with_new_blocking,
                              at_most=MAX_OFFICES_SHOWN)
                self.dest.write("\n")
        self.dest.write("\n".join(self._summary(summary)) + "\n")
        self._section(INVALID, labels["invalid_list"], summary.invalid)
        self._section(FAILED, labels["failed_list"], summary.failed)

    def _n(self, value: int) -> str:
        return format_number(value, self.lang)

    def _summary(self, summary: AuditSummary) -> list[str]:
        labels, n = AUDIT[self.lang], self._n
        out = [labels["title"].format(offices=n(summary.offices), administrations=n(summary.administrations))]
        shown = {v: c for v, c in summary.verdicts.items() if c or v != "completed"}
        width = max(len(labels[f"verdict.{v}"]) for v in shown)
        for verdict, count in shown.items():
            out.append(f"  {labels[f'verdict.{verdict}']:<{width}}  {n(count):>8}")
        out.append(labels["blocked_admins"].format(
            blocked=n(summary.blocked_administrations), total=n(summary.administrations),
            percent=percent(summary.blocked_administrations, summary.administrations, self.lang),
        ))
        out.append(labels["findings_line"].format(**{k: n(v) for k, v in summary.by_severity.items()}))
        movable = summary.movable
        out.append(labels["movable_line"].format(
            offices=n(movable.offices_can_start_now), migrations=n(movable.migrations),
            size=self.rulebook.batch_size, administrations=n(movable.movable_now)))
        out.append(labels["batches_line"].format(
            ready=n(movable.ready), after_fixes=n(movable.after_fixes), cannot_move=n(movable.cannot_move)))
        if summary.readiness_only:
            out.append(labels["readiness_only_line"])
        out.append("")
        top = summary.top_rules()
        if top:
            out.append(labels["top"])
            rows = [(r.id, labels.get(f"severity.{r.severity}", r.severity), n(r.findings), n(r.offices))
                    for r in top]
            out.extend(_table((labels["col.rule"], labels["col.severity"], labels["col.findings"],
                               labels["col.offices"]), rows))
        else:
            out.append(labels["none_fired"])
        return out

    def _comparison(self, comparison: Comparison, readiness_only: bool) -> list[str]:
        labels, n, lang = AUDIT[self.lang], self._n, self.lang
        info = comparison.info
        source = for_terminal(info.path)
        if info.run_at:
            head = labels["compared"].format(run_at=_moment(info.run_at, lang), source=source,
                                             offices=n(comparison.offices_in_both))
        else:
            head = labels["compared_undated"].format(source=source, offices=n(comparison.offices_in_both))
        out = [head]
        out.append("  " + labels["fixed_line"].format(count=n(comparison.fixed)))
        out.append("  " + labels["new_line"].format(count=n(comparison.new), blocking=n(comparison.new_blocking),
                                                    offices=n(comparison.offices_with_new_blocking)))
        out.append("  " + labels["open_line"].format(count=n(comparison.open)))
        for key, offices in (("new_offices", comparison.new_offices), ("gone_offices", comparison.gone_offices)):
            if offices:
                named = [_office_name(o) for o in offices[:MAX_OFFICES_SHOWN]]
                if len(offices) > MAX_OFFICES_SHOWN:
                    named.append(labels["more_offices"].format(count=n(len(offices) - MAX_OFFICES_SHOWN)))
                out.append("  " + labels[key].format(count=n(len(offices)), offices=", ".join(named)))
        if comparison.verdict_changes:
            changes = [
                f"{labels[f'verdict.{before}']} → {labels[f'verdict.{after}']} {n(count)}"
                for (before, after), count in sorted(comparison.verdict_changes.items(), key=_change_order)
            ]
            out.append("  " + labels["verdicts_changed"].format(changes=format_list(changes, lang)))
        if comparison.info.readiness_only != readiness_only:
            how = labels["mode.readiness_only" if comparison.info.readiness_only else "mode.full"]
            what = labels["mode.what_new" if comparison.info.readiness_only else "mode.what_fixed"]
            out.append("  " + labels["mode_differs"].format(how=how, what=what))
        out.append("")
        changed = {rule: counts for rule, counts in comparison.by_rule.items() if counts[0] or counts[1]}
        if changed:
            out.append(labels["by_rule_changes"])
            order = sorted(changed, key=lambda r: (self._rank(r), -changed[r][1], -changed[r][0], r))
            rows = [(rule, labels.get(f"severity.{self._severity(rule)}", "?"), n(changed[rule][0]),
                     n(changed[rule][1]), n(comparison.by_rule[rule][2])) for rule in order]
            out.extend(_table((labels["col.rule"], labels["col.severity"], labels["col.fixed"], labels["col.new"],
                               labels["col.open"]), rows))
        else:
            out.append(labels["no_changes"])
        out.append("")
        return out

    def _severity(self, rule_id: str) -> str:
        try:
            return self.rulebook.by_id(rule_id).severity
        except KeyError:
            return "?"

    def _rank(self, rule_id: str) -> int:
        return SEVERITY_RANK.get(self._severity(rule_id), 9)

    def _section(self, marker: str, heading: str, count: int, at_most: int | None = None) -> None:
        """The spooled lines of one list (one pass over the spool file per list)."""
        if not count:
            return
        labels = AUDIT[self.lang]
        self.dest.write(("" if marker == NEW_BLOCKING else "\n") + heading.format(count=self._n(count)) + "\n")
        self.body.flush()
        self.body.seek(0)
        keep, listed = False, 0
        for line in self.body:
            if not line.startswith(" "):
                keep = line.startswith(marker + " ")
                if keep:
                    listed += 1
                    if at_most is not None and listed > at_most:
                        self.dest.write("  " + labels["more_offices"].format(count=self._n(count - at_most)) + "\n")
                        break
            if keep:
                self.dest.write("  " + line[3:] if not line.startswith(" ") else line)
        self.body.seek(0, 2)


def _table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Columns: the first left-aligned, the second left-aligned, the rest right-aligned."""
    widths = [max(len(head[i]), *(len(row[i]) for row in rows)) for i in range(len(head))]
    out = []
    for row in (head, *rows):
        cells = [f"{row[0]:<{widths[0]}}", f"{row[1]:<{widths[1]}}"]
        cells += [f"{row[i]:>{widths[i]}}" for i in range(2, len(row))]
        out.append("  " + "  ".join(cells))
    return out


def _office_name(office: dict[str, Any]) -> str:
    code = office.get("office") or (office["source"] if office.get("line") is None else
                                    f"{office['source']}:{office['line']}")
    return for_terminal(str(code))


def _change_order(item: tuple[tuple[str, str], int]) -> tuple[int, str, str]:
    (before, after), count = item
    return (-count, before, after)


def _moment(text: str, lang: str) -> str:
    try:
        return format_moment(text, lang)
    except ValueError:
        return for_terminal(text)


WRITER = TextWriter

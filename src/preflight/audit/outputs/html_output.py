"""``--format html``: one self-contained page operations act on (templates/audit.html, Jinja).

From the top: the run (date, inputs, mode); with a baseline, what changed since; the figures;
what can move now; a chart of findings per rule (blocking first, each bar marked by its
severity in words and by a pattern as well as a colour); what each rule means and what to do
(localized titles, full-sentence remedies, the FAQ linked); and the offices — filterable by
verdict, rule, "can move now", change and name, sortable by keyboard, each with its details:
the proposed migrations, the findings per rule with the administrations and users by name, the
changes since the baseline. A count that is unknown (a snapshot that could not be checked) is
"–", never 0. Numbers are written as the language writes them.

Every value is escaped by Jinja's autoescaping. The style and the small script are in the page:
no external assets (the machines are offline; the page works opened from disk), and without
JavaScript everything is still shown. The offices are streamed into the page: each is rendered
(templates/office.html) in the worker that checked it and spooled until the summary is known; to
keep ten thousand offices light, an office's details are names, at most :data:`MAX_SUBJECTS` per
rule and :data:`MAX_ERRORS` input errors, and the full messages are left to the JSON and CSV
outputs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ... import __version__
from ...rulebook import Rule, RuleBook, default_rulebook
from ...ui_text import AUDIT
from ...vocabulary import SEVERITY_RANK
from ...wording import format_list, format_moment, format_number, format_percent
from ..summary import AuditSummary, Comparison
from .base import Writer

MAX_SUBJECTS = 100
MAX_ERRORS = 20
#: Offices named per list of the comparison (new, gone); the JSON output lists them all.
MAX_OFFICES_LISTED = 200
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Marks where the spooled offices go in the rendered page.
OFFICES_MARKER = "<!--preflight-audit-offices-->"


@cache
def environment() -> Any:
    """The Jinja environment of the audit page (autoescaping on; built once per process)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def _n(value: int | None, lang: str) -> str | None:
    return None if value is None else format_number(value, lang)


def _rule(rule_id: str) -> Rule | None:
    try:
        return default_rulebook().by_id(rule_id)
    except KeyError:
        return None


def _title(rule_id: str, lang: str) -> str:
    rule = _rule(rule_id)
    return rule.title.in_language(lang) if rule else rule_id


# -- one office (in the worker) ------------------------------------------------------------------


def fragment(detail: dict[str, Any], lang: str) -> str:
    """One office: a ``<tbody>`` with its row and its details."""
    return str(environment().get_template("office.html").render(office_view(detail, lang)))


def office_view(detail: dict[str, Any], lang: str) -> dict[str, Any]:
    """What templates/office.html shows of one office."""
    t = AUDIT[lang]
    report = detail["report"]
    checked = detail["administrations"] is not None
    findings: list[dict[str, Any]] = report["findings"] if report and checked else []
    summary = report["summary"] if report and checked else None
    names = _names(report)
    movable = detail["movable"]
    movable_now = (movable["ready"] if movable["can_start_now"] else 0) if movable else None
    changes = detail.get("changes")
    line = "" if detail["line"] is None else f":{detail['line']}"
    view: dict[str, Any] = {
        "t": t,
        "verdict": detail["verdict"],
        "verdict_label": t[f"verdict.{detail['verdict']}"],
        "code": detail["office"] or "",
        "name": detail["name"] or "",
        "rules": " ".join(sorted({f["rule"] for f in findings})),
        "counts": [_n(detail["administrations"], lang), _n(detail["blocked_administrations"], lang)],
        "severity_counts": [_n(summary["blocking"], lang), _n(summary["advisory"], lang)] if summary else [None, None],
        "movable": _movable_cell(movable, lang),
        "sort": {
            "admins": _sortable(detail["administrations"]), "blocked": _sortable(detail["blocked_administrations"]),
            "movable": _sortable(movable_now),
            "can_start": "1" if movable and movable["can_start_now"] else "0",
            "blocking": _sortable(summary["blocking"] if summary else None),
            "advisory": _sortable(summary["advisory"] if summary else None),
            "new": _sortable(len(changes["new"]) if changes else None),
        },
        "source": detail["source"] + line,
        "columns": 9 if changes is not None else 8,
        "migration": _migration_line(report, lang) if checked else None,
        "failure": detail.get("failure"),
        "errors": [], "errors_heading": "",
        "batches": [], "start_blocked": False,
        "no_findings": checked and not findings,
        "groups": _groups(findings, names, lang) if findings else [],
        "changes": _changes_view(changes, findings, names, lang) if changes is not None else None,
    }
    if detail["verdict"] == "invalid" and report:
        errors = report["errors"]
        view["errors"] = [_error_text(e, lang) for e in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:
            view["errors"].append(t["drill.more"].format(count=format_number(len(errors) - MAX_ERRORS, lang)))
        unreadable = all("line" in e or not e["path"] for e in errors)
        view["errors_heading"] = t["drill.unreadable" if unreadable else "drill.errors"]
        view["caption"] = t["details.errors"].format(count=format_number(len(errors), lang))
    elif detail["verdict"] == "failed":
        view["caption"] = t["details.failed"]
    else:
        view["caption"] = (t["details.findings"].format(count=format_number(len(findings), lang))
                           if findings else t["details.none"])
    if checked and report and report.get("batches"):
        view["batches"], view["start_blocked"] = _batches(report["batches"], names, lang)
    return view


def _sortable(value: int | None) -> str:
    return "" if value is None else str(value)


def _names(report: dict[str, Any] | None) -> dict[str, str]:
    """Administration labels by code: '1001 Bakkerij Jansen' (with the new code when one is asked)."""
    context = report.get("context") if report else None
    out: dict[str, str] = {}
    for admin in (context or {}).get("administrations", ()):
        label = f"{admin['code']} {admin['name']}" if admin.get("name") else admin["code"]
        if admin.get("new_code"):
            label += f" (→ {admin['new_code']})"
        out[admin["code"]] = label
    return out


def _movable_cell(movable: dict[str, Any] | None, lang: str) -> dict[str, str] | None:
    if movable is None:
        return None
    t = AUDIT[lang]
    if not movable["can_start_now"]:
        return {"text": t["movable.none"], "title": t["movable.none"]}
    numbers = {"migrations": format_number(movable["migrations"], lang),
               "administrations": format_number(movable["ready"], lang)}
    return {"text": t["movable.some"].format(**numbers), "title": t["movable.title"].format(**numbers)}


def _migration_line(report: dict[str, Any] | None, lang: str) -> str | None:
    context = report.get("context") if report else None
    if not context or not context.get("status"):
        return None
    names = default_rulebook().display
    status = names.name("status", context["status"], lang)
    target = context.get("target_office")
    if not target:
        return AUDIT[lang]["drill.migration_no_target"].format(status=status)
    label = f"{target['name']} ({target['code']})" if target.get("name") else target["code"]
    return AUDIT[lang]["drill.migration"].format(target=label, status=status)


def _batches(batches: dict[str, Any], names: dict[str, str], lang: str) -> tuple[list[tuple[str, str]], bool]:
    t = AUDIT[lang]

    def listed(codes: list[str]) -> str:
        shown = [names.get(code, code) for code in codes[:MAX_SUBJECTS]]
        text = format_list(shown, lang)
        if len(codes) > MAX_SUBJECTS:
            text += " " + t["drill.more"].format(count=format_number(len(codes) - MAX_SUBJECTS, lang))
        return text

    out = []
    ready = batches["ready"]
    if ready:
        shown = ready[: max(1, MAX_SUBJECTS // 5)]
        text = "; ".join(f"{t['drill.batch'].format(n=n)}: {listed(batch)}" for n, batch in enumerate(shown, start=1))
        if len(ready) > len(shown):
            text += "; " + t["drill.more"].format(count=format_number(len(ready) - len(shown), lang))
        out.append((t["drill.now"], text))
    else:
        out.append((t["drill.now"], t["movable.none"]))
    if batches["after_fixes"]:
        out.append((t["drill.after_fixes"], listed(batches["after_fixes"])))
    if batches["cannot_move"]:
        out.append((t["drill.cannot_move"], listed(batches["cannot_move"])))
    return out, bool(ready) and not batches["can_start_now"]


def _subject(finding: dict[str, Any], names: dict[str, str], lang: str) -> str:
    """Who or what a finding is about, by name."""
    about = finding["about"]
    admin = about.get("administration")
    if about["kind"] == "administration":
        return names.get(admin, admin or about.get("key") or "")
    if about["kind"] == "user":
        if admin:
            return AUDIT[lang]["subject.in"].format(user=about["key"], administration=names.get(admin, admin))
        return str(about["key"])
    return str(finding.get("message") or AUDIT[lang][f"subject.{about['kind']}"].format(key=about.get("key")))


def _by_rule(findings: list[dict[str, Any]], names: dict[str, str], lang: str) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        groups.setdefault(finding["rule"], []).append(finding)
    out = []
    for rule_id, items in sorted(groups.items(), key=lambda kv: (SEVERITY_RANK.get(kv[1][0]["severity"], 9), kv[0])):
        subjects = [_subject(f, names, lang) for f in items[:MAX_SUBJECTS]]
        text = ", ".join(subjects)
        if len(items) > MAX_SUBJECTS:
            text += " " + AUDIT[lang]["drill.more"].format(count=format_number(len(items) - MAX_SUBJECTS, lang))
        out.append({"id": rule_id, "title": _title(rule_id, lang), "severity": items[0]["severity"],
                    "count": format_number(len(items), lang), "subjects": text})
    return out


def _groups(findings: list[dict[str, Any]], names: dict[str, str], lang: str) -> list[dict[str, Any]]:
    t = AUDIT[lang]
    out: list[dict[str, Any]] = []
    for rule in _by_rule(findings, names, lang):
        if not out or out[-1]["severity"] != rule["severity"]:
            out.append({"severity": rule["severity"], "label": t.get(f"severity.{rule['severity']}", "?"), "rules": []})
        out[-1]["rules"].append(rule)
    return out


def _changes_view(
    changes: dict[str, Any], findings: list[dict[str, Any]], names: dict[str, str], lang: str
) -> dict[str, Any]:
    t = AUDIT[lang]
    new = [findings[i] for i in changes["new"] if i < len(findings)]
    fixed = changes["fixed"]
    fixed_names = {**{f["about"]["administration"]: f"{f['about']['administration']} {f['name']}"
                      for f in fixed if f.get("name") and f["about"].get("administration")}, **names}
    new_blocking = sum(1 for f in new if f["severity"] == "blocking")
    numbers = {"new": format_number(len(new), lang), "fixed": format_number(len(fixed), lang),
               "blocking": format_number(new_blocking, lang)}
    tags = [tag for tag, present in (("new-blocking", new_blocking), ("fixed", fixed),
                                     ("new-office", not changes["previous_verdict"])) if present]
    previous = changes["previous_verdict"]
    return {
        "new_office": not previous,
        "previous": t["drill.previous"].format(verdict=t[f"verdict.{previous}"]) if previous else "",
        "text": t["changes.cell"].format(**numbers),
        "title": t["changes.title"].format(**numbers),
        "new_blocking": new_blocking,
        "tags": " ".join(tags),
        "new_list": _by_rule(new, names, lang) if previous else [],
        "fixed_list": _by_rule(fixed, fixed_names, lang),
    }


def _error_text(error: dict[str, Any], lang: str) -> str:
    if "line" in error:
        where = AUDIT[lang]["drill.line"].format(line=error["line"], column=error.get("column", 1))
        return f"{where}: {error['message']}"
    return f"{error['path'] or '/'}: {error['message']}"


# -- the page (in the main process) --------------------------------------------------------------


class HtmlWriter(Writer):
    """The page rendered once the summary is known, with the spooled offices in its table."""

    def end(self, summary: AuditSummary) -> None:
        page = environment().get_template("audit.html").render(page_view(summary, self.rulebook, self.lang))
        head, _, foot = page.partition(OFFICES_MARKER)
        self.dest.write(head)
        self.body.flush()
        self.body.seek(0)
        while chunk := self.body.read(1 << 16):
            self.dest.write(chunk)
        self.dest.write(foot)


def page_view(summary: AuditSummary, rulebook: RuleBook, lang: str) -> dict[str, Any]:
    """What templates/audit.html shows around the offices."""
    t = AUDIT[lang]

    def n(value: int) -> str:
        return format_number(value, lang)

    verdicts = summary.verdicts
    share = format_percent(summary.blocked_administrations / summary.administrations
                           if summary.administrations else 0.0, lang)
    figures = [
        ("", n(summary.offices), t["fig.offices"]),
        ("", n(summary.administrations), t["fig.administrations"]),
        ("bad", n(summary.blocked_administrations), t["fig.blocked_admins"].format(percent=share)),
        ("bad", n(verdicts["blocked"]), t["fig.blocked_offices"]),
        ("good", n(verdicts["ready"]), t["fig.ready_offices"]),
    ]
    if verdicts["completed"]:
        figures.append(("good", n(verdicts["completed"]), t["fig.completed_offices"]))
    if summary.invalid:
        figures.append(("odd", n(summary.invalid), t["fig.invalid"]))
    if summary.failed:
        figures.append(("odd", n(summary.failed), t["fig.failed"]))
    movable = summary.movable
    movable_figures = [
        ("good", n(movable.offices_can_start_now), t["fig.can_start"]),
        ("", n(movable.migrations), t["fig.migrations"].format(size=rulebook.batch_size)),
        ("good", n(movable.movable_now), t["fig.movable_now"]),
        ("", n(movable.after_fixes), t["fig.after_fixes"]),
        ("bad", n(movable.cannot_move), t["fig.cannot_move"]),
    ]
    fired = summary.rules_by_severity()
    biggest = max((r.findings for r in fired), default=1) or 1
    bars = []
    for rule in fired:
        severity = rule.severity if rule.severity in SEVERITY_RANK else "info"
        title = _title(rule.id, lang)
        severity_label = t[f"severity.{severity}"]
        bars.append({
            "id": rule.id, "title": title, "severity": severity, "severity_label": severity_label,
            "findings": n(rule.findings), "percent": f"{max(0.5, 100 * rule.findings / biggest):.1f}",
            "label": t["chart.bar"].format(title=title, severity=severity_label, findings=n(rule.findings),
                                           offices=n(rule.offices)),
        })
    listed = fired + sorted((r for r in summary.rules.values()
                             if not r.findings and (known := _rule(r.id)) is not None and known.mode == "audit"),
                            key=lambda r: r.id)
    rules = []
    for total in listed:
        described = _rule(total.id)
        severity = total.severity if total.severity in SEVERITY_RANK else "info"
        rules.append({
            "id": total.id, "title": _title(total.id, lang), "severity": severity,
            "severity_label": t[f"severity.{severity}"], "findings": n(total.findings), "offices": n(total.offices),
            "remedy": described.remedy[-1].in_language(lang) if described else "",
            "faq": described.faq if described else total.faq, "faq_url": described.faq_url if described else "",
        })
    comparison = summary.comparison
    columns = [
        ("office", t["col.office"], False), ("", t["col.name"], False), ("verdict", t["col.verdict"], False),
        ("admins", t["col.admins"], True), ("blocked", t["col.blocked"], True),
        ("movable", t["col.movable"], False), ("blocking", t["col.blocking"], True),
        ("advisory", t["col.advisory"], True),
    ]
    if comparison is not None:
        columns.append(("new", t["col.changes"], True))
    return {
        "lang": lang, "t": t,
        "title": t["page.title"].format(offices=n(summary.offices)),
        "run_at": _moment(summary.run_at, lang),
        "inputs": list(summary.inputs),
        "readiness_only": summary.readiness_only,
        "comparison": (_comparison_view(comparison, rulebook, lang, summary.readiness_only)
                       if comparison is not None else None),
        "figures": figures,
        "movable": movable_figures,
        "bars": bars,
        "chart_label": t["chart.label"].format(count=n(len(bars))),
        "legend": [(s, t[f"severity.{s}"]) for s in ("blocking", "advisory", "info")],
        "rules": rules,
        "verdict_options": [(v, f"{t[f'verdict.{v}']} ({n(c)})") for v, c in verdicts.items() if c],
        "rule_options": sorted(((r.id, f"{_title(r.id, lang)} ({n(r.offices)})") for r in fired),
                               key=lambda o: o[1].lower()),
        "columns": columns,
        "offices_count": n(summary.offices),
        "group": format_number(1000, lang)[1],
        "max_subjects": MAX_SUBJECTS,
        "offices_marker": Markup(OFFICES_MARKER),  # noqa: S704 - our own constant
        "style": Markup(_asset("audit.css")),  # noqa: S704 - our own file
        "script": Markup(_asset("audit.js")),  # noqa: S704 - our own file
        "version": __version__,
    }


def _comparison_view(comparison: Comparison, rulebook: RuleBook, lang: str, readiness_only: bool) -> dict[str, Any]:
    t = AUDIT[lang]
    mode = ""
    if comparison.info.readiness_only != readiness_only:
        mode = t["mode_differs"].format(
            how=t["mode.readiness_only" if comparison.info.readiness_only else "mode.full"],
            what=t["mode.what_new" if comparison.info.readiness_only else "mode.what_fixed"])

    def n(value: int) -> str:
        return format_number(value, lang)

    info = comparison.info
    run_at = _moment(info.run_at, lang)
    lead = (t["compare.lead"].format(run_at=run_at, source=info.path, offices=n(comparison.offices_in_both))
            if run_at else t["compare.lead_undated"].format(source=info.path, offices=n(comparison.offices_in_both)))
    figures = [
        ("good", n(comparison.fixed), t["fig.fixed"]),
        ("", n(comparison.new), t["fig.new"]),
        ("bad", n(comparison.new_blocking),
         t["fig.new_blocking"].format(offices=n(comparison.offices_with_new_blocking))),
        ("", n(comparison.open), t["fig.open"]),
    ]
    changed = {rule: c for rule, c in comparison.by_rule.items() if c[0] or c[1]}

    def severity(rule_id: str) -> str:
        rule = _rule(rule_id)
        return rule.severity if rule else "info"

    order = sorted(changed, key=lambda r: (SEVERITY_RANK[severity(r)], -changed[r][1], -changed[r][0], r))
    rules = [{"id": r, "title": _title(r, lang), "severity": severity(r),
              "severity_label": t[f"severity.{severity(r)}"],
              "fixed": n(changed[r][0]), "new": n(changed[r][1]), "open": n(changed[r][2])} for r in order]
    verdicts = format_list([f"{t[f'verdict.{a}']} → {t[f'verdict.{b}']} ({n(c)})"
                            for (a, b), c in sorted(comparison.verdict_changes.items(), key=lambda i: (-i[1], i[0]))],
                           lang)
    lists = []
    for key, offices in (("compare.new_offices", comparison.new_offices),
                         ("compare.gone_offices", comparison.gone_offices)):
        if offices:
            named = [" ".join(filter(None, (o.get("office") or o["source"], o.get("name"))))
                     for o in offices[:MAX_OFFICES_LISTED]]
            more = (t["drill.more"].format(count=n(len(offices) - MAX_OFFICES_LISTED))
                    if len(offices) > MAX_OFFICES_LISTED else "")
            lists.append((t[key].format(count=n(len(offices))), named, more))
    return {"lead": lead, "figures": figures, "rules": rules, "verdicts": verdicts, "office_lists": lists,
            "new_blocking": comparison.new_blocking, "mode": mode}


def _moment(text: str | None, lang: str) -> str:
    if not text:
        return ""
    try:
        return format_moment(text, lang)
    except ValueError:
        return text


@cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


WRITER = HtmlWriter

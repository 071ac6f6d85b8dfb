"""``--format html``: one self-contained page a manager can read without help.

Summary figures, a bar chart of findings per rule (inline SVG), what each rule means and what
to do about it, and a table of offices that can be filtered by verdict, rule and name and
sorted by its numbers, with a drill-down per office. No external assets: the style and the
small filter script are in the page, and without JavaScript everything is still shown.

The offices are streamed into the page (spooled while the audit runs); to keep the page light
the drill-down of an office names per rule the administrations (or users) it is about — at most
:data:`MAX_SUBJECTS`, and :data:`MAX_ERRORS` input errors, saying how many more there are — and
leaves the full messages to the JSON and CSV outputs. What to do about each rule is said once, in
the rules table.
"""

from __future__ import annotations

import os
import re
from html import escape
from typing import Any

from ... import __version__
from ..summary import AuditSummary, RuleTotal
from .base import Writer

MAX_SUBJECTS = 100
MAX_ERRORS = 20
SEVERITY_ORDER = {"blocking": 0, "advisory": 1, "info": 2}
#: Bar colours (SVG attributes cannot use the page's CSS variables everywhere).
COLOURS = {"blocking": "#c62828", "advisory": "#b26a00", "info": "#00838f"}

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Audit van {offices} kantoren",
        "lead": "Wat er per kantoor eerst opgelost moet worden voordat de administraties kunnen "
                "verhuizen naar een ander kantoor (externe migratie).",
        "legend": "Blokkerend: dit moet opgelost zijn voordat de migratie kan starten. Advies: de "
                  "migratie kan, maar iemand moet iets weten of doen. Geblokkeerd kantoor: minstens "
                  "één blokkerende bevinding. Ongeldig: de export van het kantoor is onleesbaar of "
                  "onvolledig en moet opnieuw gemaakt worden.",
        "offices": "kantoren", "administrations": "administraties gecontroleerd",
        "blocked_admins": "geblokkeerde administraties", "of_admins": "{percent} van alle administraties",
        "blocked_offices": "kantoren met iets blokkerends", "ready_offices": "kantoren zonder blokkade",
        "invalid": "ongeldige snapshots", "failed": "niet gecontroleerd (fout)",
        "chart": "Bevindingen per regel",
        "chart_note": "Eén bevinding is één regel die afgaat voor één administratie, gebruiker of "
                      "kantoor. Klik op een balk om de kantoren met die bevinding te tonen.",
        "no_findings": "Geen enkele regel ging af.",
        "rules": "Wat de regels betekenen",
        "rule": "Regel", "severity": "Ernst", "findings": "Bevindingen", "in_offices": "Kantoren",
        "remedy": "Wat te doen", "faq": "FAQ-vraag",
        "table": "Kantoren",
        "filter_verdict": "Oordeel", "filter_rule": "Regel", "filter_text": "Zoek kantoor",
        "all": "alle", "shown": "kantoren getoond",
        "office": "Kantoor", "name": "Naam", "verdict": "Oordeel", "admins": "Administraties",
        "blocked": "Geblokkeerd", "blocking": "Blokkerend", "advisory": "Advies", "source": "Bron",
        "details": "Details", "no_office_findings": "Geen bevindingen: dit kantoor kan verhuizen.",
        "more": "… en nog {count} (zie de JSON- of CSV-uitvoer)",
        "errors": "De snapshot voldoet niet aan het contract en is niet gecontroleerd:",
        "failure": "Niet gecontroleerd:", "error_count": "{count} fout(en)",
        "migration_ignored": "De snapshot bevatte een migratieverzoek; de audit negeert dat en "
                             "controleert alle administraties.",
        "sort": "Klik op een kolomkop om te sorteren.",
        "notes": "Een administratie telt als geblokkeerd als er minstens één blokkerende bevinding "
                 "over haar (of over een van haar gebruikers) is. De details noemen per regel de "
                 "administraties (code) of gebruikers (met de administratie) waar het om gaat, "
                 "hoogstens {max}; de volledige meldingen staan in de CSV- en JSON-uitvoer.",
        "footer": "Gemaakt door preflight {version}.",
        "sev_blocking": "blokkerend", "sev_advisory": "advies", "sev_info": "info",
        "v_ready": "klaar", "v_blocked": "geblokkeerd", "v_invalid": "ongeldig", "v_failed": "mislukt",
        "times": "×",
    },
    "en": {
        "title": "Audit of {offices} offices",
        "lead": "What each office must clear before its administrations can move to another "
                "office (external migration).",
        "legend": "Blocking: must be cleared before the migration can start. Advisory: the "
                  "migration can go ahead, but someone must know or act. Blocked office: at least "
                  "one blocking finding. Invalid: the office's export is unreadable or incomplete "
                  "and must be made again.",
        "offices": "offices", "administrations": "administrations checked",
        "blocked_admins": "blocked administrations", "of_admins": "{percent} of all administrations",
        "blocked_offices": "offices with something blocking", "ready_offices": "offices with nothing blocking",
        "invalid": "invalid snapshots", "failed": "not checked (error)",
        "chart": "Findings per rule",
        "chart_note": "A finding is one rule firing for one administration, user or office. "
                      "Click a bar to show the offices with that finding.",
        "no_findings": "No rule fired.",
        "rules": "What the rules mean",
        "rule": "Rule", "severity": "Severity", "findings": "Findings", "in_offices": "Offices",
        "remedy": "What to do", "faq": "FAQ question",
        "table": "Offices",
        "filter_verdict": "Verdict", "filter_rule": "Rule", "filter_text": "Find office",
        "all": "all", "shown": "offices shown",
        "office": "Office", "name": "Name", "verdict": "Verdict", "admins": "Administrations",
        "blocked": "Blocked", "blocking": "Blocking", "advisory": "Advisory", "source": "Source",
        "details": "Details", "no_office_findings": "No findings: this office can move.",
        "more": "… and {count} more (see the JSON or CSV output)",
        "errors": "The snapshot breaks the contract and was not checked:",
        "failure": "Not checked:", "error_count": "{count} error(s)",
        "migration_ignored": "The snapshot carried a migration request; the audit ignores it and "
                             "checks every administration.",
        "sort": "Click a column heading to sort.",
        "notes": "An administration counts as blocked when at least one blocking finding is about "
                 "it (or about one of its users). The details name per rule the administrations "
                 "(code) or users (with their administration) concerned, at most {max}; the full "
                 "messages are in the CSV and JSON outputs.",
        "footer": "Made by preflight {version}.",
        "sev_blocking": "blocking", "sev_advisory": "advisory", "sev_info": "info",
        "v_ready": "ready", "v_blocked": "blocked", "v_invalid": "invalid", "v_failed": "failed",
        "times": "×",
    },
}

COLUMNS = 8

STYLE = """
:root{--blocking:#c62828;--advisory:#b26a00;--info:#00838f;--ready:#2e7d32;--invalid:#6a1b9a;
--failed:#424242;--line:#d9dde3;--muted:#5f6b7a;--bg:#f6f7f9}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2530;background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px}
.lead,.note{color:var(--muted);margin:4px 0 12px}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:20px 0}
.figure{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.figure .n{display:block;font-size:28px;font-weight:650}.figure .l{color:var(--muted)}
.figure.bad .n{color:var(--blocking)}.figure.good .n{color:var(--ready)}.figure.odd .n{color:var(--invalid)}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px;overflow-x:auto}
svg text{font:13px system-ui,sans-serif;fill:#1d2530}svg a{cursor:pointer}svg a:hover rect{opacity:.8}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;font-weight:600;white-space:nowrap}
th[data-sort]{cursor:pointer}th[data-sort]:after{content:" \\2195";color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sev,.verdict{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;
white-space:nowrap}
.sev.blocking,.verdict.blocked{background:var(--blocking)}.sev.advisory{background:var(--advisory)}
.sev.info{background:var(--info)}.verdict.ready{background:var(--ready)}
.verdict.invalid{background:var(--invalid)}.verdict.failed{background:var(--failed)}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin:8px 0 12px}
form.filters label{display:flex;flex-direction:column;font-size:13px;color:var(--muted)}
form.filters select,form.filters input{font:inherit;padding:4px 6px;min-width:180px}
tr.drill td{border-bottom:2px solid var(--line);padding-top:0}
tr.drill summary{cursor:pointer;color:var(--muted);font-size:13px}
.drill ul{margin:2px 0 6px 18px;padding:0}
.drill p.blocking,.drill p.advisory,.drill p.info{font-weight:600;margin:8px 0 0}
.drill p.blocking{color:var(--blocking)}.drill p.advisory{color:var(--advisory)}.drill p.info{color:var(--info)}
.drill li a{color:inherit;font-weight:600}.src{color:var(--muted);font-size:13px;word-break:break-all}
footer{color:var(--muted);font-size:13px;margin:32px 0 8px}
"""

SCRIPT = """
(function(){
var form=document.getElementById('filters');if(!form)return;
var offices=Array.prototype.slice.call(document.querySelectorAll('tbody.office'));
var shown=document.getElementById('shown');
function text(b){if(b._t===undefined){var c=b.rows[0].cells;b._t=(c[0].textContent+' '+c[1].textContent).toLowerCase();}
 return b._t;}
function apply(){
 var v=form.verdict.value,r=form.rule.value,q=form.q.value.trim().toLowerCase(),n=0;
 offices.forEach(function(b){
  var ok=(!v||b.getAttribute('data-verdict')===v)&&
   (!r||(' '+b.getAttribute('data-rules')+' ').indexOf(' '+r+' ')>=0)&&
   (!q||text(b).indexOf(q)>=0);
  b.hidden=!ok;if(ok)n++;});
 shown.textContent=n;}
form.addEventListener('input',apply);form.addEventListener('change',apply);
form.addEventListener('submit',function(e){e.preventDefault();});
document.querySelectorAll('[data-filter-rule]').forEach(function(a){
 a.addEventListener('click',function(e){e.preventDefault();form.rule.value=a.getAttribute('data-filter-rule');
  apply();document.getElementById('offices').scrollIntoView();});});
var table=document.getElementById('office-table'),order={};
document.querySelectorAll('th[data-sort]').forEach(function(th){
 th.addEventListener('click',function(){
  var key=th.getAttribute('data-sort'),down=order[key]=!order[key],num=th.classList.contains('num');
  offices.sort(function(a,b){
   var x=key==='office'?text(a):a.getAttribute('data-'+key),y=key==='office'?text(b):b.getAttribute('data-'+key);
   if(num){x=+x;y=+y;return down?y-x:x-y;}
   return down?(x<y?-1:x>y?1:0):(x<y?1:x>y?-1:0);});
  offices.forEach(function(b){table.appendChild(b);});});});
document.addEventListener('toggle',function(e){
 var d=e.target;if(!d.open||d.getAttribute('data-shown'))return;
 var n=d.querySelector('noscript');if(n){n.insertAdjacentHTML('afterend',n.textContent);}
 d.setAttribute('data-shown','1');},true);
apply();
})();
"""


def _number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text


def _percent(part: int, whole: int, lang: str) -> str:
    text = f"{100 * part / whole:.1f} %" if whole else "0 %"
    return text.replace(".", ",") if lang == "nl" else text


def fragment(detail: dict[str, Any], lang: str) -> str:
    """One office: a ``<tbody>`` with its row and its drill-down."""
    labels = LABELS[lang]
    report = detail["report"]
    findings = report["findings"] if report else []
    summary = report["summary"] if report else {"blocking": 0, "advisory": 0}
    rules = sorted({f["rule"] for f in findings})
    verdict = detail["verdict"]
    code = detail["office"] or ""
    name = detail["name"] or ""
    line = "" if detail["line"] is None else f":{detail['line']}"
    short = os.path.basename(detail["source"]) + line
    attrs = (
        f' data-verdict="{verdict}" data-rules="{escape(" ".join(rules))}"'
        f' data-admins="{detail["administrations"]}" data-blocked="{detail["blocked_administrations"]}"'
        f' data-blocking="{summary["blocking"]}" data-advisory="{summary["advisory"]}"'
    )
    row = (
        f"<tr><td>{escape(code) or '—'}</td><td>{escape(name)}</td>"
        f'<td><span class="verdict {verdict}">{labels["v_" + verdict]}</span></td>'
        f'<td class="num">{_number(detail["administrations"], lang)}</td>'
        f'<td class="num">{_number(detail["blocked_administrations"], lang)}</td>'
        f'<td class="num">{summary["blocking"]}</td><td class="num">{summary["advisory"]}</td>'
        f'<td class="src" title="{escape(detail["source"] + line)}">{escape(short)}</td></tr>'
    )
    drill = _drill_down(detail, findings, labels)
    return f'<tbody class="office"{attrs}>{row}<tr class="drill"><td colspan="{COLUMNS}">{drill}</td></tr></tbody>\n'


def _drill_down(detail: dict[str, Any], findings: list[dict[str, Any]], labels: dict[str, str]) -> str:
    parts: list[str] = []
    if detail.get("migration_ignored"):
        parts.append(f'<p class="note">{labels["migration_ignored"]}</p>')
    if detail["verdict"] == "failed":
        parts.append(f"<p>{labels['failure']} {escape(detail['failure'])}</p>")
        caption = labels["failure"].rstrip(":")
    elif detail["verdict"] == "invalid":
        errors = detail["report"]["errors"]
        listed = "".join(f"<li>{escape(_error_text(e))}</li>" for e in errors[:MAX_ERRORS])
        if len(errors) > MAX_ERRORS:
            listed += f"<li>{labels['more'].format(count=len(errors) - MAX_ERRORS)}</li>"
        parts.append(f"<p>{labels['errors']}</p><ul>{listed}</ul>")
        caption = labels["error_count"].format(count=len(errors))
    elif not findings:
        parts.append(f"<p>{labels['no_office_findings']}</p>")
        caption = labels["no_office_findings"].split(":")[0]
    else:
        groups: dict[str, list[dict[str, Any]]] = {}
        for finding in findings:
            groups.setdefault(finding["rule"], []).append(finding)
        ordered = sorted(groups.items(), key=lambda kv: (SEVERITY_ORDER[kv[1][0]["severity"]], kv[0]))
        by_severity: dict[str, list[str]] = {}
        for rule, items in ordered:
            by_severity.setdefault(items[0]["severity"], []).append(
                f'<li><a href="#rule-{escape(rule)}">{escape(rule)}</a> {len(items)}{labels["times"]}: '
                f"{_subjects(items, labels)}</li>"
            )
        for severity, entries in by_severity.items():  # compact markup: ten thousand offices
            parts.append(f'<p class="{severity}">{labels["sev_" + severity]}</p><ul>{"".join(entries)}</ul>')
        caption = f"{len(findings)} {labels['findings'].lower()}"
    # In <noscript>: with JavaScript on, the browser keeps it as plain text (cheap for ten
    # thousand offices) and the script turns it into elements when the details are opened;
    # without JavaScript it is ordinary HTML.
    return (f"<details><summary>{labels['details']}: {escape(caption)}</summary>"
            f"<noscript>{''.join(parts)}</noscript></details>")


def _subjects(items: list[dict[str, Any]], labels: dict[str, str]) -> str:
    """What one rule's findings are about, compactly: administration codes, users with their
    administration, or (for an office-level finding) its message."""
    names = []
    for finding in items:
        about = finding["about"]
        if about["kind"] == "administration":
            name = about["key"]
        elif about["kind"] == "user":
            admin = about["administration"]
            name = about["key"] + (f" ({admin})" if admin else "")
        else:
            name = finding["message"]
        names.append(escape(name))
    text = ", ".join(names[:MAX_SUBJECTS])
    if len(names) > MAX_SUBJECTS:
        text += " " + labels["more"].format(count=len(names) - MAX_SUBJECTS)
    return text


def _error_text(error: dict[str, Any]) -> str:
    if "line" in error:
        return f"line {error['line']}, column {error.get('column', 1)}: {error['message']}"
    return f"{error['path'] or '/'}: {error['message']}"


class HtmlWriter(Writer):
    """Head with the summary, the spooled office rows, foot with the script."""

    def write_head(self, summary: AuditSummary) -> None:
        labels = LABELS[self.lang]
        lang = self.lang
        title = labels["title"].format(offices=_number(summary.offices, lang))
        blocked_offices = summary.verdicts["blocked"]
        share = _percent(summary.blocked_administrations, summary.administrations, lang)
        figures = [
            ("", _number(summary.offices, lang), labels["offices"]),
            ("", _number(summary.administrations, lang), labels["administrations"]),
            ("bad", _number(summary.blocked_administrations, lang),
             f"{labels['blocked_admins']} ({labels['of_admins'].format(percent=share)})"),
            ("bad", _number(blocked_offices, lang), labels["blocked_offices"]),
            ("good", _number(summary.verdicts["ready"], lang), labels["ready_offices"]),
        ]
        if summary.invalid:
            figures.append(("odd", _number(summary.invalid, lang), labels["invalid"]))
        if summary.failed:
            figures.append(("odd", _number(summary.failed, lang), labels["failed"]))
        out = [
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
            f"<h1>{escape(title)}</h1>\n<p class=\"lead\">{labels['lead']}</p>\n",
            '<section class="figures">'
            + "".join(
                f'<div class="figure {kind}"><span class="n">{value}</span><span class="l">{escape(label)}</span></div>'
                for kind, value, label in figures
            )
            + "</section>\n"
            f'<p class="note">{labels["legend"]}</p>\n',
        ]
        top = summary.top_rules()
        out.append(f'<h2>{labels["chart"]}</h2>\n<p class="note">{labels["chart_note"]}</p>\n<div class="panel">')
        out.append(bar_chart(top, labels, lang) if top else f"<p>{labels['no_findings']}</p>")
        out.append("</div>\n")
        out.append(self._rules_table(summary, labels))
        out.append(self._filters(summary, labels, top))
        self.dest.write("".join(out))

    def _rules_table(self, summary: AuditSummary, labels: dict[str, str]) -> str:
        rows = []
        listed = summary.top_rules() + sorted(
            (r for r in summary.rules.values() if not r.findings), key=lambda r: r.id
        )
        for rule in listed:
            remedy = self._remedy(rule.id)
            severity = rule.severity if rule.severity in SEVERITY_ORDER else "info"
            rows.append(
                f'<tr id="rule-{escape(rule.id)}"><td>{escape(rule.id)}</td>'
                f'<td><span class="sev {severity}">{labels["sev_" + severity]}</span></td>'
                f'<td class="num">{_number(rule.findings, self.lang)}</td>'
                f'<td class="num">{_number(rule.offices, self.lang)}</td>'
                f"<td>{escape(remedy)}</td><td>{escape(rule.faq)}</td></tr>"
            )
        head = "".join(
            f"<th{' class=num' if key in ('findings', 'in_offices') else ''}>{labels[key]}</th>"
            for key in ("rule", "severity", "findings", "in_offices", "remedy", "faq")
        )
        return (
            f'<h2>{labels["rules"]}</h2>\n<div class="panel"><table class="rules"><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>\n"
        )

    def _remedy(self, rule_id: str) -> str:
        try:
            variant = self.rulebook.by_id(rule_id).remedy[-1]
        except KeyError:
            return ""
        return re.sub(r"\{[a-z_.]+\}", "…", variant.in_language(self.lang))  # no office to fill in

    def _filters(self, summary: AuditSummary, labels: dict[str, str], top: list[RuleTotal]) -> str:
        verdicts = "".join(
            f'<option value="{v}">{labels["v_" + v]} ({_number(n, self.lang)})</option>'
            for v, n in summary.verdicts.items() if n
        )
        rules = "".join(
            f'<option value="{escape(r.id)}">{escape(r.id)} ({_number(r.offices, self.lang)})</option>'
            for r in sorted(top, key=lambda r: r.id)
        )
        heads = [
            ("office", "office", ""), ("name", "", ""), ("verdict", "verdict", ""),
            ("admins", "admins", "num"), ("blocked", "blocked", "num"),
            ("blocking", "blocking", "num"), ("advisory", "advisory", "num"), ("source", "", ""),
        ]
        header = ""
        for label, key, cls in heads:
            sort = f' data-sort="{key}"' if key else ""
            align = f' class="{cls}"' if cls else ""
            header += f"<th{sort}{align}>{labels[label]}</th>"
        return (
            f'<h2 id="offices">{labels["table"]}</h2>\n<p class="note">{labels["sort"]} '
            f'{labels["notes"].format(max=MAX_SUBJECTS)}</p>\n'
            f'<form class="filters" id="filters">'
            f'<label>{labels["filter_verdict"]}<select name="verdict">'
            f'<option value="">{labels["all"]}</option>{verdicts}</select></label>'
            f'<label>{labels["filter_rule"]}<select name="rule">'
            f'<option value="">{labels["all"]}</option>{rules}</select></label>'
            f'<label>{labels["filter_text"]}<input name="q" type="search" autocomplete="off"></label>'
            f'<span><strong id="shown">{_number(summary.offices, self.lang)}</strong> {labels["shown"]}</span>'
            f"</form>\n"
            f'<div class="panel"><table id="office-table"><thead><tr>{header}</tr></thead>\n'
        )

    def write_foot(self, summary: AuditSummary) -> None:
        labels = LABELS[self.lang]
        self.dest.write(
            "</table></div>\n"
            f"<footer>{labels['footer'].format(version=__version__)}</footer>\n"
            f"</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
        )


def bar_chart(rules: list[RuleTotal], labels: dict[str, str], lang: str) -> str:
    """Horizontal bars, one per rule, longest first; a bar links to the office filter."""
    bar_height, gap, label_width, bar_width, right = 22, 8, 290, 520, 90
    width = label_width + bar_width + right
    height = len(rules) * (bar_height + gap) + gap
    biggest = max(r.findings for r in rules) or 1
    title = escape(labels["chart"])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px">'
        f"<title>{title}</title>"
    ]
    for index, rule in enumerate(rules):
        y = gap + index * (bar_height + gap)
        length = max(2, round(bar_width * rule.findings / biggest))
        severity = rule.severity if rule.severity in SEVERITY_ORDER else "info"
        tip = (f"{rule.id}: {_number(rule.findings, lang)} {labels['findings'].lower()}, "
               f"{_number(rule.offices, lang)} {labels['offices']}")
        out.append(
            f'<a href="#offices" data-filter-rule="{escape(rule.id)}"><title>{escape(tip)}</title>'
            f'<text x="{label_width - 8}" y="{y + bar_height - 6}" text-anchor="end">{escape(rule.id)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" rx="3" '
            f'fill="{COLOURS[severity]}"/>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height - 6}">{_number(rule.findings, lang)}</text></a>'
        )
    out.append("</svg>")
    return "".join(out)


WRITER = HtmlWriter

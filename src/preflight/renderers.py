"""Step 8: render a report for people and tools — text, markdown, json, junit.

People read, top to bottom: the verdict; the context (from which office to which, who asks, who
receives, the status, the administrations); the plan as numbered steps with who acts and the
administrations concerned; which administrations can move now, after fixes, or never; then the
findings per administration (names, not keys), info last. :func:`report_view` builds that
reading order once, in the report's language; the text and Markdown renderers (and the web page)
only lay it out. One registry (:data:`RENDERERS`) serves the CLI and the web service.

Every value from a snapshot is neutralised for its medium: control characters are shown escaped
in text (a name cannot move the cursor or paint a fake verdict), Markdown syntax is escaped (no
links, images or HTML), XML gets only characters XML allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .context import Context
from .findings import Finding
from .neutralise import for_terminal
from .report import Report
from .ui_text import REPORT, verdict_label
from .wording import DisplayNames, format_date, format_list, format_moment, format_number, plural_category

_COLOURS = {"ready": "32", "completed": "32", "blocked": "31", "invalid": "35",
            "blocking": "31", "advisory": "33", "info": "36"}


def printable(text: str) -> str:
    """Text with what a terminal would act on (control characters, bidirectional controls, line
    separators) shown as escapes, e.g. ``\\x1b`` — one rule for every output (neutralise.py)."""
    return for_terminal(text)


@dataclass(frozen=True)
class TaskView:
    text: str
    administrations: tuple[str, ...]  # labels: "2001 Bakkerij Van Dam B.V."


@dataclass(frozen=True)
class StepView:
    number: int
    title: str
    actor: str  # in words: "het nieuwe kantoor"
    severity: str
    action: str
    tasks: tuple[TaskView, ...]


@dataclass(frozen=True)
class GroupView:
    heading: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ReportView:
    """A report in reading order, in its language, ready to lay out."""

    verdict: str
    verdict_line: str
    context: tuple[tuple[str, str], ...] = ()
    plan_heading: str = ""
    plan: tuple[StepView, ...] = ()
    batches: tuple[tuple[str, str], ...] = ()
    batches_note: str = ""
    groups: tuple[GroupView, ...] = ()
    info: tuple[Finding, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    omitted: str = ""  # "… more findings are not listed here", when a long report lists only the first


def report_view(report: Report) -> ReportView:
    """The reading order of a report (see the module docstring)."""
    lang = report.lang
    labels = REPORT[lang]
    line = verdict_label(report.verdict, report.phase, lang, report.unreadable)
    if report.verdict == "invalid" or report.context is None or report.batches is None:
        return ReportView(report.verdict, line, labels=labels)
    names = report.names or _default_names()
    context = report.context
    admin_label = _administration_labels(context, labels)

    def labels_of(codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(admin_label(code) for code in codes)

    plan = tuple(
        StepView(
            number=number,
            title=step.title,
            actor=names.name("actor", step.actor, lang),
            severity=step.severity,
            action=step.action,
            tasks=tuple(TaskView(task.text, labels_of(task.administrations)) for task in step.tasks),
        )
        for number, step in enumerate(report.plan, start=1)
    )
    batches: list[tuple[str, str]] = []
    nothing = labels["batches.nothing"]
    listed = format_list  # a list of labels in the language: "a, b en c"
    if report.phase != "completed":
        ready = [
            f"{labels['batches.migration'].format(n=n)}: {format_list(list(labels_of(batch)), lang)}"
            for n, batch in enumerate(report.batches.ready, start=1)
        ]
        batches.append((labels["batches.now"], "; ".join(ready) if ready else nothing))
        for key, codes in (("batches.after_fixes", report.batches.after_fixes),
                           ("batches.cannot_move", report.batches.cannot_move)):
            if codes:
                batches.append((labels[key], listed(list(labels_of(codes)), lang)))
    note = labels["batches.start_blocked"] if report.batches.ready and not report.batches.can_start_now else ""
    groups, info = _groups(report, context, admin_label, labels)
    return ReportView(
        verdict=report.verdict,
        verdict_line=line,
        context=_context_lines(report, context, names, labels, admin_label),
        plan_heading=labels["plan.after" if report.phase == "completed" else "plan"],
        plan=plan,
        batches=tuple(batches),
        batches_note=note,
        groups=groups,
        info=info,
        omitted=_omitted_line(report, labels),
        labels=labels,
    )


def _omitted_line(report: Report, labels: dict[str, str]) -> str:
    if not report.omitted:
        return ""
    key = f"findings.omitted.{'one' if plural_category(report.omitted, report.lang) == 'one' else 'other'}"
    return labels[key].format(count=format_number(report.omitted, report.lang),
                              shown=format_number(len(report.findings), report.lang))


def _default_names() -> DisplayNames:
    from .rulebook import default_rulebook

    return default_rulebook().display


def _administration_labels(context: Context, labels: dict[str, str]) -> Callable[[str], str]:
    def label(code: str) -> str:
        item = context.administration(code)
        if item is None:
            return code
        text = item.label()
        if item.new_code:
            text += f" ({labels['new_code'].format(code=item.new_code)})"
        if not item.in_source:
            text += f" ({labels['not_in_source']})"
        return text

    return label


def _context_lines(
    report: Report, context: Context, names: DisplayNames, labels: dict[str, str], admin_label: Callable[[str], str]
) -> tuple[tuple[str, str], ...]:
    lang = report.lang
    lines: list[tuple[str, str]] = []
    if report.phase == "audit":
        lines.append((labels["office"], context.source_office.label()))
    else:
        lines.append((labels["from"], context.source_office.label()))
        target = context.target_office
        if target is None:
            lines.append((labels["to"], labels["no_target"]))
        else:
            subscription = names.name("subscription", target.subscription or "", lang)
            details = [labels["subscription"].format(subscription=subscription)]
            details.append(
                labels["linked_to"].format(package=names.name("package", target.accounting_link, lang))
                if target.accounting_link else labels["not_linked"]
            )
            lines.append((labels["to"], f"{target.label()}: {', '.join(details)}"))
        for key, person in (("requester", context.requester), ("receiver", context.receiver)):
            text = f"{person.email} ({names.name('role', person.role, lang)})" if person else labels["unknown"]
            lines.append((labels[key], text))
        if context.status:
            status = names.name("status", context.status, lang)
            if context.transfer_code_sent_at and context.status == "code_sent":
                sent = format_date(context.transfer_code_sent_at, lang)
                status = labels["status_sent"].format(status=status, date=sent)
            lines.append((labels["status"], status))
    admins = context.administrations
    lines.append((f"{labels['administrations']} ({format_number(len(admins), lang)})",
                  format_list([admin_label(a.code) for a in admins], lang) if admins else labels["batches.nothing"]))
    if context.documents_total is not None:
        lines.append((labels["documents"], format_number(context.documents_total, lang)))
    if report.taken_at:
        lines.append((labels["taken_at"], format_moment(report.taken_at, lang)))
    return tuple(lines)


def _groups(
    report: Report, context: Context, admin_label: Callable[[str], str], labels: dict[str, str]
) -> tuple[tuple[GroupView, ...], tuple[Finding, ...]]:
    """Blocking and advisory findings per administration (context order), then per office,
    person and the migration; info findings apart."""
    order = {a.code: i for i, a in enumerate(context.administrations)}
    buckets: dict[tuple[int, int, str], tuple[str, list[Finding]]] = {}
    info = []
    for finding in report.findings:
        if finding.severity == "info":
            info.append(finding)
            continue
        about = finding.about
        if about.administration is not None:
            key = (0, order.get(about.administration, len(order)), about.administration)
            heading = admin_label(about.administration)
        elif about.kind == "office":
            office = context.target_office if context.target_office and context.target_office.code == about.key \
                else context.source_office
            key, heading = (1, 0, about.key or ""), f"{labels['office']} {office.label()}"
        elif about.kind == "user":
            role = "requester" if context.requester and context.requester.email == about.key else \
                "receiver" if context.receiver and context.receiver.email == about.key else "user"
            key, heading = (2, 0, about.key or ""), f"{labels[role]} {about.key}"
        else:
            key, heading = (3, 0, ""), labels["migration"]
        buckets.setdefault(key, (heading, []))[1].append(finding)
    groups = tuple(GroupView(heading, tuple(items)) for _, (heading, items) in sorted(buckets.items()))
    return groups, tuple(info)


# -- text --------------------------------------------------------------------------------------


def render_text(report: Report, colour: bool = False) -> str:
    """What a support agent reads out: verdict, context, the plan, batches, then the detail."""
    view = report_view(report)
    labels = view.labels

    def paint(text: str, key: str) -> str:
        return f"\x1b[1;{_COLOURS[key]}m{text}\x1b[0m" if colour else text

    out = [paint(view.verdict_line, report.verdict)]
    if report.verdict == "invalid":
        if report.taken_at:
            out.append(f"{labels['taken_at']} {printable(report.taken_at)}")
        out += ["", labels["errors"] + ":"]
        out += [f"  - {printable(e.where())}: {printable(e.message)}" for e in report.errors]
        out += _notices_text(report, labels)
        return "\n".join(out) + "\n"
    out.append("")
    width = max(len(label) for label, _ in view.context)
    out += [f"{label:<{width}}  {printable(text)}" for label, text in view.context]
    out += ["", view.plan_heading]
    if not view.plan:
        out.append("  " + labels["plan.none"])
    for step in view.plan:
        tag = paint(f"[{labels['severity.' + step.severity]}]", step.severity)
        out.append(f"{step.number:>2}. {step.title} — {labels['who'].format(actor=step.actor)} {tag}")
        out.append(f"    {step.action}")
        for task in step.tasks:
            concerned = format_list(list(task.administrations), report.lang)
            out.append(f"    - {printable(task.text)}" + (f" ({printable(concerned)})" if concerned else ""))
    if view.batches:
        out += ["", labels["batches"]]
        out += [f"  {label}: {printable(text)}" for label, text in view.batches]
        if view.batches_note:
            out.append(f"  {view.batches_note}")
    if view.groups:
        out += ["", labels["findings"]]
    for group in view.groups:
        out.append(f"  {printable(group.heading)}")
        for finding in group.findings:
            tag = paint(f"[{labels['severity.' + finding.severity]}]", finding.severity)
            out.append(f"    {tag} {printable(finding.message)} ({finding.rule})")
            out.append(f"        {labels['faq']}: {finding.faq}")
    if view.info:
        out += ["", labels["good_to_know"]]
        out += [f"  - {printable(f.message)} ({f.rule})" for f in view.info]
    if view.omitted:
        out += ["", view.omitted]
    out.append("")
    out.append(labels["summary"].format(**{k: format_number(v, report.lang) for k, v in report.summary.items()}))
    out += _notices_text(report, labels)
    return "\n".join(out) + "\n"


def _notices_text(report: Report, labels: dict[str, str]) -> list[str]:
    if not report.notices:
        return []
    lines = [f"  - {printable(n.path or '/')}: {printable(n.message)}" for n in report.notices]
    return ["", labels["notices"] + ":", *lines]


# -- markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~])")


def md(text: str) -> str:
    """Text safe in Markdown: its punctuation escaped (so a menu path 'A > B' shows as typed and
    no link, image or HTML can come from a snapshot), control characters escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", printable(text).replace("\n", " "))


def render_markdown(report: Report, colour: bool = False) -> str:
    """The same reading order as the text, for a support ticket."""
    view = report_view(report)
    labels = view.labels
    out = [f"## {md(view.verdict_line)}", ""]
    if report.verdict == "invalid":
        out += [f"### {labels['errors']}", "", f"| {labels['where']} | {labels['message']} |", "|---|---|"]
        out += [f"| {md(e.where())} | {md(e.message)} |" for e in report.errors]
        out += _notices_markdown(report, labels)
        return "\n".join(out) + "\n"
    out += [f"- **{md(label)}:** {md(text)}" for label, text in view.context]
    out += ["", f"### {md(view.plan_heading)}", ""]
    if not view.plan:
        out.append(md(labels["plan.none"]))
    for step in view.plan:
        severity = labels["severity." + step.severity]
        who = labels["who"].format(actor=step.actor)
        out.append(f"{step.number}. **{md(step.title)}** — {md(who)} ({md(severity)})  ")
        out.append(f"   {md(step.action)}")
        for task in step.tasks:
            concerned = format_list(list(task.administrations), report.lang)
            out.append(f"   - {md(task.text)}" + (f" ({md(concerned)})" if concerned else ""))
    if view.batches:
        out += ["", f"### {md(labels['batches'])}", ""]
        out += [f"- **{md(label)}:** {md(text)}" for label, text in view.batches]
        if view.batches_note:
            out += ["", md(view.batches_note)]
    if view.groups:
        out += ["", f"### {md(labels['findings'])}"]
    for group in view.groups:
        out += ["", f"**{md(group.heading)}**", ""]
        for finding in group.findings:
            severity = labels["severity." + finding.severity]
            source = f"[{md(labels['faq'])}]({finding.faq_url})"
            out.append(f"- _{md(severity)}_: {md(finding.message)} (`{finding.rule}`; {source})")
    if view.info:
        out += ["", f"### {md(labels['good_to_know'])}", ""]
        out += [f"- {md(f.message)}" for f in view.info]
    if view.omitted:
        out += ["", md(view.omitted)]
    out += _notices_markdown(report, labels)
    return "\n".join(out).rstrip("\n") + "\n"


def _notices_markdown(report: Report, labels: dict[str, str]) -> list[str]:
    if not report.notices:
        return []
    lines = [f"- {md(n.path or '/')}: {md(n.message)}" for n in report.notices]
    return ["", f"### {md(labels['notices'])}", "", *lines]


# -- json, junit -------------------------------------------------------------------------------


def render_json(report: Report, colour: bool = False) -> str:
    """The report contract (report.md, v2), byte-for-byte stable."""
    return report.to_json()


_XML_INVALID = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text XML can carry: characters XML 1.0 forbids are shown as escapes."""
    return _XML_INVALID.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render_junit(report: Report, colour: bool = False) -> str:
    """JUnit XML for CI dashboards: a blocking finding is a failure, invalid input an error."""
    from xml.sax.saxutils import escape, quoteattr  # imported here: it pulls in urllib and http

    cases = []
    if report.verdict == "invalid":
        for e in report.errors:
            cases.append(
                f'  <testcase classname="preflight.snapshot" name={quoteattr(_xml(e.where()))}>\n'
                f"    <error message={quoteattr(_xml(e.message))}/>\n  </testcase>"
            )
    for f in report.findings:
        name = quoteattr(_xml(f"{f.rule} {f.subject}"))
        if f.severity == "blocking":
            message = quoteattr(_xml(f.message))
            body = f"    <failure message={message} type=\"blocking\">{escape(_xml(f.remedy))}</failure>\n"
        else:
            body = f"    <system-out>{escape(_xml(f.severity + ': ' + f.message + ' — ' + f.remedy))}</system-out>\n"
        cases.append(f'  <testcase classname="preflight.{f.severity}" name={name}>\n{body}  </testcase>')
    if not cases:
        cases.append(f'  <testcase classname="preflight" name="verdict {report.verdict}"/>')
    failures = sum(1 for f in report.findings if f.severity == "blocking")
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

"""Texts for people: rule templates with placeholders and plurals, values in the reader's language.

A template is plain text with ``{field}`` placeholders and, for counts, the plural form of ICU
MessageFormat (the notation translators know), restricted to what rules need::

    {pending_authorisation, plural, one {# document wacht} other {# documenten wachten}}

``#`` is the count; a branch may hold placeholders of its own; ``=0`` (any ``=N``) picks an exact
number before the plural category does. Categories come from CLDR through Babel, per language.

Values are never shown as contract codes: a field's *kind* (from the fact catalogue) says how
to show it — numbers with the language's digit grouping, dates in words ("12 november 2026"),
codes through the display names of ``rules/display-names.yaml`` (``restricted_client`` →
"Beperkte klantgebruiker"). Babel (CLDR) is imported on first use, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

#: Kinds of value a field can hold (facts.FIELD_KINDS names one per field).
VALUE_KINDS = (
    "text", "number", "yes_no", "date", "moment", "role", "package", "subscription", "authorisation", "status",
)
#: Kinds whose values are codes shown through the display names.
CODE_KINDS = ("role", "package", "subscription", "authorisation", "status")
#: Babel locale per language: English dates as "12 November 2026" (rules.md, "Wording").
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
_YES_NO = {"nl": ("ja", "nee"), "en": ("yes", "no")}


class TemplateError(ValueError):
    """A template that cannot be parsed; ``offset`` is the character where it goes wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Placeholder:
    """``{name}``: the value of a field, shown per its kind."""

    name: str


@dataclass(frozen=True)
class Plural:
    """``{name, plural, one {…} other {…}}``: the branch for the count in ``name``."""

    name: str
    branches: tuple[tuple[str, Template], ...]  # ("=0" | "one" | "other" | …, text)

    def branch(self, count: int, lang: str) -> Template:
        exact = f"={count}"
        for key, template in self.branches:
            if key == exact:
                return template
        category = plural_category(count, lang)
        fallback = None
        for key, template in self.branches:
            if key == category:
                return template
            if key == "other":
                fallback = template
        assert fallback is not None  # the parser requires an 'other' branch
        return fallback


@dataclass(frozen=True)
class Count:
    """``#`` inside a plural choice: the count, with the language's digit grouping."""


Part = str | Placeholder | Plural | Count


@dataclass(frozen=True)
class Template:
    """A parsed template: text, placeholders and plural choices, in order."""

    parts: tuple[Part, ...]

    def names(self) -> list[str]:
        """Every field the template reads, in order of appearance."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Placeholder):
                out.append(part.name)
            elif isinstance(part, Plural):
                out.append(part.name)
                for _, branch in part.branches:
                    out.extend(branch.names())
        return out

    def plurals(self) -> list[Plural]:
        """Every plural choice, nested ones included."""
        out: list[Plural] = []
        for part in self.parts:
            if isinstance(part, Plural):
                out.append(part)
                for _, branch in part.branches:
                    out.extend(branch.plurals())
        return out


def parse_template(text: str) -> Template:
    """Parse a rule text; raises :class:`TemplateError` with the offset of the problem."""
    template, end = _parse(text, 0, inside_branch=False)
    if end != len(text):
        raise TemplateError("a '}' closes nothing here", end)
    return template


def _parse(text: str, start: int, inside_branch: bool) -> tuple[Template, int]:
    parts: list[Part] = []
    chunk: list[str] = []
    i = start
    while i < len(text):
        char = text[i]
        if char == "}":
            if inside_branch:
                break
            raise TemplateError("a '}' closes nothing here", i)
        if char == "{" or (char == "#" and inside_branch):
            if chunk:
                parts.append("".join(chunk))
                chunk = []
            if char == "#":
                parts.append(Count())
                i += 1
                continue
            part, i = _placeholder(text, i)
            parts.append(part)
            continue
        chunk.append(char)
        i += 1
    if chunk:
        parts.append("".join(chunk))
    return Template(tuple(parts)), i


def _placeholder(text: str, start: int) -> tuple[Part, int]:
    close = text.find("}", start)
    comma = text.find(",", start)
    if close == -1:
        raise TemplateError("a '{' is never closed", start)
    if comma == -1 or close < comma:  # {name}
        name = text[start + 1 : close].strip()
        _check_name(name, start)
        return Placeholder(name), close + 1
    name = text[start + 1 : comma].strip()
    _check_name(name, start)
    kind_end = text.find(",", comma + 1)
    if kind_end == -1 or text[comma + 1 : kind_end].strip() != "plural":
        raise TemplateError(f"only '{{{name}, plural, …}}' choices are known", start)
    i = kind_end + 1
    branches: list[tuple[str, Template]] = []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text) and text[i] == "}":
            break
        key_start = i
        while i < len(text) and not text[i].isspace() and text[i] != "{":
            i += 1
        key = text[key_start:i]
        while i < len(text) and text[i].isspace():
            i += 1
        if not key or i >= len(text) or text[i] != "{":
            raise TemplateError("a plural choice is 'category {text}' (one, other, =0, …)", key_start)
        if key.startswith("="):
            if not (key[1:].isascii() and key[1:].isdigit()):
                raise TemplateError(f"{key!r}: an exact choice is '=' and a whole number", key_start)
        elif key not in ("zero", "one", "two", "few", "many", "other"):
            raise TemplateError(f"{key!r} is not a plural category (zero, one, two, few, many, other, =N)", key_start)
        if any(existing == key for existing, _ in branches):
            raise TemplateError(f"the choice {key!r} is given twice", key_start)
        branch, i = _parse(text, i + 1, inside_branch=True)
        if i >= len(text):
            raise TemplateError(f"the choice {key!r} is never closed", key_start)
        branches.append((key, branch))
        i += 1  # past the branch's '}'
    if not any(key == "other" for key, _ in branches):
        raise TemplateError(f"the plural of {name!r} needs an 'other' choice", start)
    return Plural(name, tuple(branches)), i + 1


def _check_name(name: str, offset: int) -> None:
    plain = name.replace("_", "").replace(".", "")
    if not name or not plain.isalnum() or not plain.isascii() or name != name.lower():
        raise TemplateError(f"{name!r} is not a field name (lower case, digits, '_', one '.')", offset)


# -- showing values ----------------------------------------------------------------------------


class DisplayNames:
    """Names for people of the contract's codes, per kind and language (rules/display-names.yaml)."""

    def __init__(self, names: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
        self._names = names

    def name(self, kind: str, code: str, lang: str) -> str:
        """The name of ``code`` in ``lang``; an unknown code is shown as given."""
        entry = self._names.get(kind, {}).get(code)
        return entry[lang] if entry else code

    def table(self, kind: str, lang: str) -> dict[str, str]:
        """Every named code of ``kind`` and its name in ``lang`` (a code not in it is shown as given)."""
        return {code: entry[lang] for code, entry in self._names.get(kind, {}).items() if entry}

    def kinds(self) -> dict[str, dict[str, dict[str, str]]]:
        return {kind: {code: dict(names) for code, names in codes.items()} for kind, codes in self._names.items()}


def format_value(value: Any, kind: str, lang: str, names: DisplayNames) -> str:
    """A value as the reader sees it."""
    if value is None:
        return "?"
    if isinstance(value, bool):
        return _YES_NO[lang][0 if value else 1]
    if kind in CODE_KINDS and isinstance(value, str):
        return names.name(kind, value, lang)
    if kind == "date" and isinstance(value, str):
        return format_date(value, lang)
    if kind == "moment" and isinstance(value, str):
        return format_moment(value, lang)
    if isinstance(value, int):
        return format_number(value, lang)
    return str(value)


def value_formatter(kind: str, lang: str, names: DisplayNames) -> Callable[[Any], str]:
    """:func:`format_value` with the kind, language and names fixed: the same text, with the
    common case of each kind (a text, a number, a code, …) taken first, for the compiled engine."""
    def general(value: Any) -> str:
        return format_value(value, kind, lang, names)

    if kind in CODE_KINDS:
        shown = names.table(kind, lang)

        def code(value: Any) -> str:
            return shown.get(value, value) if value.__class__ is str else general(value)
        return code
    if kind in ("date", "moment"):
        dated = format_date if kind == "date" else format_moment

        def date(value: Any) -> str:
            return dated(value, lang) if value.__class__ is str else general(value)
        return date
    if kind == "yes_no":
        yes, no = _YES_NO[lang]

        def yes_no(value: Any) -> str:
            return yes if value is True else no if value is False else general(value)
        return yes_no

    def other(value: Any) -> str:  # text, number: a str is itself, an int grouped
        if value.__class__ is str:
            return str(value)
        if value.__class__ is int:
            return format_number(value, lang)
        return general(value)
    return other


def render(
    template: Template,
    lang: str,
    lookup: Callable[[str], Any],
    show: Callable[[str, Any], str],
    count: int = 0,
) -> str:
    """Fill ``template`` in: ``lookup(name)`` gives a field's value, ``show(name, value)`` its text."""
    out: list[str] = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Placeholder):
            out.append(show(part.name, lookup(part.name)))
        elif isinstance(part, Count):
            out.append(format_number(count, lang))
        else:
            value = lookup(part.name)
            number = value if isinstance(value, int) and not isinstance(value, bool) else 0
            out.append(render(part.branch(number, lang), lang, lookup, show, number))
    return "".join(out)


@cache
def plural_category(count: int, lang: str) -> str:
    """CLDR's plural category of ``count`` in ``lang`` ('one', 'other', …)."""
    return str(_locale(lang).plural_form(count))


def plural_categories(lang: str) -> frozenset[str]:
    """The categories ``lang`` distinguishes (nl and en: one, other)."""
    return frozenset(_locale(lang).plural_form.tags) | {"other"}


def format_number(value: int, lang: str) -> str:
    """A whole number with the language's digit grouping (CLDR): 1.234 (nl), 1,234 (en).

    Grouped here, not by Babel's ``format_decimal``: that one goes through ``decimal`` and fails
    on the very large integers a snapshot may hold.
    """
    if -1000 < value < 1000:
        return str(value)
    digits = str(abs(value))
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ("-" if value < 0 else "") + _group_symbol(lang).join(groups)


@cache
def _group_symbol(lang: str) -> str:
    symbols = _locale(lang).number_symbols
    latin = symbols.get("latn", symbols)  # Babel 2.14+ keys the symbols by numbering system
    return str(latin.get("group", ","))


def format_percent(fraction: float, lang: str) -> str:
    """A share as a percentage with one decimal: 21,1 % (nl), 21.1% (en)."""
    from babel.numbers import format_percent as babel_percent

    return str(babel_percent(fraction, format="#,##0.0\u00a0%" if lang == "nl" else "#,##0.0%", locale=LOCALES[lang]))


@lru_cache(maxsize=256)
def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 date-time (already validated) as an aware datetime; a leap second reads as :59.

    Cached (a datetime is immutable): one snapshot's transfer code is read up to four times —
    for its age, its expiry and the texts that show them.
    """
    if len(text) > 19 and text[17:19] == "60":
        text = text[:17] + "59" + text[19:]
    return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T", 1))


def format_date(text: str, lang: str) -> str:
    """The calendar date of a timestamp, in its own offset, in words: 12 november 2026."""
    _check_long_date(lang)
    return _date_in_words(parse_timestamp(text), lang)


def format_moment(text: str, lang: str) -> str:
    """Date and time of a timestamp, in its own offset: 27 november 2026 om 09:30."""
    moment = parse_timestamp(text)
    return f"{_date_in_words(moment, lang)} {'om' if lang == 'nl' else 'at'} {moment.hour:02d}:{moment.minute:02d}"


def _date_in_words(moment: datetime, lang: str) -> str:
    """CLDR's 'd MMMM y': the day, the month's name, the year, e.g. 12 november 2026.

    Written here rather than by Babel's formatter (about 50 µs a date: most of a finding's
    cost); the names are CLDR's, through Babel, and a test compares the two.
    """
    return f"{moment.day} {_month_names(lang)[moment.month]} {moment.year}"


@cache
def _month_names(lang: str) -> tuple[str, ...]:
    """CLDR's month names in ``lang`` (index 1–12), as a date in words uses them."""
    months = _locale(lang).months["format"]["wide"]
    return ("", *(str(months[m]) for m in range(1, 13)))


@cache
def _check_long_date(lang: str) -> None:
    """A date is shown in CLDR's long form, which for nl and en_GB is 'd MMMM y'; a language
    with another long form fails here rather than being shown wrongly."""
    from babel.dates import get_date_format

    pattern = get_date_format("long", locale=_locale(lang)).pattern
    if pattern != "d MMMM y":
        raise NotImplementedError(f"the long date form of {lang} is {pattern!r}, not 'd MMMM y'")


def format_list(items: list[str], lang: str) -> str:
    """'a, b en c' (nl), 'a, b and c' (en)."""
    if len(items) <= 1:
        return "".join(items)
    from babel.lists import format_list as babel_list

    return str(babel_list(items, locale=LOCALES[lang]))


@cache
def _locale(lang: str) -> Any:
    from babel import Locale

    return Locale.parse(LOCALES[lang])

"""Texts for people: templates, plurals (CLDR), numbers, dates, display names."""

from __future__ import annotations

import pytest

from preflight.wording import (
    DisplayNames,
    TemplateError,
    format_date,
    format_list,
    format_moment,
    format_number,
    format_percent,
    format_value,
    parse_template,
    render,
    value_formatter,
)

DOCS = "In {code} {n, plural, =0 {wacht niets} one {wacht # document} other {wachten # documenten}}."


def fill(template: str, lang: str = "nl", **values) -> str:
    return render(parse_template(template), lang, values.get, lambda name, value: str(value))


@pytest.mark.parametrize(("n", "text"), [
    (0, "In 1001 wacht niets."),
    (1, "In 1001 wacht 1 document."),
    (2, "In 1001 wachten 2 documenten."),
    (1234, "In 1001 wachten 1.234 documenten."),
])
def test_plural_choices_follow_the_count(n, text):
    """Real singular and plural forms, never 'document(en)'; '#' is the count, grouped."""
    assert fill(DOCS, code="1001", n=n) == text


def test_a_placeholder_inside_a_choice_and_a_hash_in_a_value():
    """Choices may hold placeholders; a '#' inside a value stays a '#'."""
    assert fill("{n, plural, one {# bij {name}} other {# bij {name}}}", n=1, name="Kamer #3") == "1 bij Kamer #3"


@pytest.mark.parametrize(("text", "message"), [
    ("{x", "a '{' is never closed"),
    ("x}", "a '}' closes nothing here"),
    ("{n, plural, one {a}}", "needs an 'other' choice"),
    ("{n, select, a {b}}", "only '{n, plural, …}' choices are known"),
    ("{Name}", "is not a field name"),
    ("{n, plural, several {a} other {b}}", "is not a plural category"),
    ("{n, plural, one {a} one {b} other {c}}", "is given twice"),
])
def test_broken_templates_say_what_and_where(text, message):
    """A template error names the problem and its offset."""
    with pytest.raises(TemplateError) as caught:
        parse_template(text)
    assert message in str(caught.value)
    assert 0 <= caught.value.offset < len(text)


def test_numbers_are_grouped_per_language_even_when_huge():
    """1.234 in Dutch, 1,234 in English; integers of any size never fail."""
    assert (format_number(1234, "nl"), format_number(1234, "en")) == ("1.234", "1,234")
    assert format_number(-1234567, "nl") == "-1.234.567"
    assert format_number(10**40, "en").count(",") == 13
    assert format_number(999, "nl") == "999"


def test_dates_in_words_in_their_own_offset():
    """The calendar day where the timestamp was written, not in UTC."""
    assert format_date("2026-11-12T23:30:00-05:00", "nl") == "12 november 2026"
    assert format_date("2026-11-12T09:30:00+01:00", "en") == "12 November 2026"
    assert format_moment("2026-11-27T09:30:00+01:00", "nl") == "27 november 2026 om 09:30"
    assert format_moment("2026-12-31T23:59:60Z", "en") == "31 December 2026 at 23:59"  # a leap second


def test_percentages_and_lists_per_language():
    """21,1 % and 'a, b en c' in Dutch; 21.1% and 'a, b and c' in English."""
    assert format_percent(0.2111, "nl") == "21,1\u00a0%"
    assert format_percent(0.2111, "en") == "21.1%"
    assert format_list(["a", "b", "c"], "nl") == "a, b en c"
    assert format_list(["a", "b"], "en") == "a and b"


def test_codes_are_shown_by_their_display_name_and_unknown_ones_as_given():
    """restricted_client → Beperkte klantgebruiker; an unknown package code as given."""
    names = DisplayNames({"role": {"restricted_client": {"nl": "Beperkte klantgebruiker", "en": "restricted client user"}}})
    assert format_value("restricted_client", "role", "nl", names) == "Beperkte klantgebruiker"
    assert format_value("mijn_pakket", "package", "en", names) == "mijn_pakket"
    assert format_value(True, "yes_no", "nl", names) == "ja"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_dates_in_words_are_what_babel_writes(lang):
    """The fast date and moment texts equal Babel's (CLDR) on every month, odd days, years and offsets."""
    from babel.dates import format_date as babel_date
    from babel.dates import format_datetime

    from preflight.wording import LOCALES, parse_timestamp

    word = "om" if lang == "nl" else "at"
    for text in [f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:07{offset}"
                 for year in (1, 999, 2026, 9999) for month in range(1, 13) for day in (1, 9, 28)
                 for hour, minute, offset in ((0, 0, "Z"), (23, 59, "+14:00"), (9, 5, "-05:30"))]:
        moment = parse_timestamp(text)
        assert format_date(text, lang) == babel_date(moment.date(), "long", locale=LOCALES[lang])
        assert format_moment(text, lang) == format_datetime(moment, f"d MMMM y '{word}' HH:mm", locale=LOCALES[lang])


def test_a_value_formatter_says_what_format_value_says():
    """value_formatter(kind) gives format_value's text for every kind and every type of value."""
    names = DisplayNames({"role": {"superuser": {"nl": "Supergebruiker", "en": "superuser"}},
                          "package": {"xero": {"nl": "Xero", "en": "Xero"}}})
    values = [None, True, False, 0, 7, 1234, -5000, 10**30, "superuser", "xero", "onbekend", "",
              "2026-11-12T09:30:00+01:00"]
    from preflight.wording import VALUE_KINDS

    for kind in VALUE_KINDS:
        for lang in ("nl", "en"):
            show = value_formatter(kind, lang, names)
            for value in values:
                if kind in ("date", "moment") and isinstance(value, str) and not value.startswith("2026"):
                    continue  # a date field only ever holds a timestamp
                assert show(value) == format_value(value, kind, lang, names), (kind, lang, value)

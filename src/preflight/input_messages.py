"""Every text a user reads about their snapshot *input*, Dutch and English side by side.

Parse errors, contract violations, hints on common hand-writing mistakes and unknown-field
notices are all worded here, from a key and values, so that the two languages stay in step
(a test checks that every key has both). The modules that find problems
(:mod:`snapshot_loader`, :mod:`snapshot_validator`, :mod:`snapshot_notices`) only pick keys.
"""

from __future__ import annotations

import difflib
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT_LANG = "nl"
#: Longest piece of a user's text quoted back in a message.
SHOWN_CHARS = 40

MESSAGES: dict[str, dict[str, str]] = {
    # -- reading the document (snapshot_loader) ------------------------------------------------
    "too_large": {
        "nl": "de snapshot is {size}; hoogstens {max} wordt gelezen",
        "en": "the snapshot is {size}; at most {max} is accepted",
    },
    "too_large_over": {
        "nl": "de snapshot is groter dan {max}, het meeste dat wordt gelezen",
        "en": "the snapshot is larger than {max}, the most that is accepted",
    },
    "not_utf8": {
        "nl": "geen UTF-8: byte 0x{byte} is niet te lezen; sla het bestand op als UTF-8",
        "en": "not UTF-8: byte 0x{byte} cannot be decoded; save the file as UTF-8",
    },
    "lone_surrogate": {
        "nl": "tekst met een losse helft van een UTF-16-paar ({code}); dat is geen teken: schrijf het teken"
              " zelf of beide helften",
        "en": "text with a lone half of a UTF-16 pair ({code}), which is not a character: write the character"
              " itself or both halves",
    },
    "empty": {"nl": "de snapshot is leeg", "en": "the snapshot is empty"},
    "invalid_json": {"nl": "ongeldige JSON: {what}", "en": "invalid JSON: {what}"},
    "invalid_yaml": {"nl": "ongeldige YAML: {what}", "en": "invalid YAML: {what}"},
    "parser_says": {"nl": "de lezer meldt '{text}'", "en": "{text}"},
    "too_deep": {
        "nl": "dieper genest dan {max} niveaus",
        "en": "nested deeper than {max} levels",
    },
    "too_many_values": {
        "nl": "de snapshot bevat meer dan {max} waarden",
        "en": "the snapshot holds more than {max} values",
    },
    "too_many_yaml_values": {
        "nl": "de YAML-snapshot bevat meer dan {max} waarden; stuur een snapshot van deze omvang als JSON",
        "en": "the YAML snapshot holds more than {max} values; send a snapshot this large as JSON",
    },
    "too_many_aliases": {
        "nl": "meer dan {max} YAML-aliassen (*naam)",
        "en": "more than {max} YAML aliases (*name)",
    },
    "alias_expansion": {
        "nl": "de YAML-aliassen (*naam) staan samen voor meer dan {max} waarden; schrijf de gegevens voluit",
        "en": "the YAML aliases (*name) stand for more than {max} values together; write the data out",
    },
    "unknown_alias": {
        "nl": "alias *{name} verwijst naar geen anker &{name} dat ervoor staat",
        "en": "alias *{name} refers to no anchor &{name} before it",
    },
    "merge_key": {
        "nl": "de YAML-samenvoegsleutel << wordt niet ondersteund: schrijf de velden voluit",
        "en": "the YAML merge key << is not supported: write the fields out in full",
    },
    "tag": {
        "nl": "het YAML-label {tag} is niet toegestaan: een snapshot bevat alleen tekst, getallen, true/false,"
              " null, lijsten en objecten",
        "en": "the YAML tag {tag} is not allowed: a snapshot holds only text, numbers, true/false, null, lists"
              " and objects",
    },
    "duplicate_key": {
        "nl": "sleutel {key} komt twee keer voor in hetzelfde object",
        "en": "duplicate key {key} in one object",
    },
    "not_finite": {
        "nl": "NaN en oneindig zijn hier geen getallen",
        "en": "NaN and infinity are not numbers here",
    },
    "number_too_long": {
        "nl": "een getal van meer dan {max} cijfers",
        "en": "a number of more than {max} digits",
    },
    "key_not_text": {
        "nl": "sleutel {key} is geen tekst; zet hem tussen aanhalingstekens",
        "en": "key {key} is not text; put it in quotes",
    },
    "key_read_as_boolean": {
        "nl": "sleutel {key} leest YAML als true of false; zet hem tussen aanhalingstekens",
        "en": "YAML reads key {key} as true or false; put it in quotes",
    },
    "several_documents": {
        "nl": "meer dan één YAML-document (---); een snapshot is één document",
        "en": "more than one YAML document (---); a snapshot is one document",
    },
    # -- the contract (snapshot_validator) ------------------------------------------------------
    "required": {"nl": "verplicht veld '{name}' ontbreekt", "en": "required field '{name}' is missing"},
    "type": {"nl": "verwacht: {expected}; gevonden: {found}", "en": "expected {expected}, found {found}"},
    "const": {"nl": "moet {expected} zijn; gevonden: {found}", "en": "must be {expected}, found {found}"},
    "enum": {
        "nl": "{found} is geen toegestane waarde; toegestaan: {allowed}",
        "en": "{found} is not one of the allowed values: {allowed}",
    },
    "minimum": {
        "nl": "{found} is kleiner dan het minimum {limit}",
        "en": "{found} is less than the minimum of {limit}",
    },
    "maximum": {
        "nl": "{found} is groter dan het maximum {limit}",
        "en": "{found} is greater than the maximum of {limit}",
    },
    "empty_text": {"nl": "lege tekst is niet toegestaan", "en": "empty text is not allowed"},
    "minLength": {
        "nl": "tekst van {length} tekens is korter dan het minimum van {limit} tekens",
        "en": "text of {length} characters is shorter than the minimum of {limit}",
    },
    "maxLength": {
        "nl": "tekst van {length} tekens is langer dan het maximum van {limit} tekens",
        "en": "text of {length} characters is longer than the maximum of {limit}",
    },
    "empty_list": {
        "nl": "de lijst is leeg; er is minstens één element nodig",
        "en": "the list is empty; at least one item is needed",
    },
    "minItems": {
        "nl": "een lijst van {count} elementen is korter dan het minimum van {limit}",
        "en": "a list of {count} items is shorter than the minimum of {limit}",
    },
    "maxItems": {
        "nl": "een lijst van {count} elementen is langer dan het maximum van {limit}",
        "en": "a list of {count} items is longer than the maximum of {limit}",
    },
    "pattern": {
        "nl": "{found} past niet bij het patroon {pattern}",
        "en": "{found} does not match the pattern {pattern}",
    },
    "other_violation": {
        "nl": "voldoet niet aan het contract ({keyword}): {message}",
        "en": "{message} ({keyword})",
    },
    "date_time_form": {
        "nl": "{found} is geen RFC 3339-datum-tijd met tijdzone, zoals 2026-11-27T09:30:00+01:00",
        "en": "{found} is not an RFC 3339 date-time with an offset, such as 2026-11-27T09:30:00+01:00",
    },
    "date_time_no_offset": {
        "nl": "{found} mist de tijdzone",
        "en": "{found} has no offset",
    },
    "date_time_date_only": {
        "nl": "{found} is alleen een datum; er hoort een tijd met tijdzone bij",
        "en": "{found} is a date only; a time with an offset belongs to it",
    },
    "date_time_impossible": {
        "nl": "{found} bestaat niet (geen geldige datum, tijd of tijdzone)",
        "en": "{found} does not exist (no valid date, time or offset)",
    },
    "date_time_leap_second": {
        "nl": "{found}: een schrikkelseconde (:60) valt alleen op 23:59:60 UTC",
        "en": "{found}: a leap second (:60) falls only at 23:59:60 UTC",
    },
    "duplicate_code": {
        "nl": "administratiecode {code} komt dubbel voor (ook op {other})",
        "en": "duplicate administration code {code} (also at {other})",
    },
    "too_many_users": {
        "nl": "de administraties hebben samen {count} gebruikers; hoogstens {max}",
        "en": "the administrations have {count} users together; at most {max}",
    },
    "more_problems": {
        "nl": "en meer problemen; alleen de eerste {shown} staan hier",
        "en": "and more problems; only the first {shown} are listed",
    },
    # -- hints, appended to a violation after "; " ----------------------------------------------
    "hint_code_quotes": {
        "nl": 'codes zijn tekst: zet ze tussen aanhalingstekens, zoals "5001"; zonder aanhalingstekens leest'
              " YAML 0012 als een getal en gaat de code verloren",
        "en": 'codes are text: put them in quotes, like "5001"; without quotes YAML reads 0012 as a number'
              " and the code is lost",
    },
    "hint_text_quotes": {
        "nl": "zet de tekst tussen aanhalingstekens",
        "en": "put the text in quotes",
    },
    "hint_boolean_quotes": {
        "nl": "YAML leest yes, no, on en off als true of false: zet de tekst tussen aanhalingstekens",
        "en": "YAML reads yes, no, on and off as true or false: put the text in quotes",
    },
    "hint_offset": {
        "nl": "voeg de tijdzone toe, zoals {example} (Nederlandse wintertijd) of Z voor UTC",
        "en": "add the offset, such as {example} (Dutch winter time) or Z for UTC",
    },
    "hint_time_and_offset": {
        "nl": "voeg tijd en tijdzone toe, zoals {example}",
        "en": "add the time and the offset, such as {example}",
    },
    "hint_closest": {"nl": "bedoel je '{name}'?", "en": "did you mean '{name}'?"},
    "hint_transfer_code_sent_at": {
        "nl": "nodig bij status code_sent en accepted: wanneer is de overdrachtscode verstuurd?",
        "en": "needed when the status is code_sent or accepted: when was the transfer code sent?",
    },
    "hint_snapshot_version": {
        "nl": "dit programma leest snapshotversie 1",
        "en": "this program reads snapshot version 1",
    },
    "hint_not_negative": {"nl": "een aantal is nooit negatief", "en": "a count is never negative"},
    # -- notices (snapshot_notices) ------------------------------------------------------------
    "unknown_field": {
        "nl": "onbekend veld '{name}' wordt genegeerd",
        "en": "unknown field '{name}' is ignored",
    },
    "unknown_field_elsewhere": {
        "nl": "ook op {count} andere plaats(en)",
        "en": "also in {count} other place(s)",
    },
    "more_notices": {
        "nl": "en meer onbekende velden; alleen de eerste {shown} staan hier",
        "en": "and more unknown fields; only the first {shown} are listed",
    },
}

#: How a value of each JSON Schema type is named in "expected ..." (joined with "or").
TYPE_NAMES: dict[str, dict[str, str]] = {
    "string": {"nl": "tekst", "en": "text"},
    "integer": {"nl": "een geheel getal", "en": "a whole number"},
    "number": {"nl": "een getal", "en": "a number"},
    "boolean": {"nl": "true of false", "en": "true or false"},
    "object": {"nl": "een object (velden)", "en": "an object (fields)"},
    "array": {"nl": "een lijst", "en": "a list"},
    "null": {"nl": "null", "en": "null"},
}
_OR = {"nl": " of ", "en": " or "}

#: How a user's value is named in "found ...".
FOUND: dict[str, dict[str, str]] = {
    "text": {"nl": "de tekst {value}", "en": "the text {value}"},
    "number": {"nl": "het getal {value}", "en": "the number {value}"},
    "list": {"nl": "een lijst van {count} elementen", "en": "a list of {count} items"},
    "object": {"nl": "een object", "en": "an object"},
}

#: Parser messages worded for people. English keeps the parser's own text (it is English);
#: an unknown message falls back to the parser's text inside a sentence ("parser_says").
PARSER_TEXTS: dict[str, dict[str, str]] = {
    # json (Python's decoder)
    "Expecting value": {
        "nl": "hier hoort een waarde (tekst tussen dubbele aanhalingstekens, een getal, true, false, null, [ of {)",
    },
    "Expecting property name enclosed in double quotes": {
        "nl": "hier hoort een veldnaam tussen dubbele aanhalingstekens (staat er een komma te veel?)",
    },
    "Expecting ':' delimiter": {"nl": "hier hoort een dubbele punt (:) na de veldnaam"},
    "Expecting ',' delimiter": {"nl": "hier hoort een komma (,) tussen twee waarden"},
    "Unterminated string starting at": {"nl": "tekst zonder sluitend aanhalingsteken"},
    "Invalid control character at": {
        "nl": "een stuurteken (zoals een regeleinde of tab) in tekst; schrijf \\n of \\t",
    },
    "Invalid \\escape": {"nl": "ongeldige escape met \\ in tekst"},
    "Invalid \\uXXXX escape": {"nl": "ongeldige \\uXXXX-escape in tekst"},
    "Extra data": {"nl": "na het einde van het document staat nog iets"},
    "Illegal trailing comma before end of object": {"nl": "een komma te veel voor }"},
    "Illegal trailing comma before end of array": {"nl": "een komma te veel voor ]"},
    # yaml (libyaml)
    "mapping values are not allowed in this context": {
        "nl": "een dubbele punt (:) is hier niet toegestaan; zet tekst met ': ' tussen aanhalingstekens",
    },
    "found character that cannot start any token": {
        "nl": "hier kan niets mee beginnen (een tab om in te springen, of @ of ` aan het begin van tekst?)",
    },
    "did not find expected key": {"nl": "hier hoort een sleutel (klopt het inspringen?)"},
    "did not find expected '-' indicator": {
        "nl": "hier hoort een lijstelement met '-' (klopt het inspringen?)",
    },
    "did not find expected ',' or ']'": {"nl": "een komma of ] ontbreekt"},
    "did not find expected ',' or '}'": {"nl": "een komma of } ontbreekt"},
    "found unexpected end of stream": {
        "nl": "het document houdt onverwacht op (ontbreekt een sluitend aanhalingsteken?)",
    },
    "found unknown escape character": {"nl": "onbekende escape met \\ in tekst tussen dubbele aanhalingstekens"},
    "found invalid Unicode character escape code": {
        "nl": "ongeldige Unicode-escape; \\ud800 tot en met \\udfff zijn helften van een UTF-16-paar, geen tekens",
        "en": "found invalid Unicode character escape code (\\ud800 to \\udfff are halves of a UTF-16 pair,"
              " not characters)",
    },
    "found a tab character that violates indentation": {
        "nl": "een tab verstoort het inspringen; spring in met spaties",
    },
    "could not find expected ':'": {"nl": "een dubbele punt (:) ontbreekt"},
    "did not find expected <document start>": {"nl": "na het einde van het document staat nog iets"},
    "did not find expected node content": {"nl": "hier hoort een waarde"},
    "block sequence entries are not allowed in this context": {
        "nl": "een lijstelement (-) is hier niet toegestaan",
    },
    "found unknown directive name": {"nl": "onbekende %-aanwijzing"},
    "control characters are not allowed": {"nl": "stuurtekens zijn niet toegestaan"},
}

#: Terms people write instead of the contract's values (the Dutch names the FAQ uses).
SYNONYMS: dict[str, str] = {
    "supergebruiker": "superuser",
    "boekhouder": "bookkeeper",
    "boekhouder_mkb": "bookkeeper",
    "autorisatiebeheerder": "authorisation_manager",
    "autorisator": "authoriser",
    "klantgebruiker": "client",
    "klant": "client",
    "beperkte_klantgebruiker": "restricted_client",
    "geen": "none",
    "optioneel": "optional",
    "verplicht": "required",
    "concept": "draft",
    "verstuurd": "code_sent",
    "geaccepteerd": "accepted",
    "akkoord": "accepted",
    "voltooid": "completed",
    "teruggetrokken": "withdrawn",
    "proef": "trial",
    "geen_abonnement": "none",
    # field names
    "naam": "name",
    "gebruikers": "users",
    "rol": "role",
    "administraties": "administrations",
    "administratiecode": "code",
    "nieuwe_code": "new_code",
    "autorisatoren": "authorisers",
    "abonnement": "subscription",
}


def check_lang(lang: str) -> str:
    """``lang`` when it is a known language; ValueError otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def say(name: str, lang: str, /, **params: Any) -> str:
    """The message ``name`` in ``lang`` with ``params`` filled in."""
    return MESSAGES[name][check_lang(lang)].format(**params)


def with_hints(message: str, hints: list[str]) -> str:
    """A message followed by its hints, each after "; "."""
    return "; ".join([message, *hints])


def byte_size(value: int, lang: str) -> str:
    """A size for people: '6,0 MB (6.000.000 bytes)' / '6.0 MB (6,000,000 bytes)' (1 MB = 10^6 bytes)."""
    megabytes = f"{value / 1_000_000:.1f}"
    if check_lang(lang) == "nl":
        megabytes = megabytes.replace(".", ",")
    return f"{megabytes} MB ({number(value, lang)} bytes)"


def number(value: int, lang: str) -> str:
    """A count or a limit written the way the language groups thousands: 10.000 / 10,000."""
    text = f"{value:,}"
    return text.replace(",", ".") if check_lang(lang) == "nl" else text


def show(value: Any) -> str:
    """A user's value quoted back briefly: text in quotes (shortened), numbers, true/false/null."""
    if isinstance(value, str):
        shortened = value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"
        return repr(shortened)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return f"[… {len(value)}]"
    return "{…}"


def found(value: Any, lang: str) -> str:
    """A user's value named with its kind: "the text 'x'", "the number 5", "a list of 3 items"."""
    if isinstance(value, str):
        return FOUND["text"][check_lang(lang)].format(value=show(value))
    if isinstance(value, bool) or value is None:
        return show(value)
    if isinstance(value, (int, float)):
        return FOUND["number"][check_lang(lang)].format(value=show(value))
    if isinstance(value, list):
        return FOUND["list"][check_lang(lang)].format(count=number(len(value), lang))
    return FOUND["object"][check_lang(lang)]


def type_names(types: str | list[str], lang: str) -> str:
    """"text or null", "tekst of null"."""
    names = [types] if isinstance(types, str) else list(types)
    return _OR[check_lang(lang)].join(TYPE_NAMES[t][lang] if t in TYPE_NAMES else t for t in names)


def parser_text(text: str, lang: str) -> str:
    """A JSON or YAML parser's message in ``lang``: from the table, else the parser's own words."""
    entry = PARSER_TEXTS.get(text)
    if entry and check_lang(lang) in entry:
        return entry[lang]
    return say("parser_says", lang, text=text)


def closest(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The candidate ``word`` was most likely meant to be (spelling, case, separators, Dutch terms)."""
    folded = word.strip().lower().replace("-", "_").replace(" ", "_")
    by_fold = {c.lower().replace("-", "_"): c for c in candidates}
    if folded in by_fold:
        return by_fold[folded]
    if SYNONYMS.get(folded) in candidates:
        return SYNONYMS[folded]
    squashed = {c.lower().replace("_", ""): c for c in candidates}
    if folded.replace("_", "") in squashed:
        return squashed[folded.replace("_", "")]
    matches = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.75)
    return by_fold[matches[0]] if matches else None

"""The interface's own words: both languages say the same things."""

from __future__ import annotations

import string

from preflight.ui_text import REPORT


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    """No label missing in one language; every placeholder in both."""
    assert set(REPORT["nl"]) == set(REPORT["en"])
    for key in REPORT["nl"]:
        assert _fields(REPORT["nl"][key]) == _fields(REPORT["en"][key]), key
        assert REPORT["nl"][key].strip() and REPORT["en"][key].strip(), key


def test_page_and_field_texts_have_both_languages():
    """The page's own words, the fields' names and the audit's words: same keys and placeholders
    in nl and en."""
    from preflight.ui_text import AUDIT, FIELDS, PAGE

    for catalogue in (PAGE, FIELDS, AUDIT):
        assert set(catalogue["nl"]) == set(catalogue["en"])
        for key in catalogue["nl"]:
            assert _fields(catalogue["nl"][key]) == _fields(catalogue["en"][key]), key
            assert catalogue["nl"][key].strip() and catalogue["en"][key].strip(), key


def test_every_evidence_field_of_every_rule_has_a_name_for_people():
    """No rule's evidence is shown in snake_case: each key has a label in both languages."""
    from preflight.rulebook import default_rulebook
    from preflight.ui_text import FIELDS

    keys = {key for rule in default_rulebook().rules for key in rule.evidence}
    assert keys
    for lang in ("nl", "en"):
        missing = sorted(k for k in keys if k not in FIELDS[lang] and k.rsplit(".", 1)[-1] not in FIELDS[lang])
        assert not missing, f"{lang}: {missing}"


def test_unlisted_fields_are_shown_as_words():
    """A field without a label still reads as words, never snake_case."""
    from preflight.ui_text import field_label

    assert field_label("pending_authorisation", "en") == "Documents awaiting authorisation"
    assert field_label("target_office.accounting_link", "nl") == "Boekhoudpakket van het nieuwe kantoor"
    assert field_label("some_new_field", "nl") == "Some new field"


def test_unreadable_text_is_not_called_a_contract_violation():
    """The verdict line of text that could not be read differs from a contract violation's."""
    from preflight.ui_text import verdict_label

    for lang in ("nl", "en"):
        invalid = verdict_label("invalid", None, lang)
        assert verdict_label("invalid", None, lang, "syntax") != invalid
        assert verdict_label("invalid", None, lang, "encoding") == verdict_label("invalid", None, lang, "syntax")
        assert verdict_label("invalid", None, lang, "too_large") not in (invalid, verdict_label("invalid", None, lang, "syntax"))

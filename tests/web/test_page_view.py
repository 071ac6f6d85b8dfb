"""The page's additions to the report view: errors named by what they are about, download names."""

from __future__ import annotations

import pytest

from preflight.pipeline import check
from preflight.snapshot_locations import locate
from preflight.web.page_view import MAX_LOCATED_CHARS, download_name, error_subject, page_report

from .conftest import EXAMPLES

SNAPSHOT = """\
administrations:
  - code: "1001"
  - code: "1003"
    name: Garage Smit B.V.
    users:
      - email: jan@smit.nl
migration:
  administrations:
    - code: "2099"
source_office:
  users:
    - email: k@devries.nl
"""


@pytest.mark.parametrize(
    ("path", "lang", "subject"),
    [
        ("/administrations/1/pending_authorisation", "nl", "Administratie 1003 (Garage Smit B.V.)"),
        ("/administrations/1", "en", "Administration 1003 (Garage Smit B.V.)"),
        ("/administrations/0/name", "nl", "Administratie 1001"),
        ("/administrations/1/users/0/role", "nl", "Administratie 1003 (Garage Smit B.V.), gebruiker jan@smit.nl"),
        ("/migration/administrations/0/new_code", "nl", "Migratieopdracht, administratie 2099"),
        ("/migration/status", "nl", "Migratie"),
        ("/source_office/users/0/role", "en", "Current office, user k@devries.nl"),
        ("/target_office/subscription", "nl", "Nieuw kantoor"),
        ("/administrations/7/code", "nl", None),
        ("/snapshot_version", "nl", None),
        ("", "nl", None),
    ],
)
def test_errors_are_named_by_what_they_are_about(path: str, lang: str, subject: str | None) -> None:
    """An error's path names the administration (code and name), the user, the office or the migration."""
    from preflight.web.page_view import _naming_pointers

    located = locate(SNAPSHOT, [path, *_naming_pointers(path)])
    assert error_subject(path, located, lang) == subject


def test_download_name_has_the_offices_and_the_date() -> None:
    """preflight-ADV01-BJK01-2026-11-27.json; an audit names one office; invalid says so."""
    blocked = check((EXAMPLES / "blocked.yaml").read_bytes())
    assert download_name(blocked) == "preflight-ADV01-BJK01-2026-11-27.json"
    audit = check((EXAMPLES / "audit-office.json").read_bytes())
    assert download_name(audit).startswith("preflight-") and download_name(audit).count("-") == 4
    assert download_name(check(b"{")) == "preflight-invalid.json"


def test_download_name_cannot_carry_a_path_or_quotes() -> None:
    """Office codes are made safe for a file name and a Content-Disposition header."""
    text = (EXAMPLES / "blocked.yaml").read_text(encoding="utf-8").replace("code: ADV01", 'code: "../x\\" y"')
    name = download_name(check(text))
    assert name == "preflight-x_y-BJK01-2026-11-27.json"


def test_large_texts_get_their_report_without_line_links() -> None:
    """Past MAX_LOCATED_CHARS the text is not read again for line links (the report is unchanged)."""
    text = (EXAMPLES / "blocked.yaml").read_text(encoding="utf-8")
    padded = text + "#" * MAX_LOCATED_CHARS + "\n"
    report = check(padded, max_bytes=4 * MAX_LOCATED_CHARS)
    assert report.verdict == "blocked"
    finding = report.findings[0]
    assert page_report(report, padded).lines_of(finding) == ([], 0)
    assert page_report(report, text).lines_of(finding)[0]


def test_notices_are_named_and_located_like_errors() -> None:
    """A notice about the input (an unknown field) names its administration and gets its line."""
    from dataclasses import replace

    from preflight.problems import InputProblem

    text = (EXAMPLES / "blocked.yaml").read_text(encoding="utf-8")
    report = check(text)
    notice = InputProblem("/administrations/1/payment_agrement", "unknown field; did you mean payment_agreement?")
    shown = page_report(replace(report, notices=(notice,)), text)
    (view,) = shown.notices
    assert view.subject == "Administratie 2002 (Hoveniersbedrijf Groen)"
    assert view.location is not None and text.split("\n")[view.location.line - 1].strip() == "- code: \"2002\""

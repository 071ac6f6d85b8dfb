"""``preflight snapshot-template``: a commented YAML skeleton of a snapshot, to fill in by hand.

Every ``<…>`` is a placeholder; once each is replaced (those with an example by a value like it)
the snapshot passes validation. The contract in words is docs/snapshot.md.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .input_messages import DEFAULT_LANG, LANGUAGES

TEMPLATES = {
    "en": """\
# A preflight snapshot (the contract: docs/snapshot.md). Replace every <…>, remove the optional
# parts you do not need, then: preflight check this-file.yaml
# Codes are text: keep them in quotes ("0012"), or YAML reads them as numbers.
snapshot_version: 1
# The moment this snapshot describes, with its offset: +01:00 (winter), +02:00 (summer) or Z (UTC).
taken_at: "<moment of the snapshot, e.g. 2026-11-27T09:30:00+01:00>"

source_office:                          # the sending environment (huidige kantoor)
  code: "<source office code>"          # kantoorcode
  name: "<source office name>"          # optional
  users:                                # optional: every user of the environment
    - email: "<e-mail of a user>"
      role: superuser                   # superuser, accountant, bookkeeper, authorisation_manager,
                                        # authoriser, client or restricted_client

target_office:                          # the receiving environment (nieuwe kantoor); null if none yet
  code: "<target office code>"
  subscription: premium                 # trial, premium or none
  accounting_link: "<accounting package of the target, e.g. exact_online>"   # null when not linked
  package_administrations:              # codes the accounting package offers to the target
    - "<administration code>"
  administrations: []                   # codes that already exist in the target

requester:                              # optional: who starts the migration (a superuser)
  email: "<e-mail of the requester>"
  role: superuser
receiver:                               # optional: who accepts it in the target (a superuser)
  email: "<e-mail of the receiver>"
  role: superuser

migration:                              # optional: leave it out to audit the office only
  status: draft                         # draft, code_sent, accepted, completed or withdrawn
  # transfer_code_sent_at: "2026-11-20T09:30:00+01:00"   # needed with code_sent and accepted
  administrations:                      # what this request moves (advised: at most five)
    - code: "<administration code>"
      # new_code: "<its code in the target, when it changes>"

administrations:                        # every administration of the source office
  - code: "<administration code>"       # administratiecode
    name: "<administration name>"       # optional
    accounting_system: "<accounting package, e.g. exact_online>"
    subadministration_of: null          # or the code of the administration this one copies
    submission_email: "<submission address, e.g. adv01.1001@basecone-post.nl>"   # optional
    documents_total: 0                  # optional: all documents, archive included
    pending_authorisation: 0            # documents awaiting authorisation
    authorisation:
      before_booking: none              # none, optional or required
      after_booking: none
    workflows: []                       # e.g. - {name: Inkoop, authorisers: ["a@example.nl"]}
    payment_agreement: false
    users: []                           # e.g. - {email: "k@example.nl", role: client}
""",
    "nl": """\
# Een preflight-snapshot (het contract: docs/snapshot.md). Vervang elke <…>, haal de optionele
# delen weg die je niet nodig hebt, en dan: preflight check dit-bestand.yaml
# Codes zijn tekst: zet ze tussen aanhalingstekens ("0012"), anders leest YAML ze als getal.
snapshot_version: 1
# Het moment dat deze snapshot beschrijft, met tijdzone: +01:00 (winter), +02:00 (zomer) of Z (UTC).
taken_at: "<moment van de snapshot, bijv. 2026-11-27T09:30:00+01:00>"

source_office:                          # de verzendende omgeving (huidige kantoor)
  code: "<kantoorcode van de bron>"
  name: "<naam van het huidige kantoor>"   # optioneel
  users:                                # optioneel: alle gebruikers van de omgeving
    - email: "<e-mailadres van een gebruiker>"
      role: superuser                   # superuser (Supergebruiker), accountant, bookkeeper
                                        # (Boekhouder MKB), authorisation_manager, authoriser,
                                        # client (Klantgebruiker) of restricted_client

target_office:                          # de ontvangende omgeving (nieuwe kantoor); null als die er nog niet is
  code: "<kantoorcode van het doel>"
  subscription: premium                 # trial, premium of none (abonnement)
  accounting_link: "<boekhoudpakket van het doel, bijv. exact_online>"   # null zonder koppeling
  package_administrations:              # codes die het boekhoudpakket aan het doel aanbiedt
    - "<administratiecode>"
  administrations: []                   # codes die al in het doel bestaan

requester:                              # optioneel: wie de migratie start (een Supergebruiker)
  email: "<e-mailadres van de aanvrager>"
  role: superuser
receiver:                               # optioneel: wie hem accepteert in het doel (een Supergebruiker)
  email: "<e-mailadres van de ontvanger>"
  role: superuser

migration:                              # optioneel: weglaten om alleen het kantoor door te lichten
  status: draft                         # draft, code_sent, accepted, completed of withdrawn
  # transfer_code_sent_at: "2026-11-20T09:30:00+01:00"   # nodig bij code_sent en accepted
  administrations:                      # wat deze opdracht overzet (advies: hoogstens vijf)
    - code: "<administratiecode>"
      # new_code: "<de code in het doel, als die verandert>"

administrations:                        # alle administraties van het huidige kantoor
  - code: "<administratiecode>"
    name: "<naam van de administratie>"   # optioneel
    accounting_system: "<boekhoudpakket, bijv. exact_online>"
    subadministration_of: null          # of de code van de administratie waarvan dit een kopie is
    submission_email: "<aanlever e-mailadres, bijv. adv01.1001@basecone-post.nl>"   # optioneel
    documents_total: 0                  # optioneel: alle documenten, archief inbegrepen
    pending_authorisation: 0            # documenten die nog op autorisatie wachten
    authorisation:
      before_booking: none              # none (geen), optional (optioneel) of required (verplicht)
      after_booking: none
    workflows: []                       # bijv. - {name: Inkoop, authorisers: ["a@voorbeeld.nl"]}
    payment_agreement: false            # betaalovereenkomst
    users: []                           # bijv. - {email: "k@voorbeeld.nl", role: client}
""",
}


def template(lang: str = DEFAULT_LANG) -> str:
    """The commented skeleton in ``lang``."""
    return TEMPLATES[lang]


def register_command(commands: Any) -> None:
    """Add ``snapshot-template`` to the CLI's sub-commands."""
    parser = commands.add_parser(
        "snapshot-template",
        help="print a commented YAML skeleton of a snapshot to fill in",
        description="Print a commented YAML skeleton of a snapshot. Replace every <…>, then run "
        "`preflight check` on it. The contract in words: docs/snapshot.md.",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANG, help="language of the comments (default: nl)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the template; exit status 0."""
    sys.stdout.write(template(args.lang))
    return 0

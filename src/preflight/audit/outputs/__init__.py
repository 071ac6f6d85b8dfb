"""Step 5: write an audit as text, JSON, CSV or HTML — streamed, and never as a half file.

Each format has two halves: ``fragment(detail, lang)``, which renders one office and runs in the
worker that checked it, and a :class:`~.base.Writer`, which the main process feeds the fragments
in input order and finishes with the summary. Formats that put the summary first (text, JSON,
HTML) spool the office fragments to a temporary file meanwhile, so memory stays flat.
:func:`~.base.destination` writes ``--out`` as a file without a name (on Linux; elsewhere a hidden
temporary file beside it) that is linked into place only when the audit is complete.
"""

from __future__ import annotations

from . import csv_output, html_output, json_output, movable_output, text_output
from .base import Writer, destination

FORMATS = {
    "text": text_output,
    "json": json_output,
    "csv": csv_output,
    "html": html_output,
}

#: Outputs written beside the ``--format`` one, from the same run: ``--json FILE`` (the record,
#: next week's baseline) and ``--movable FILE`` (the administrations that can move now).
EXTRA_OUTPUTS = {
    "json": json_output,
    "movable": movable_output,
}

__all__ = ["EXTRA_OUTPUTS", "FORMATS", "Writer", "destination"]

"""``preflight audit``: check every office of many snapshots, in parallel, with a summary.

The flow, one module per step:

- :mod:`.sources` expands the paths into a stream of items (one snapshot each, with where it
  came from), reading files, folders, JSON Lines and gzip lazily; a bad file is an item too;
- :mod:`.office` checks one item in a worker exactly as ``preflight check`` does (the core
  pipeline's one entry point), reduced to an :class:`~.office.OfficeOutcome` (counts, what can
  move, the changes since the baseline, and the output fragments for this office);
- :mod:`.baseline` indexes an earlier audit's JSON (``--baseline``) and compares each office with it;
- :mod:`.runner` spreads items over worker processes, each with its own engine, gives the
  outcomes back in input order and survives a worker that dies;
- :mod:`.summary` keeps the running totals;
- :mod:`.outputs` writes text, JSON, CSV or HTML (and the ``--json`` and ``--movable`` extras) into
  files that appear only when complete; the HTML page is a Jinja template in ``templates/``;
- :mod:`.cli` wires them into the ``audit`` and ``demo-data`` commands.

Nothing here holds more than a bounded window of offices in memory.
"""

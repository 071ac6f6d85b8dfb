"""``preflight audit``: check every office of many snapshots, in parallel, with a summary.

The flow, one module per step:

- :mod:`.sources` expands the paths into a stream of items (one snapshot each, with where it
  came from), reading files, folders, JSON Lines and gzip lazily; a bad file is an item too;
- :mod:`.office` checks one item in a worker: the core pipeline in audit mode, reduced to an
  :class:`~.office.OfficeOutcome` (counts plus the output fragment for this office);
- :mod:`.runner` spreads items over worker processes, each with its own engine, gives the
  outcomes back in input order and survives a worker that dies;
- :mod:`.summary` keeps the running totals;
- :mod:`.outputs` writes text, JSON, CSV or HTML into a file that appears only when complete;
- :mod:`.cli` wires them into the ``audit`` and ``demo-data`` commands.

Nothing here holds more than a bounded window of offices in memory.
"""

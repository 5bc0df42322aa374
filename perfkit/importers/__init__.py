"""Importers (and matching exporters) for the formats analysts actually export.

Each importer is an adapter onto the record-level contract
(``shared/spec/data-contract.md``): it reads a council's own export, converts
headings, coded answers and ``dd/mm/yyyy`` dates, and writes canonical
``<table>.csv`` files that :func:`perfkit.loading.load_dataset` accepts.

- :mod:`perfkit.importers.annex_a`: Ofsted Annex A workbooks (or CSVs of its
  lists); ``import_annex_a``, ``read_annex_a`` and ``write_annex_a``.
- :mod:`perfkit.importers.ssda903`: SSDA903 CSV extracts; ``import_ssda903``,
  ``read_ssda903`` and ``write_ssda903``.
- :mod:`perfkit.importers.cleaning`: the shared handling of real-world mess
  (byte-order marks, Excel's Windows-1252 "Save As", blank rows, ids read as
  ``123.0``, two-digit years, extra or duplicated columns, untidy headings),
  each reported as a :class:`perfkit.loading.Problem` naming file, column, row
  and value.

Nothing runs at import time.
"""

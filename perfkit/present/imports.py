"""Imports that would otherwise cost seconds for nothing perfkit uses."""

from __future__ import annotations

import sys


def without_iri_grammar() -> None:
    """Keep jsonschema from building an IRI grammar perfkit never uses (seconds in every process).

    jsonschema imports ``rfc3987_syntax`` (if installed) for its optional
    "iri" format checks; building that package's parser takes longer than a
    whole report. nbformat (and so papermill) and Altair import jsonschema;
    call this before them. Marking the package absent before jsonschema's
    first import makes it skip those checks; once jsonschema is imported it
    is too late, and nothing is changed.

    >>> without_iri_grammar()
    >>> "jsonschema" in sys.modules or sys.modules["rfc3987_syntax"] is None
    True
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)

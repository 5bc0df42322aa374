"""What a batch worker imports before it starts: imported once, by the server workers are forked from.

Where the platform can (Linux), the batch's workers are forked from a
server process (``multiprocessing``'s "forkserver") that has imported this
module, so each worker starts with papermill, nbformat, nbconvert and the
kernel client already imported: two workers pay for these imports once, not
twice. Nothing here starts a thread or imports polars (a process with
threads cannot be forked safely); workers import polars themselves.

This module is imported for its imports alone; ``import perfkit`` never
imports it.
"""

from perfkit.imports import without_iri_grammar

without_iri_grammar()  # before nbformat imports jsonschema

import nbformat  # noqa: E402,F401
import papermill  # noqa: E402,F401

import perfkit.batch  # noqa: E402,F401
import perfkit.htmlexport  # noqa: E402,F401
import perfkit.kernel  # noqa: E402,F401

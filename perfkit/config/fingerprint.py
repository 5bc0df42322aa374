"""What a cache's keys hold of the code that made what it keeps: the code's modules, not file names.

A cache that keyed on a file name would silently keep stale results when the
code moved; one that took in a whole folder would be dropped when a sentence
of a view was reworded. Each cache names the modules (imported by name) and
the packaged data files whose code decides what it keeps.
"""

from __future__ import annotations

import hashlib
import importlib
from importlib import resources
from pathlib import Path
from typing import Iterable


def code_fingerprint(modules: Iterable[str], resources_: Iterable[tuple[str, str]] = (), versions: Iterable[str] = ()) -> str:
    """A SHA-256 of the named modules' source, packaged data files and version strings.

    Parameters
    ----------
    modules : iterable of str
        Importable module names, e.g. ``"perfkit.records.contract"``.
    resources_ : iterable of (package, file name)
        Data files packaged with the code, e.g. ``("perfkit.published", "comparators.yaml")``.
    versions : iterable of str
        Versions of libraries whose behaviour the kept results depend on.

    Examples
    --------
    >>> a = code_fingerprint(["perfkit.config.paths"], versions=["1"])
    >>> a == code_fingerprint(["perfkit.config.paths"], versions=["1"]), a == code_fingerprint(["perfkit.config.paths"], versions=["2"])
    (True, False)
    """
    digest = hashlib.sha256()
    for version in versions:
        digest.update(f"version\0{version}\0".encode())
    for name in modules:
        module = importlib.import_module(name)
        digest.update(f"module\0{name}\0".encode() + Path(module.__file__).read_bytes())
    for package, file in resources_:
        digest.update(f"resource\0{package}/{file}\0".encode() + resources.files(package).joinpath(file).read_bytes())
    return digest.hexdigest()

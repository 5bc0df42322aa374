"""Where the project's embedded data, parameters and reports live.

Everything is found relative to the project root (the folder holding
``pyproject.toml`` above this package), or below ``PERFKIT_HOME`` when that
environment variable is set. No path is written anywhere else, but for the
user's cache folder (:func:`cache_dir`), which holds only what can be made
again.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The project folder: ``$PERFKIT_HOME`` or the checkout this package sits in."""
    home = os.environ.get("PERFKIT_HOME")
    if home:
        return Path(home).resolve()
    here = Path(__file__).resolve().parent.parent.parent
    if (here / "pyproject.toml").exists():
        return here
    return Path.cwd()


def cache_dir() -> Path:
    """What perfkit keeps between runs to save time, and can always make again: ``$PERFKIT_CACHE``,
    or ``perfkit`` in the user's cache folder (``$XDG_CACHE_HOME``, by default ``~/.cache``)."""
    cache = os.environ.get("PERFKIT_CACHE")
    if cache:
        return Path(cache)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "perfkit"


def default_data_dir() -> Path:
    """The embedded synthetic dataset."""
    return project_root() / "data"


def parameters_dir() -> Path:
    return project_root() / "parameters"


def targets_file() -> Path:
    return parameters_dir() / "targets.yaml"


def authorities_dir() -> Path:
    return parameters_dir() / "authorities"


def reports_dir() -> Path:
    return project_root() / "reports"


def exports_dir() -> Path:
    """Where the analyst's explorer writes its exports by default: ``exports`` in the project, beside (never
    in) the reports members receive, since an export can hold records that name children."""
    return project_root() / "exports"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def shared_dir() -> Path:
    """The shared folder beside the project (published DfE data, specification).

    ``$PERFKIT_SHARED`` overrides it. It may be absent, as on a user's machine.
    """
    shared = os.environ.get("PERFKIT_SHARED")
    return Path(shared).resolve() if shared else project_root().parent / "shared"


def published_dfe_dir() -> Path:
    """Explore Education Statistics CSVs (``shared/dfe``)."""
    return shared_dir() / "dfe"


def published_lait_dir() -> Path:
    """The LAIT long table (``shared/lait``)."""
    return shared_dir() / "lait"

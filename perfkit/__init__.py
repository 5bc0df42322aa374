"""perfkit: quarterly performance indicators for children's social care.

Importing the package is cheap: it loads no data and no heavy library. The
four entry points load their modules when first used:

- :func:`load_dataset` (``perfkit.records.loading``): a dataset folder, checked against the contract;
- :func:`compute` (``perfkit.indicators.engine``): every indicator for every authority and window;
- :func:`build_report` (``perfkit.pipeline.aggregates``): one authority's report, as members read it;
- :func:`run_batch` (``perfkit.pipeline.batch``): every authority's report and an index page.

The rooms of the package, and which may use which, are in ``docs/architecture.md``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["load_dataset", "compute", "build_report", "run_batch"]

_WHERE = {
    "load_dataset": "perfkit.records.loading",
    "compute": "perfkit.indicators.engine",
    "build_report": "perfkit.pipeline.aggregates",
    "run_batch": "perfkit.pipeline.batch",
}

if TYPE_CHECKING:
    from perfkit.indicators.engine import compute
    from perfkit.pipeline.aggregates import build_report
    from perfkit.pipeline.batch import run_batch
    from perfkit.records.loading import load_dataset


def __getattr__(name: str):
    """The entry points, imported on first use."""
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'perfkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

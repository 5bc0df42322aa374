"""Remember which data files have passed the contract, so that a file is checked once, not every run.

A national user reruns figures on files that have not changed; checking
every column of 40 million rows takes as long as reading them. A file that
passed is remembered by a fingerprint of its contents (SHA-256 of its bytes),
its path and the checking code (perfkit's version and the sources of the
contract and its checks): change a byte of the file or of the checks and the
file is checked again. What the checks warned of is remembered with the pass
and reported again each time. Nothing that failed is remembered.

A pass stays true as days go by: the one check that reads the date (no date
after today) cannot fail later on a file that passed it earlier.

The records are small JSON files in ``checks/`` of the cache folder
(:func:`perfkit.paths.cache_dir`), or in the folder ``PERFKIT_CHECK_CACHE``
names; ``PERFKIT_CHECK_CACHE=off`` checks every file on every run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from perfkit import paths

CHECKING_CODE = ("contract.py", "loading.py")
"""perfkit's modules whose code decides whether a file passes: a change to either checks every file again."""


OFF = ("off", "0", "no", "false")


def enabled() -> bool:
    """Whether passes are remembered and recalled (``PERFKIT_CHECK_CACHE`` is not ``off``)."""
    return os.environ.get("PERFKIT_CHECK_CACHE", "").strip().lower() not in OFF


def records_dir() -> Path:
    """Where passes are remembered: the folder ``PERFKIT_CHECK_CACHE`` names, or ``checks`` in the cache folder."""
    named = os.environ.get("PERFKIT_CHECK_CACHE", "").strip()
    return Path(named) if named else paths.cache_dir() / "checks"


@lru_cache(maxsize=1)
def checking_code() -> str:
    """A digest of the code that checks files: perfkit's version and the sources in ``CHECKING_CODE``."""
    import perfkit

    digest = hashlib.sha256(perfkit.__version__.encode())
    for name in CHECKING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def fingerprint(path: Path) -> str:
    """The key of a file as it is now: its contents, where it is, and the code that checks it.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "a.csv").write_text("x\\n1\\n"); (folder / "b.csv").write_text("x\\n1\\n")
    4
    4
    >>> fingerprint(folder / "a.csv") == fingerprint(folder / "a.csv"), fingerprint(folder / "a.csv") == fingerprint(folder / "b.csv")
    (True, False)
    """
    with open(path, "rb") as stream:
        contents = hashlib.file_digest(stream, "sha256").hexdigest()
    return hashlib.sha256(f"{checking_code()}\0{Path(path).resolve()}\0{contents}".encode()).hexdigest()


def together(keys: Iterable[str]) -> str:
    """The key of several files checked together (the checks across tables): order does not matter."""
    return hashlib.sha256("\0".join(sorted(keys)).encode()).hexdigest()


def recall(key: str, today: dt.date | None = None) -> dict[str, list] | None:
    """What was remembered of a pass (lists of warnings, as :func:`remember` was given them), or None.

    A record written on a later date than ``today`` (a clock put back) is not trusted.
    """
    if not enabled():
        return None
    try:
        record = json.loads((records_dir() / f"{key}.json").read_text(encoding="utf-8"))
        if dt.date.fromisoformat(record["checked_on"]) > (today or dt.date.today()):
            return None
        from perfkit.loading import Problem

        return {kind: [Problem(**problem) for problem in found] for kind, found in record["warnings"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no record, or one that cannot be read: check the file


def remember(key: str, warnings: dict[str, list]) -> None:
    """Remember a pass and its warnings (lists of :class:`perfkit.loading.Problem` by kind).

    Written to a temporary file and moved into place; a cache folder that
    cannot be written is no error (the file is checked again next time).
    """
    if not enabled():
        return
    record = {"checked_on": dt.date.today().isoformat(),
              "warnings": {kind: [asdict(problem) for problem in found] for kind, found in warnings.items()}}
    try:
        folder = records_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
        os.replace(temporary, folder / f"{key}.json")
    except OSError:
        pass

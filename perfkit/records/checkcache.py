"""Remember which data files have passed the contract, so that a file is checked once, not every run.

A national user reruns figures on files that have not changed; checking
every column of 40 million rows takes as long as reading them. A file that
passed is remembered by a fingerprint of its contents (SHA-256 of the bytes
that were read and checked), its path as it was named (which the warnings
quote), the table it was checked as, and the checking code (perfkit's and
polars' versions and the sources of the contract and its checks): change a
byte of the file or of the checks and the file is checked again. What the
checks warned of is remembered with the pass and reported again each time.
Nothing that failed is remembered.

A pass stays true as days go by: the one check that reads the date (no date
after today) cannot fail later on a file that passed it earlier.

The records are small JSON files in ``checks/`` of the cache folder
(:func:`perfkit.config.paths.cache_dir`), or in the folder ``PERFKIT_CHECK_CACHE``
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

from perfkit.config import paths

CHECKING_CODE = ("perfkit.records.contract", "perfkit.records.reading", "perfkit.records.checks", "perfkit.records.dataset",
                 "perfkit.records.loading")
"""The modules whose code decides whether a file passes: a change to any checks every file again."""


OFF = ("off", "0", "no", "false")
ON = ("", "on", "1", "yes", "true")
"""Values of ``PERFKIT_CHECK_CACHE`` that turn remembering off, or on in the cache folder; any other names a folder."""


def _setting() -> str:
    return os.environ.get("PERFKIT_CHECK_CACHE", "").strip()


def enabled() -> bool:
    """Whether passes are remembered and recalled (``PERFKIT_CHECK_CACHE`` is not ``off``)."""
    return _setting().lower() not in OFF


def records_dir() -> Path:
    """Where passes are remembered: the folder ``PERFKIT_CHECK_CACHE`` names, or ``checks`` in the cache folder.

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"PERFKIT_CHECK_CACHE": "on"}):
    ...     records_dir() == paths.cache_dir() / "checks"
    True
    >>> with mock.patch.dict(os.environ, {"PERFKIT_CHECK_CACHE": "/tmp/records"}):
    ...     records_dir()
    PosixPath('/tmp/records')
    """
    named = _setting()
    return paths.cache_dir() / "checks" if named.lower() in ON else Path(named)


@lru_cache(maxsize=1)
def checking_code() -> str:
    """A digest of the code that checks files: perfkit's and polars' versions (polars parses dates and
    numbers) and the modules in ``CHECKING_CODE``."""
    import polars

    import perfkit
    from perfkit.config.fingerprint import code_fingerprint

    return code_fingerprint(CHECKING_CODE, versions=(perfkit.__version__, polars.__version__))


def fingerprint(contents: bytes, path: Path, table: str) -> str:
    """The key of a file's ``contents`` (the very bytes read and checked), read from ``path`` as table ``table``.

    >>> key = fingerprint(b"x\\n1\\n", Path("a.csv"), "t")
    >>> key == fingerprint(b"x\\n1\\n", Path("a.csv"), "t")
    True
    >>> key in {fingerprint(b"x\\n2\\n", Path("a.csv"), "t"), fingerprint(b"x\\n1\\n", Path("b.csv"), "t"),
    ...         fingerprint(b"x\\n1\\n", Path("a.csv"), "u")}
    False
    """
    digest = hashlib.sha256(contents).hexdigest()
    return hashlib.sha256(f"{checking_code()}\0{table}\0{path}\0{digest}".encode()).hexdigest()


def together(keys: Iterable[str]) -> str:
    """The key of several files checked together (the checks across tables): order does not matter."""
    return hashlib.sha256("\0".join(sorted(keys)).encode()).hexdigest()


def recall(key: str, kinds: tuple[str, ...], today: dt.date | None = None) -> dict[str, list] | None:
    """What was remembered of a pass: its lists of warnings of each of ``kinds``, as :func:`remember`
    was given them; None without a record, or with one that cannot be read or lacks a kind.

    A record written on a later date than ``today`` (a clock put back) is not trusted.
    """
    if not enabled():
        return None
    try:
        record = json.loads((records_dir() / f"{key}.json").read_text(encoding="utf-8"))
        if dt.date.fromisoformat(record["checked_on"]) > (today or dt.date.today()):
            return None
        from perfkit.records.problems import Problem

        return {kind: [Problem(**problem) for problem in record["warnings"][kind]] for kind in kinds}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no record, or one that cannot be read: check the file


def remember(key: str, warnings: dict[str, list]) -> None:
    """Remember a pass and its warnings (lists of :class:`perfkit.records.loading.Problem` by kind).

    Written to a temporary file and moved into place; a cache folder that
    cannot be written is no error (the file is checked again next time).
    """
    if not enabled():
        return
    record = {"checked_on": dt.date.today().isoformat(),
              "warnings": {kind: [asdict(problem) for problem in found] for kind, found in warnings.items()}}
    temporary = None
    try:
        folder = records_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
        os.replace(temporary, folder / f"{key}.json")
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)

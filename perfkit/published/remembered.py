"""Keep the published figures, once read, between runs: the files do not change from one batch to the next.

Reading the DfE's CSVs and the LAIT workbook and working out every
comparator's values takes a second or more of a batch's start, while its
workers wait for them. They are saved (see
:meth:`perfkit.published.data.PublishedData.save`) in a folder named by a
key, in ``published`` of the cache folder (:func:`perfkit.config.paths.cache_dir`),
or in the folder ``PERFKIT_PUBLISHED_CACHE`` names. The key is a SHA-256 of
every file in the two folders (name and bytes) and of the code that reads
them (perfkit's, polars' and PyYAML's versions, the sources of
``perfkit.published``, ``perfkit.present.benchmark_report`` and
``perfkit.config.safe_yaml``): a changed byte of a file, a file added or taken away,
or new code, and they are read again. The code is fingerprinted once per
process, when first asked, as :mod:`perfkit.records.checkcache` does: a process that
had read the old code before perfkit's files were edited keeps counting with
it, and could keep its figures under the new code's key; restart kernels
after changing perfkit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable

from perfkit.config import paths

READING_CODE = ("perfkit.published.ees", "perfkit.published.markers", "perfkit.published.tidy",
                "perfkit.published.reproduction", "perfkit.published.lait", "perfkit.published.neighbours",
                "perfkit.published.comparators", "perfkit.published.data", "perfkit.config.safe_yaml")
"""The modules whose code reads the published files: a change to any reads them again."""
READING_DATA = (("perfkit.published", "comparators.yaml"),)
"""The packaged data that says what to read (which file and column holds each comparator)."""
SAVING = ".saving-"
"""The prefix of a folder being written; one left by a run that was killed is removed after a day."""


def kept_dir() -> Path:
    """Where published figures are kept: ``PERFKIT_PUBLISHED_CACHE``, or ``published`` in the cache folder."""
    named = os.environ.get("PERFKIT_PUBLISHED_CACHE", "").strip()
    return Path(named) if named else paths.cache_dir() / "published"


@lru_cache(maxsize=None)
def reading_code(sources: tuple[str, ...] = READING_CODE) -> str:
    """A digest of the code that reads the published files, as this process first finds it."""
    import polars
    import yaml

    import perfkit
    from perfkit.config.fingerprint import code_fingerprint

    return code_fingerprint(sources, READING_DATA, (perfkit.__version__, polars.__version__, yaml.__version__,
                                                    str(getattr(yaml, "__with_libyaml__", False))))


def published_key(dfe_dir: Path, lait_dir: Path) -> str:
    """The key of the published files in ``dfe_dir`` and ``lait_dir`` as this code reads them.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x\\n1\\n")
    >>> key = published_key(folder, folder / "none")
    >>> _ = (folder / "a.csv").write_text("x\\n2\\n")
    >>> key == published_key(folder, folder / "none")
    False
    """
    digest = hashlib.sha256(reading_code(READING_CODE).encode())
    for label, folder in (("dfe", Path(dfe_dir)), ("lait", Path(lait_dir))):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
            digest.update(f"\0{label}/{path.relative_to(folder)}\0".encode())
            try:
                with path.open("rb") as stream:
                    digest.update(hashlib.file_digest(stream, "sha256").digest())
            except OSError as exc:  # a file that cannot be read: the reading code says so, if it needs it
                digest.update(f"unreadable: {exc.errno}".encode())
    return digest.hexdigest()


def remembered_folder(dfe_dir: Path, lait_dir: Path, save: Callable[[Path], object]) -> Path | None:
    """The folder holding the published figures of these files, saved by ``save(folder)`` if not kept already;
    None where they cannot be kept (a cache folder that cannot be written): read them then.

    ``save`` reads the files and writes the figures to the folder it is
    given. It writes to a temporary folder, moved into place when complete
    (and kept only if the files were the same after as before), so a run that
    stops halfway, or files changed meanwhile, leave nothing to be read later.
    """
    kept = kept_dir()
    key = published_key(dfe_dir, lait_dir)
    target = kept / key
    if target.is_dir():
        return target
    try:
        kept.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(kept)
        writing = Path(tempfile.mkdtemp(dir=kept, prefix=SAVING))
    except OSError:
        return None
    try:
        save(writing)
    except BaseException:
        shutil.rmtree(writing, ignore_errors=True)
        raise
    try:
        if published_key(dfe_dir, lait_dir) != key:  # a file changed while it was read
            return None
        os.chmod(writing, 0o755)
        writing.rename(target)
    except OSError:
        return target if target.is_dir() else None  # another run may have kept the same figures meanwhile
    finally:
        shutil.rmtree(writing, ignore_errors=True)  # gone already once moved into place
    return target


def _remove_abandoned(kept: Path, age: float = 86_400) -> None:
    """Remove folders a killed run left half-written, a day old or more."""
    for folder in kept.glob(f"{SAVING}*"):
        try:
            if time.time() - folder.stat().st_mtime > age:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass

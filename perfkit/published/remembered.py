"""Keep the published figures, once read, between runs: the files do not change from one batch to the next.

Reading the DfE's CSVs and the LAIT workbook and working out every
comparator's values takes a second or more of a batch's start, while its
workers wait for them. They are saved (see
:meth:`perfkit.benchmark_report.PublishedData.save`) in ``published/<key>``
of the cache folder (:func:`perfkit.paths.cache_dir`), where ``key`` is a
SHA-256 of every file in the two folders (name and bytes) and of the code
that reads them (perfkit's and polars' versions, the sources of
``perfkit.published`` and ``perfkit.benchmark_report``): a changed byte of a
file, a file added or taken away, or new code, and they are read again.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from perfkit import paths

READING_CODE = ("published", "benchmark_report.py")
"""perfkit's code (a package and a module) that reads the published files: a change reads them again."""


def published_key(dfe_dir: Path, lait_dir: Path) -> str:
    """The key of the published files in ``dfe_dir`` and ``lait_dir`` as the code reads them now.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x\\n1\\n")
    >>> key = published_key(folder, folder / "none")
    >>> _ = (folder / "a.csv").write_text("x\\n2\\n")
    >>> key == published_key(folder, folder / "none")
    False
    """
    import polars

    import perfkit

    digest = hashlib.sha256(f"{perfkit.__version__}\0{polars.__version__}".encode())
    package = Path(perfkit.__file__).parent
    for source in READING_CODE:
        found = sorted((package / source).glob("*")) if (package / source).is_dir() else [package / source]
        for path in found:
            if path.is_file() and path.suffix in (".py", ".yaml"):
                digest.update(f"\0{path.relative_to(package)}\0".encode() + path.read_bytes())
    for label, folder in (("dfe", Path(dfe_dir)), ("lait", Path(lait_dir))):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []:
            digest.update(f"\0{label}/{path.relative_to(folder)}\0".encode()
                          + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def remembered_folder(dfe_dir: Path, lait_dir: Path, save: Callable[[Path], object]) -> Path:
    """The folder holding the published figures of these files, saved by ``save(folder)`` if not kept already.

    ``save`` reads the files and writes the figures to the folder it is
    given. It writes to a temporary folder, moved into place when complete,
    so a run that stops halfway leaves nothing half-written. Where the cache
    folder cannot be written, the figures are saved to a temporary folder the
    caller may remove (and read again next time).
    """
    kept = paths.cache_dir() / "published"
    target = kept / published_key(dfe_dir, lait_dir)
    if target.is_dir():
        return target
    try:
        kept.mkdir(parents=True, exist_ok=True)
        writing = Path(tempfile.mkdtemp(dir=kept, prefix=".saving-"))
    except OSError:
        writing = Path(tempfile.mkdtemp(prefix="perfkit-published-"))
        save(writing)
        return writing
    try:
        save(writing)
    except BaseException:
        shutil.rmtree(writing, ignore_errors=True)
        raise
    try:
        writing.rename(target)
    except OSError:
        if not target.is_dir():
            return writing
        shutil.rmtree(writing, ignore_errors=True)  # another run kept the same figures meanwhile
    return target

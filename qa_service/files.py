"""Crash-safe file writes: a file or folder appears whole under its name, or not at all.

Everything that must survive a kill or a power cut (the index's ``CURRENT`` pointer, uploads,
bulk answer files, converted models) is written through these helpers: to a temporary name
beside the target, flushed, then renamed over it with ``os.replace``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (a rename inside it) to disk; a no-op where the filesystem
    cannot sync a directory."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_file(target: Path, mode: str = "wb", durable: bool = True) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``target`` for writing; when the block ends without an
    error it replaces ``target`` (flushed to disk first when ``durable``); on an error the
    temporary file is removed and ``target`` is left as it was."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
        if durable:
            fsync_dir(target.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(target: Path, text: str, durable: bool = True) -> None:
    """Replace ``target`` with ``text`` atomically (see :func:`atomic_file`)."""
    with atomic_file(target, "w", durable) as fh:
        fh.write(text)


def atomic_dir(target: Path, fill: Callable[[Path], None], complete: str) -> Path:
    """Create the folder ``target`` by letting ``fill`` write into a temporary folder beside
    it, then renaming that into place. When another process created ``target`` meanwhile
    (its marker file ``complete`` exists), its result is kept. Returns ``target``."""
    target = Path(target)
    if (target / complete).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        tmp.chmod(0o755)
        fill(tmp)
        try:
            os.replace(tmp, target)
        except OSError:  # another process finished first
            if not (target / complete).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target

"""Which files in a folder are dumps: a walk that stats each file once and says why it skips one.

A dump is a regular file with a visible, non-temporary name. Writers use temporary names while
a file is still being written (rsync's `.name.XXXXXX`, WinSCP's `.filepart`, Resilio's `.!sync`,
browsers' `.crdownload`, `.tmp`, `.part`); those are matched case-insensitively and never taken.
A symlink is followed only when its target stays inside the folder walked, unless the caller
allows it (`ingest run --follow-symlinks`). A fifo, socket or device is reported, never opened.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload", ".download",
                      ".!sync", ".swp", ".swx", ".lock", "~")
TEMPORARY_PREFIXES = (".", "~$", "~lock.")


@dataclass(frozen=True)
class Found:
    """A dump file, with the stat taken while walking (the known-file cache needs no other)."""
    path: Path
    size: int
    mtime_ns: int

    @property
    def where(self) -> str:
        """The absolute path, as the dump rows keep it (Path.absolute(), without its cost)."""
        text = str(self.path)
        return text if text.startswith("/") else os.path.join(os.getcwd(), text)


@dataclass(frozen=True)
class Skipped:
    """A file the walk did not take, and why (reported, never silently dropped)."""
    path: Path
    reason: str


def is_temporary(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(TEMPORARY_PREFIXES) or lowered.endswith(TEMPORARY_SUFFIXES)


def special_kind(mode: int) -> str | None:
    """'fifo', 'socket', 'device' for a file that is not regular (None for a regular one)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def examine(path: Path, root: Path | None = None, follow_symlinks: bool = False) -> Found | Skipped | None:
    """One file: Found, Skipped (with the reason), or None when it is not a dump at all
    (a temporary name, a folder, a file that vanished)."""
    if is_temporary(path.name):
        return None
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            if not follow_symlinks and not _inside(path, root or path.parent):
                return Skipped(path, "symlink to a file outside the folder: not followed "
                                     "(`ingest run --follow-symlinks` follows it)")
            st = path.stat()
    except FileNotFoundError:
        return None          # vanished, or a dangling symlink: nothing to take
    except OSError as exc:
        return Skipped(path, f"cannot stat it: {exc.strerror or exc}")
    if stat.S_ISDIR(st.st_mode):
        return None
    kind = special_kind(st.st_mode)
    if kind:
        return Skipped(path, f"not a regular file ({kind}): it is never read")
    return Found(path, st.st_size, st.st_mtime_ns)


def _inside(link: Path, root: Path) -> bool:
    try:
        return link.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):     # a symlink loop
        return False


def walk(folder: Path, follow_symlinks: bool = False,
         stopping: Callable[[], bool] = lambda: False) -> Iterator[Found | Skipped]:
    """Every dump file under a folder (recursively, sorted within each folder; hidden folders
    are skipped), and every file skipped with a reason. `stopping` is asked between files, so
    a SIGTERM ends a long walk at once."""
    if not folder.is_dir():
        item = examine(folder, folder.parent, True)
        if item is not None:
            yield item
        return
    errors: list[OSError] = []
    for top, dirs, files in os.walk(folder, followlinks=follow_symlinks, onerror=errors.append):
        while errors:
            exc = errors.pop()
            yield Skipped(Path(exc.filename or top), f"cannot list this folder: {exc.strerror or exc}")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in dirs if not follow_symlinks else ():
            if (Path(top) / name).is_symlink() and not _inside(Path(top) / name, folder):
                yield Skipped(Path(top) / name, "symlink to a folder outside the folder: not followed "
                                                "(`ingest run --follow-symlinks` follows it)")
        base = Path(top)
        for name in sorted(files):
            if stopping():
                return
            if is_temporary(name):       # before building a Path: most runs see many files
                continue
            item = examine(base / name, folder, follow_symlinks)
            if item is not None:
                yield item
    while errors:
        exc = errors.pop()
        yield Skipped(Path(exc.filename or folder), f"cannot list this folder: {exc.strerror or exc}")


def scan(folder: Path, follow_symlinks: bool = False) -> list[Path]:
    """The dump files under a folder, in a stable order (paths only)."""
    return [item.path for item in walk(folder, follow_symlinks) if isinstance(item, Found)]

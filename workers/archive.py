"""`INGEST_ARCHIVE_DIR` / `ingest watch --archive DIR`: keep the inbox small.

Each inbox file whose dump has ended (`done` or `failed`) is moved to the archive folder under
the same path relative to the inbox, and its dump row follows it (a dump too large for the
store is read from there on a requeue). A file rewritten since it was taken stays put: its new
content is the watcher's to take. A name already used in the archive gets the dump id added.
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from tasks.errors import ConfigError
from tasks.store import Store
from workers.safe import plain

log = logging.getLogger(__name__)
ENDED = ("done", "failed", "superseded")


def check_archive(inbox: Path, archive: Path) -> None:
    inbox, archive = inbox.resolve(), archive.resolve()
    if archive == inbox or archive.is_relative_to(inbox) or inbox.is_relative_to(archive):
        raise ConfigError(f"the archive folder {archive} and the inbox {inbox} must not contain one another: "
                          f"set INGEST_ARCHIVE_DIR (or --archive) to a folder beside the inbox")


class Archiver:
    def __init__(self, inbox: Path, archive: Path, store: Store):
        check_archive(inbox, archive)
        self.inbox, self.archive, self.store = inbox, archive, store
        self.waiting: dict[Path, tuple[str, int, int]] = {}     # path -> (dump id, size, mtime_ns)

    def note(self, path: Path, dump_id: str) -> None:
        """This file is (now) the dump `dump_id`: archive it once the dump has ended."""
        try:
            st = path.stat()
        except OSError:
            return
        self.waiting[path] = (dump_id, st.st_size, st.st_mtime_ns)

    def sweep(self) -> int:
        """Move every waiting file whose dump has ended; returns how many moved."""
        if not self.waiting:
            return 0
        states = self.store.states(sorted({v[0] for v in self.waiting.values()}))
        moved = 0
        for path, (dump_id, size, mtime_ns) in list(self.waiting.items()):
            if states.get(dump_id) in ENDED:
                del self.waiting[path]
                moved += self._move(path, dump_id, size, mtime_ns)
        return moved

    def _move(self, path: Path, dump_id: str, size: int, mtime_ns: int) -> bool:
        try:
            st = path.stat()
        except FileNotFoundError:
            return False
        if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
            return False                  # rewritten since: the watcher takes the new content
        target = self.archive / path.relative_to(self.inbox)
        if target.exists():
            target = target.with_name(f"{target.stem}.{dump_id}{target.suffix}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            os.utime(target, ns=(st.st_atime_ns, mtime_ns))
        except OSError as exc:
            log.warning("cannot archive %s to %s: %s", plain(path), plain(target), exc)
            return False
        self.store.moved(dump_id, target.absolute())
        log.info("archived %s", plain(target))
        return True

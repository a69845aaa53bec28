"""The watcher's core: which inbox files are ready, and getting each one registered and sent
through outages. Free of threads, signals and time.sleep, so a test drives it with a clock.

watchdog reports file events on its own thread; they reach the main loop through a
thread-safe queue as (kind, path). A file is ready when
- its writer closed it: a `created` or `modified` event marks it open until its `closed`
  (inotify close-write) or a rename onto its name; a file found by a rescan, or watched
  without close events, counts as closed; and
- its size and mtime have not changed for `settle` seconds. The default (5 s) also covers a
  writer that closes, pauses a few seconds and appends.
A file still open after `OPEN_GIVE_UP` seconds without any change is taken anyway (its close
event may have been lost to an inotify overflow).

Taking a file is two steps, `register` (store) then `send` (queue, or in-process). Either may
fail while the store or the broker is down: the file, or the registered dump id, then stays
pending, nothing is sent until the backoff delay has passed (1 s, doubling up to 30 s), the
outage is logged once, and its end too.
"""
from __future__ import annotations

import logging
import queue
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workers.intake import Found, Skipped, examine, walk
from workers.safe import plain

log = logging.getLogger(__name__)
OPEN_GIVE_UP = 60.0
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
OPENING, CLOSING, GONE = ("created", "modified"), ("closed", "moved"), ("deleted",)


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


@dataclass(frozen=True)
class Actions:
    """What the core asks of the shell. `register(path)` returns (dump id or None, send it?);
    it raises OSError with a filename for a file problem, anything else for an outage."""
    register: Callable[[Path], tuple[str | None, bool]]
    send: Callable[[list[str]], None]
    skipped: Callable[[Skipped], None] = lambda item: None
    known: Callable[[list[Found]], dict[Path, str]] = lambda found: {}   # registered as they are: dump ids
    taken: Callable[[Path, str], None] = lambda path, dump_id: None      # a file's dump, once known


class Watcher:
    def __init__(self, inbox: Path, settle_seconds: float, actions: Actions,
                 stopping: Callable[[], bool] = lambda: False):
        self.inbox, self.settle, self.actions, self.stopping = inbox, settle_seconds, actions, stopping
        self.events: "queue.SimpleQueue[tuple[str, Path]]" = queue.SimpleQueue()
        self.pending: dict[Path, _Seen | None] = {}
        self.open: set[Path] = set()
        self.unsent: list[str] = []                      # registered, not yet sent
        self.taken: dict[Path, tuple[int, int]] = {}     # path -> (size, mtime_ns) when taken
        self.retry_at = 0.0
        self.backoff = 0.0

    # events and rescans
    def rescan(self) -> int:
        """Put every inbox file not taken as it is now into `pending`; returns how many."""
        present, fresh = set(), []
        for item in walk(self.inbox, stopping=self.stopping):
            present.add(item.path)
            if isinstance(item, Skipped):
                self._skip(item)
            elif self.taken.get(item.path) != (item.size, item.mtime_ns) and item.path not in self.pending:
                fresh.append(item)
        if self.stopping():
            return 0
        self.taken = {p: v for p, v in self.taken.items() if p in present}   # forget files gone
        known = self._known(fresh)
        for item in fresh:
            if item.path in known:     # registered as it is now (path, size, mtime): one stat, no read
                self.taken[item.path] = (item.size, item.mtime_ns)
                self.actions.taken(item.path, known[item.path])
            else:
                self.pending[item.path] = None
        return len(fresh) - len(known)

    def _known(self, fresh: list[Found]) -> dict[Path, str]:
        try:
            return self.actions.known(fresh) if fresh else {}
        except Exception as exc:  # noqa: BLE001 - store down: they go the long way, with backoff
            log.info("cannot look up known files (%s); registering them one by one", type(exc).__name__)
            return {}

    def _drain(self) -> None:
        while not self.events.empty():
            kind, path = self.events.get()
            if kind in GONE:
                self.pending.pop(path, None)
                self.open.discard(path)
                continue
            if kind in OPENING:
                self.open.add(path)
            elif kind in CLOSING:
                self.open.discard(path)
            self.pending.setdefault(path, None)

    # the loop's step
    def tick(self, now: float) -> list[Path]:
        """Take the events in; unless in backoff, send what waits and register every settled
        file. Returns the files taken."""
        self._drain()
        if now < self.retry_at:
            return []
        if self.unsent and not self._send(now):
            return []
        taken = []
        for path in [p for p in list(self.pending) if self._settled(p, now)]:
            if self.stopping():
                break
            outcome = self._register(path, now)
            if outcome is None:        # an outage: keep it pending, try again after the backoff
                break
            if outcome:
                taken.append(path)
            if self.unsent and not self._send(now):   # sent one by one: a stop is never far
                break
        return taken

    def _register(self, path: Path, now: float) -> bool | None:
        seen = self.pending[path]
        try:
            dump_id, send = self.actions.register(path)
        except OSError as exc:
            if exc.filename is None:
                return self._outage(now, exc)
            self.pending.pop(path, None)
            if isinstance(exc, FileNotFoundError):
                log.info("%s vanished before it could be taken", plain(path))
            else:
                log.warning("%s cannot be read: %s", plain(path), exc.strerror or exc)
            return False
        except Exception as exc:  # noqa: BLE001 - the store or the broker is down: wait, retry
            return self._outage(now, exc)
        self.pending.pop(path, None)
        self.taken[path] = (seen.size, seen.mtime_ns)
        self._recovered()
        if dump_id:
            self.actions.taken(path, dump_id)
        if send and dump_id:
            self.unsent.append(dump_id)
        return True

    def _send(self, now: float) -> bool:
        try:
            self.actions.send(list(self.unsent))
        except Exception as exc:  # noqa: BLE001
            self._outage(now, exc)
            return False
        self.unsent.clear()
        self._recovered()
        return True

    def _outage(self, now: float, exc: Exception) -> None:  # None: the caller stops this tick
        first = self.backoff == 0
        self.backoff = BACKOFF_FIRST if first else min(self.backoff * 2, BACKOFF_MAX)
        self.retry_at = now + self.backoff
        waiting = len(self.pending) + len(self.unsent)
        if first:
            log.warning("cannot register or send (%s: %s); keeping %d file(s) pending, retrying with backoff",
                        type(exc).__name__, plain(str(exc).splitlines()[0] if str(exc) else ""), waiting)
        else:
            log.info("still failing (%s); next try in %.0f s", type(exc).__name__, self.backoff)
        return None

    def _recovered(self) -> None:
        if self.backoff:
            log.warning("store and broker reachable again; resuming")
        self.backoff = 0.0

    def _settled(self, path: Path, now: float) -> bool:
        item = examine(path, self.inbox)
        if not isinstance(item, Found):
            self.pending.pop(path, None)
            self.open.discard(path)
            if isinstance(item, Skipped):
                self._skip(item)
            return False
        seen = self.pending[path]
        if seen is None or (seen.size, seen.mtime_ns) != (item.size, item.mtime_ns):
            self.pending[path] = _Seen(item.size, item.mtime_ns, now)
            return False
        if self.taken.get(path) == (item.size, item.mtime_ns):
            self.pending.pop(path, None)        # an event without a change (a touch, a read)
            return False
        quiet = now - seen.since
        return quiet >= (OPEN_GIVE_UP if path in self.open else self.settle)

    def _skip(self, item: Skipped) -> None:
        key = (-1, hash(item.reason))
        if self.taken.get(item.path) != key:
            self.taken[item.path] = key
            self.actions.skipped(item)

    def forget(self) -> None:
        """The inbox was replaced: what was pending or taken under it no longer stands."""
        self.pending.clear()
        self.open.clear()
        self.taken.clear()

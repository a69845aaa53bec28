"""A child of the embedded pool (workers/pool.py): the parent's handle on it (`Child`), and its
loop (`serve`): it prepares each dump of the leases it is sent, in order, and sends each
result back as soon as it is made.

The results are sent by a thread of the child, not by the loop that prepares them: the parent
reads its children only between its writer's transactions, and a result waits in the pipe
until then. Sent from the loop, a few results would fill the pipe and stop the child until the
writer came back; sent by the thread, the child goes on with the dumps queued to it while the
parent commits, and each core stays busy. A result may then still be in this process when it
dies: `started`, in memory shared with the parent, tells it which dump the child was preparing.
"""
from __future__ import annotations

import logging
import queue
import signal
import threading
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from tasks.pipeline import Pipeline, Prepared
from tasks.store.lifecycle import Lease
from tasks.store.storycache import slim

log = logging.getLogger(__name__)
_END = object()          # tells the sending thread to stop


@dataclass
class Child:
    """The parent's handle on one child, and the dumps it holds, each job (order, lease): those
    it has prepared but whose results are still on their way, the one it is preparing, since
    about `since`, and those waiting in its pipe. `started` (shared with the child) counts the jobs it began,
    `received` the results this process took."""
    process: object
    conn: Connection
    started: object
    jobs: deque = field(default_factory=deque)
    since: float = 0.0
    received: int = 0

    def in_flight(self) -> int:
        """Where in `jobs` the dump it was preparing is, once it is gone and its results are
        taken (the first when it began none: each child lost costs a dump, so a child that
        cannot start at all never starts again and again)."""
        began = self.started.value - self.received
        return began - 1 if 0 < began <= len(self.jobs) else 0


class Outbox:
    """Send objects on a connection from a thread of their own, in the order put; `close`
    sends what is left. If the other end is gone, what is left is dropped (nobody reads it)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._send_all, name="ingest-prepare-send", daemon=True)
        self._thread.start()

    def put(self, item) -> None:
        self._queue.put(item)

    def close(self) -> None:
        self._queue.put(_END)
        self._thread.join()

    def _send_all(self) -> None:
        while (item := self._queue.get()) is not _END:
            try:
                self.conn.send(item)
            except OSError:      # the parent is gone: the loop stops at its next read
                return


def serve(conn: Connection, started, settings, store_url: str, inherited: Pipeline | None, others: list) -> None:
    """A child: prepare each dump of the leases it is sent, in order, until it is sent None or
    its parent is gone. `started` counts the dumps begun (shared memory, read by the parent if
    this process dies: the results made by then may not have left it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the parent's to handle
    for end in others:                               # the parent's ends: EOF here once it is gone
        end.close()
    pipeline = inherited or _fresh_pipeline(settings, store_url)
    if inherited is not None:
        pipeline.store.engine.dispose(close=False)   # never use the parent's connections
    outbox = Outbox(conn)
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            for lease in job:
                started.value += 1
                outbox.put(prepare(pipeline, lease))
    finally:
        outbox.close()


def _fresh_pipeline(settings, store_url: str) -> Pipeline:
    from tasks.store import Store
    return Pipeline(settings, Store(store_url, check_schema=False, story_cache=settings.embedded_story_cache))


def prepare(pipeline: Pipeline, lease: Lease) -> Prepared:
    """The dump prepared, its story priors slim for the trip (tasks/store/storycache.py)."""
    try:
        prepared = pipeline.prepare_claimed(lease)
        if prepared.story_prior:
            prepared.story_prior = [slim(p) for p in prepared.story_prior]
        return prepared
    except Exception as exc:
        log.exception("dump %s crashed the pipeline", lease.dump_id)
        return Prepared.crashed(lease.dump_id, lease.token, exc)

"""The embedded process pool: child processes prepare dumps, this process alone commits them.

`ingest run` without a broker uses both cores this way. The parent claims the dumps, many
per transaction (it is the store's one writer), and queues their leases to the children,
enough ahead of each to outlast a writer's transaction (workers/pace.py); a child reads each
dump, runs the pure stages (`Pipeline.prepare_claimed`) and sends back its small drafts from
a thread of its own, so it never waits for the parent to read them (workers/pool_child.py).
The parent dedups and saves the drafts (`Pipeline.commit_batch`) in the order of the files,
whatever is ready in one transaction, so dedup still sees every article committed before.

Nothing is lost:
- a child that dies (killed, out of memory, a crash in C code) ends the dump it was preparing
  `failed`, with the reason, and a new child takes its place and the dumps it held (those
  queued, and those prepared whose results had not left it);
- a child that holds one dump longer than INGEST_TASK_TIME_LIMIT is killed, likewise;
- Ctrl-C stops the children at once and puts the dumps they held back to `queued`.

Children are forked from this process when it runs no other thread (they share its loaded
models), else started by a fork server; either way each opens its own store connections.
The messages are pickles between our own processes, never data read from files.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from multiprocessing import get_context
from multiprocessing.connection import wait
from typing import Callable, Iterable

from tasks.pipeline import Outcome, Pipeline, Prepared
from tasks.policy import new_token
from tasks.store.lifecycle import Lease
from workers.pace import DEPTH, MAX_DEPTH, Pace
from workers.pool_child import Child as _Slot, serve

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0       # a child asked to stop gets this long before it is killed


HOLD_SECONDS = 0.5       # the longest the next dump to commit waits for a fuller batch


class Pool:
    """`with Pool(pipeline, 2) as pool: pool.run(ids, on_outcome)`."""

    def __init__(self, pipeline: Pipeline, processes: int):
        self.pipeline = pipeline
        self.processes = max(1, processes)
        self.pace = Pace()
        self.batch = 4 * DEPTH * self.processes    # dumps committed in one transaction, at most
        self.fill = self.batch // 2                # ...and at least, while the children are busy
        self.window = self.batch + 2 * MAX_DEPTH * self.processes   # dumps claimed ahead of the next one to commit
        self.claim = DEPTH * self.processes        # dumps claimed in one transaction, at least
        self._committing: list[Prepared] = []
        self.slots: list[_Slot] = []
        self._ready: dict[int, Prepared] = {}
        self._leases: deque = deque()              # (order, lease) claimed, not yet sent to a child
        self._next = 0
        self._held_since: float | None = None      # when the next dump to commit became ready

    def __enter__(self) -> "Pool":
        from tasks.warmup import warm_up
        warm_up(self.pipeline)   # once, shared by forked children
        self.slots = [self._start() for _ in range(self.processes)]
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close(interrupted=kind is not None)

    def run(self, dump_ids: Iterable[str], on_outcome: Callable[[Outcome], None]) -> None:
        """Prepare every dump in the children; commit them here, in the order given (a dump
        that finishes early waits for those before it, so the earlier file stays the original
        of a duplicate pair whatever the timing). Whatever is ready when the writer comes
        back is committed together: the slower the writer, the larger its transactions."""
        todo = deque(enumerate(dump_ids))
        self._ready, self._next, self._held_since = {}, 0, None
        while True:
            self._feed(todo)
            busy = [s for s in self.slots if s.jobs]
            if not busy and self._next not in self._ready:
                if todo or self._ready or self._leases:
                    continue
                return
            if busy:
                timeout = 0 if self._due(busy) else self._next_deadline(busy)
                ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=timeout))
                for slot in busy:
                    if slot.conn in ready or slot.process.sentinel in ready:
                        self._collect(slot, ended=slot.process.sentinel in ready)
                    elif self._overdue(slot):
                        self._kill_overdue(slot)
            if self._due([s for s in self.slots if s.jobs]):
                self._commit(on_outcome)

    def _due(self, busy: list[_Slot]) -> bool:
        """Whether to commit now: the next dump is ready, and either `fill` dumps in order are,
        or no child is busy, or it has waited HOLD_SECONDS. While the children are busy the
        writer waits for fuller batches: each transaction costs the same whatever its size, and
        the writer's time is taken from the children's cores."""
        if self._next not in self._ready:
            return False
        if self._held_since is None:
            self._held_since = time.monotonic()
        return (not busy or time.monotonic() - self._held_since >= HOLD_SECONDS
                or all(self._next + k in self._ready for k in range(self.fill)))

    def _commit(self, on_outcome: Callable[[Outcome], None]) -> None:
        """Commit the dumps ready in order from the next one on, up to `batch` of them at once
        (one transaction: the writer keeps up with the children by amortizing it)."""
        while self._next in self._ready and len(self._committing) < self.batch:
            self._committing.append(self._ready.pop(self._next))
            self._next += 1
        self._held_since = None
        started = time.perf_counter()
        outcomes = self.pipeline.commit_batch(self._committing)
        self.pace.committed(time.perf_counter() - started)
        for outcome in outcomes:
            on_outcome(outcome)
        self._committing = []

    def close(self, interrupted: bool = False) -> None:
        """Stop every child; the dumps claimed but not committed (only on an interruption) go
        back to `queued`."""
        for slot in self.slots:
            if interrupted:
                slot.process.terminate()
            else:
                try:
                    slot.conn.send(None)
                except OSError:
                    pass
        held = [(lease.dump_id, lease.token) for s in self.slots for _, lease in s.jobs]
        held += [(lease.dump_id, lease.token) for _, lease in self._leases]
        held += [(p.dump_id, p.token) for p in [*self._ready.values(), *self._committing]]
        for slot in self.slots:
            slot.process.join(STOP_SECONDS)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.conn.close()
        for dump_id, token in held:
            self._release(dump_id, token)
        self.slots, self._ready, self._committing, self._leases = [], {}, [], deque()

    def _feed(self, todo: deque) -> None:
        """Queue claimed dumps to the children, keeping each child `depth` dumps ahead, the
        least busy first; then claim the next ones (`_claim`), so that the claim's transaction
        is made while the children have work, and the next feed has them at hand."""
        depth = self.pace.depth()
        self._send_leases(depth)
        if len(self._leases) < depth * self.processes:
            self._claim(todo, depth * self.processes - len(self._leases))
            self._send_leases(depth)

    def _send_leases(self, depth: int) -> None:
        room = sum(max(0, depth - len(s.jobs)) for s in self.slots)
        sends: dict[int, list] = {}
        while self._leases and room:
            slot = min(self.slots, key=lambda s: len(s.jobs) + len(sends.get(id(s), ())))
            sends.setdefault(id(slot), []).append(self._leases.popleft())
            room -= 1
        for slot in self.slots:
            if id(slot) in sends:
                self._send(slot, sends[id(slot)])

    def _claim(self, todo: deque, wanted: int) -> None:
        """Claim the next dumps here, in one transaction (this process is the store's one
        writer), at least `claim` of them so that claims are few, but never more than `window`
        dumps ahead of the next one to commit (the drafts waiting for it are held in memory).
        A dump not claimed is an outcome at once."""
        take = []
        while todo and len(take) < max(wanted, self.claim) and todo[0][0] - self._next < self.window:
            take.append(todo.popleft())
        if not take:
            return
        try:
            claimed = self.pipeline.claim_many([dump_id for _, dump_id in take])
        except Exception as exc:
            log.exception("dumps %s...: could not claim them", take[0][1])
            claimed = [Prepared.crashed(dump_id, new_token(), exc) for _, dump_id in take]
        for (seq, _), lease in zip(take, claimed):
            if isinstance(lease, Prepared):
                self._ready[seq] = lease
            else:
                self._leases.append((seq, lease))

    # one child
    @staticmethod
    def start_method() -> str:
        """Fork (the children share this process's loaded stages) when this process runs no
        other thread, which could hold a lock a child would then wait for forever; else start
        children from a fork server's clean process."""
        return "fork" if threading.active_count() == 1 else "forkserver"

    def _start(self) -> _Slot:
        method = self.start_method()
        ctx = get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["tasks.pipeline"])
        ours, theirs = ctx.Pipe()
        started = ctx.Value("q", 0, lock=False)
        inherited = self.pipeline if method == "fork" else None
        others = [s.conn for s in self.slots] + [ours] if method == "fork" else []
        process = ctx.Process(target=serve, name="ingest-prepare", daemon=True,
                              args=(theirs, started, self.pipeline.settings, self.pipeline.store.url,
                                    inherited, others))
        process.start()
        theirs.close()
        return _Slot(process, ours, started)

    def _send(self, slot: _Slot, jobs: list[tuple[int, Lease]]) -> None:
        """Queue these jobs to the child, in one message."""
        if not slot.jobs:
            if not slot.process.is_alive():
                self._replace(slot)
            slot.since = time.monotonic()
        slot.jobs.extend(jobs)
        try:
            slot.conn.send([lease for _, lease in jobs])
        except OSError:       # it died since: its sentinel is ready, and its dump fails with the reason
            pass

    def _collect(self, slot: _Slot, ended: bool) -> None:
        """Take every result the child has sent (one per job, in order); if it is gone with
        jobs left, the one it was preparing fails and the others go to its replacement."""
        if (self._take(slot) or ended) and slot.jobs:
            self._died(slot)

    def _take(self, slot: _Slot) -> bool:
        """Take the results waiting in the child's pipe; True when the pipe is closed (it is gone)."""
        while slot.jobs:
            try:
                if not slot.conn.poll():
                    return False
                prepared = slot.conn.recv()
            except (EOFError, OSError):
                return True
            seq, _ = slot.jobs.popleft()
            slot.received += 1
            self._ready[seq] = prepared
            if prepared.watch.laps:
                self.pace.dumped(sum(prepared.watch.laps.values()))
            slot.since = time.monotonic()
        return False

    def _died(self, slot: _Slot) -> None:
        slot.process.join(STOP_SECONDS)
        code = slot.process.exitcode
        how = f"killed by signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
        self._lost(slot, lambda dump_id: f"the process preparing it died ({how}): out of memory, or a crash "
                                         f"in a library's C code; `ingest requeue {dump_id}` tries again")

    def _overdue(self, slot: _Slot) -> bool:
        return time.monotonic() - slot.since > self.pipeline.settings.task_time_limit

    def _next_deadline(self, busy: list[_Slot]) -> float:
        """Seconds until a child is overdue, or until the next dump to commit has waited enough."""
        limit = self.pipeline.settings.task_time_limit
        due = [s.since + limit for s in busy]
        if self._held_since is not None:
            due.append(self._held_since + HOLD_SECONDS)
        return max(0.0, min(due) - time.monotonic()) + 0.05

    def _kill_overdue(self, slot: _Slot) -> None:
        slot.process.kill()
        slot.process.join()
        self._take(slot)    # the results it sent before, then which one it held
        limit = self.pipeline.settings.task_time_limit
        self._lost(slot, lambda dump_id: f"processing took longer than INGEST_TASK_TIME_LIMIT={limit} s: "
                                         f"raise it, then `ingest requeue {dump_id}`")

    def _lost(self, slot: _Slot, reason: Callable[[str], str]) -> None:
        """The child is gone: the dump it was preparing fails with the reason (when its turn
        to commit comes); the others it held (prepared, but their results lost with it, or
        queued behind) go to a fresh child, their leases kept."""
        rest = list(slot.jobs)
        seq, lease = rest.pop(slot.in_flight())
        self._ready[seq] = self._failed(lease.dump_id, lease.token, reason(lease.dump_id))
        self._replace(slot)
        if rest:
            self._send(slot, rest)

    def _replace(self, slot: _Slot) -> None:
        slot.conn.close()
        fresh = self._start()
        slot.process, slot.conn, slot.started, slot.jobs, slot.received = \
            fresh.process, fresh.conn, fresh.started, deque(), 0

    @staticmethod
    def _failed(dump_id: str, token: str, reason: str) -> Prepared:
        """The dump's child is gone: it fails with the reason, when its turn to commit comes."""
        log.error("dump %s: %s", dump_id, reason)
        return Prepared(dump_id, token, failure=reason)

    def _release(self, dump_id: str, token: str) -> None:
        try:
            self.pipeline.store.release(dump_id, token)
        except Exception:   # the store is down: the lease expires and the next run takes it back
            log.exception("could not put dump %s back in the queue", dump_id)

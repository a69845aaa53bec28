"""Taking dumps back: what an operator or the reaper does to dumps whose attempts ended
badly or never ended (tasks/store/lifecycle.py holds the lease each attempt takes).

- `time_out`: the dumps a task held when the hard time limit killed its process;
- `requeue`: dumps put back to `queued` by hand (`ingest requeue`);
- `reap`: every expired lease taken back, or failed after too many crashes;
- `unsent`, `mark_resent`: queued dumps whose message may have been lost, sent again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, or_, select, update

from config.settings import Settings
from tasks.errors import NotFound
from tasks.policy import Policy, crashed_reason, hard_limit_reason, to_blame
from tasks.store.dumps import now
from tasks.store.lifecycle import age, chunks, cutoff, expired, fail, guarded, release
from tasks.store.schema import dumps


@dataclass(frozen=True)
class TimedOut:
    failed: list[str]          # held past the soft limit: failed with the hard limit's reason
    released: list[str]        # held for less (a batch's dump that just started): queued again, not charged


def time_out(conn: Connection, holder: str, settings: Settings) -> TimedOut:
    """The dumps a task (`holder`, its Celery id) held when the hard time limit killed its process."""
    rows = conn.execute(select(dumps.c.id, dumps.c.lease, dumps.c.claimed_at)
                        .where(dumps.c.state == "processing", dumps.c.holder == holder[:64])).all()
    out = TimedOut([], [])
    for dump_id, lease, claimed_at in rows:
        held = age(claimed_at) if claimed_at is not None else 0.0
        if to_blame(held, settings):
            if fail(conn, dump_id, lease, hard_limit_reason(dump_id, settings, held)):
                out.failed.append(dump_id)
        elif release(conn, dump_id, lease):
            out.released.append(dump_id)
    return out


@dataclass(frozen=True)
class Requeued:
    ids: list[str]             # now queued, to be sent
    busy: list[str]            # being processed under a fresh lease: left alone


def requeue(conn: Connection, ids: list[str] | None, only_failed: bool, policy: Policy,
            mode: str | None = None) -> Requeued:
    """Put dumps back to `queued` (the given ids, every failed one, or every one), except those
    a live attempt holds. `mode="classify"` asks for a re-classification only."""
    query = select(dumps.c.id, dumps.c.state, dumps.c.claimed_at).where(
        dumps.c.state != "superseded")   # a file's earlier revision stays one
    if only_failed:
        query = query.where(dumps.c.state == "failed")
    rows = []
    for chunk in chunks(ids) if ids else [None]:
        q = query if chunk is None else query.where(dumps.c.id.in_(chunk))
        rows += conn.execute(q.order_by(dumps.c.created_at, dumps.c.id)).all()
    missing = sorted(set(ids or ()) - {r.id for r in rows})
    if missing:
        raise NotFound(f"no dump with id {', '.join(missing[:10])}: `ingest status` lists the known ones")
    busy = [r.id for r in rows if r.state == "processing" and not expired(r.claimed_at, policy)]
    todo = [r.id for r in rows if r.id not in set(busy)]
    fresh = or_(dumps.c.state != "processing", dumps.c.claimed_at.is_(None), dumps.c.claimed_at < cutoff(policy))
    requeued = []
    for chunk in chunks(todo):
        conn.execute(update(dumps).where(dumps.c.id.in_(chunk), fresh).values(
            state="queued", error=None, attempts=0, lease=None, holder=None, claimed_at=None, mode=mode,
            updated_at=now(), finished_at=None))
        requeued += chunk
    return Requeued(requeued, busy)


@dataclass(frozen=True)
class Reaped:
    requeued: list[str]        # expired leases taken back: queued again, to be sent
    crashed: list[str]         # expired after max_attempts claims: failed


def reap(conn: Connection, policy: Policy) -> Reaped:
    """Take back every expired lease: the dump is queued again, or failed once it has crashed
    its worker max_attempts times."""
    rows = conn.execute(select(dumps.c.id, dumps.c.state, dumps.c.lease, dumps.c.attempts)
                        .where(dumps.c.state == "processing", dumps.c.claimed_at < cutoff(policy))).mappings().all()
    requeued, crashed = [], []
    for row in rows:
        if row["attempts"] >= policy.max_attempts:
            if guarded(conn, row["id"], row, state="failed", error=crashed_reason(row["attempts"]), lease=None,
                        finished_at=now()):
                crashed.append(row["id"])
        elif guarded(conn, row["id"], row, state="queued", lease=None, holder=None, claimed_at=None):
            requeued.append(row["id"])
    return Reaped(requeued, crashed)


def unsent(conn: Connection, policy: Policy, limit: int = 5000) -> list[tuple[str, object]]:
    """Queued dumps older than the resend grace: (id, updated_at), oldest first."""
    cutoff = now() - timedelta(seconds=policy.resend_grace)
    return [tuple(r) for r in conn.execute(select(dumps.c.id, dumps.c.updated_at)
                                           .where(dumps.c.state == "queued", dumps.c.updated_at < cutoff)
                                           .order_by(dumps.c.updated_at).limit(limit))]


def mark_resent(conn: Connection, dump_id: str, seen_updated_at) -> bool:
    """Stamp a queued dump as re-sent, unless someone else did (or it was claimed) since."""
    done = conn.execute(update(dumps).where(dumps.c.id == dump_id, dumps.c.state == "queued",
                                            dumps.c.updated_at == seen_updated_at).values(updated_at=now()))
    return done.rowcount == 1


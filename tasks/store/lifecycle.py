"""The dump lifecycle: queued -> processing -> done | failed, each transition conditional.

A claim takes a lease (tasks/policy.py): an attempt token, the holder's id (the Celery task
id) and the claim time. Every later transition names the token and changes the row only if
that lease is still the current one, so a late or duplicate attempt can never overwrite the
outcome of the attempt that owns the dump. A dump whose lease expired is taken back by the
reaper (`reap`), or taken over by its own task redelivered after its worker died; each such
takeover counts as a crash, and `max_attempts` crashes end it `failed`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, and_, bindparam, select, update

from tasks.errors import NotFound
from tasks.policy import Policy, crashed_reason
from tasks.store.dumps import now
from tasks.store.schema import dumps

MAX_REASON_CHARS = 1000
CHUNK = 500     # ids per IN list: far below every database's parameter limit


@dataclass(frozen=True)
class Lease:
    """The claim of one attempt on a dump: only it may finish or fail the dump."""
    dump_id: str
    token: str
    source_file: str
    attempt: int
    mode: str | None = None      # None: full processing; "classify": re-classify only


@dataclass(frozen=True)
class Refused:
    """The dump was not claimed: it is finished, or another live attempt holds it."""
    dump_id: str
    state: str
    reason: str
    failed_now: bool = False     # this claim found it crashed its worker too often, and failed it


def brief(reason: str, limit: int = MAX_REASON_CHARS) -> str:
    """A reason fit for a summary: one paragraph, at most `limit` characters."""
    reason = " ".join(str(reason).split())
    return reason if len(reason) <= limit else reason[:limit - 1] + "…"


def cutoff(policy: Policy):
    return now() - timedelta(seconds=policy.lease_seconds)


def expired(claimed_at, policy: Policy) -> bool:
    return claimed_at is None or age(claimed_at) > policy.lease_seconds


def age(claimed_at) -> float:
    """Seconds since a claim (SQLite gives back the naive UTC it was given)."""
    if claimed_at.tzinfo is None:
        claimed_at = claimed_at.replace(tzinfo=now().tzinfo)
    return (now() - claimed_at).total_seconds()


_CLAIM_COLUMNS = (dumps.c.state, dumps.c.lease, dumps.c.holder, dumps.c.claimed_at, dumps.c.attempts,
                  dumps.c.source_file, dumps.c.mode)


def claim(conn: Connection, dump_id: str, holder: str, token: str, policy: Policy) -> Lease | Refused:
    """Take the lease on a dump (see the module docstring for who may)."""
    row = conn.execute(select(*_CLAIM_COLUMNS).where(dumps.c.id == dump_id)).mappings().first()
    if row is None:
        raise NotFound(f"no dump with id {dump_id!r}: `ingest status` lists the known ones")
    return _claim_row(conn, dump_id, row, holder, token, policy)


def claim_many(conn: Connection, wanted: list[tuple[str, str, str]], policy: Policy) -> list[Lease | Refused]:
    """`claim` for several (dump id, holder, token) in one transaction, in the order given: their
    rows read in one query; the queued ones (nearly all) taken by one guarded update for all,
    checked by reading their leases back; any other by `claim`'s own rules. An unknown id is
    refused (it may have been deleted since it was listed), never an error for the others."""
    rows = {}
    for chunk in chunks([dump_id for dump_id, _, _ in wanted]):
        rows.update((r["id"], r) for r in conn.execute(select(dumps.c.id, *_CLAIM_COLUMNS)
                                                       .where(dumps.c.id.in_(chunk))).mappings())
    plain = [w for w in wanted if w[0] in rows and rows[w[0]]["state"] == "queued" and rows[w[0]]["lease"] is None]
    taken = _take_queued(conn, plain, rows)
    out = []
    for dump_id, holder, token in wanted:
        row = rows.get(dump_id)
        if row is None:
            out.append(Refused(dump_id, "missing", f"no dump with id {dump_id!r}"))
        elif dump_id in taken:
            out.append(Lease(dump_id, token, row["source_file"], row["attempts"] + 1, row["mode"])
                       if taken[dump_id] == token else Refused(dump_id, "queued", "another attempt took it first"))
        else:
            out.append(_claim_row(conn, dump_id, row, holder, token, policy))
    return out


def _take_queued(conn: Connection, wanted: list[tuple[str, str, str]], rows: dict) -> dict[str, str | None]:
    """queued -> processing for these (dump id, holder, token), one statement for all, each row
    only if still queued without a lease; {dump id: the lease it holds now}."""
    if not wanted:
        return {}
    stamp = now()
    conn.execute(update(dumps).where(dumps.c.id == bindparam("b_id"), dumps.c.state == "queued",
                                     dumps.c.lease.is_(None))
                 .values(state="processing", lease=bindparam("b_lease"), holder=bindparam("b_holder"),
                         claimed_at=stamp, updated_at=stamp, attempts=bindparam("b_attempts")),
                 [{"b_id": i, "b_lease": t, "b_holder": h[:64], "b_attempts": rows[i]["attempts"] + 1}
                  for i, h, t in wanted])
    taken: dict[str, str | None] = {}
    for chunk in chunks([i for i, _, _ in wanted]):
        taken.update(conn.execute(select(dumps.c.id, dumps.c.lease).where(dumps.c.id.in_(chunk))).all())
    return taken


def _claim_row(conn: Connection, dump_id: str, row, holder: str, token: str, policy: Policy) -> Lease | Refused:
    state, attempts = row["state"], row["attempts"]
    if state == "processing" and row["lease"] == token:       # our own claim: a retry resumes it
        guarded(conn, dump_id, row, claimed_at=now())
        return Lease(dump_id, token, row["source_file"], attempts, row["mode"])
    if state == "processing":
        abandoned = row["holder"] == holder or expired(row["claimed_at"], policy)
        if not abandoned:
            return Refused(dump_id, state, "another worker holds it (its lease is fresh)")
        if attempts >= policy.max_attempts:
            reason = crashed_reason(attempts)
            if guarded(conn, dump_id, row, state="failed", error=reason, finished_at=now(), lease=None):
                return Refused(dump_id, "failed", reason, failed_now=True)
            return Refused(dump_id, state, "another attempt took it first")
    elif state != "queued":
        return Refused(dump_id, state, f"it is {state}")
    if not guarded(conn, dump_id, row, state="processing", lease=token, holder=holder[:64], claimed_at=now(),
                    attempts=attempts + 1):
        return Refused(dump_id, state, "another attempt took it first")
    return Lease(dump_id, token, row["source_file"], attempts + 1, row["mode"])


def guarded(conn: Connection, dump_id: str, seen, **values) -> bool:
    """Update the row only if it is still in the state and lease it was seen in."""
    lease = dumps.c.lease.is_(None) if seen["lease"] is None else dumps.c.lease == seen["lease"]
    done = conn.execute(update(dumps).where(dumps.c.id == dump_id, dumps.c.state == seen["state"], lease)
                        .values(updated_at=now(), **values))
    return done.rowcount == 1


def _held(dump_id: str, token: str | None):
    """The dump is processing under this lease (token None: under any lease, for tools and tests)."""
    held = and_(dumps.c.id == dump_id, dumps.c.state == "processing")
    return held if token is None else and_(held, dumps.c.lease == token)


def holds(conn: Connection, dump_id: str, token: str | None) -> bool:
    return conn.execute(select(dumps.c.id).where(_held(dump_id, token))).first() is not None


def holding(conn: Connection, leases: list[tuple[str, str | None]]) -> set[str]:
    """`holds` for many (dump id, token) in one query: the ids still processing under them."""
    lease_of = dict(leases)
    found = set()
    for chunk in chunks(list(lease_of)):
        rows = conn.execute(select(dumps.c.id, dumps.c.lease)
                            .where(dumps.c.id.in_(chunk), dumps.c.state == "processing"))
        found.update(i for i, lease in rows if lease_of[i] is None or lease_of[i] == lease)
    return found


def finish_many(conn: Connection, done: list[tuple[str, str | None, int, str | None]], version: str) -> None:
    """`finish` for several (dump id, token, articles, warnings), one executemany for those
    held under a lease token (the others, for tools and tests, one by one)."""
    stamp = now()
    leased = [{"b_id": d, "b_lease": t, "articles": n, "warnings": w} for d, t, n, w in done if t is not None]
    if leased:
        conn.execute(update(dumps).where(dumps.c.id == bindparam("b_id"), dumps.c.state == "processing",
                                         dumps.c.lease == bindparam("b_lease"))
                     .values(state="done", error=None, articles=bindparam("articles"), pipeline_version=version,
                             lease=None, mode=None, warnings=bindparam("warnings"), updated_at=stamp, finished_at=stamp),
                     leased)
    for dump_id, token, n, warnings in done:
        if token is None:
            finish(conn, dump_id, None, n, version, warnings)


def finish(conn: Connection, dump_id: str, token: str | None, n_articles: int, version: str,
           warnings: str | None = None, keep_warnings: bool = False) -> bool:
    """processing -> done, by the lease holder only."""
    stamp = now()
    kept = {} if keep_warnings else {"warnings": warnings}
    done = conn.execute(update(dumps).where(_held(dump_id, token)).values(
        state="done", error=None, articles=n_articles, pipeline_version=version, lease=None, mode=None, **kept,
        updated_at=stamp, finished_at=stamp))
    return done.rowcount == 1


def fail(conn: Connection, dump_id: str, token: str | None, reason: str) -> bool:
    """processing -> failed with a reason, by the lease holder only."""
    stamp = now()
    done = conn.execute(update(dumps).where(_held(dump_id, token)).values(
        state="failed", error=brief(reason), articles=0, lease=None, mode=None, updated_at=stamp,
        finished_at=stamp))
    return done.rowcount == 1


def release(conn: Connection, dump_id: str, token: str) -> bool:
    """processing -> queued, by the lease holder that stops before it could finish (Ctrl-C of
    an embedded run): the dump waits for the next run, and the attempt does not count."""
    done = conn.execute(update(dumps).where(_held(dump_id, token)).values(
        state="queued", lease=None, holder=None, claimed_at=None, attempts=dumps.c.attempts - 1,
        updated_at=now()))
    return done.rowcount == 1


def chunks(ids: list[str]):
    """The ids in lists of CHUNK, for IN lists."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]

"""The dedup index: a bounded number of rows per original article, apart from the article rows.

Per original (see tasks/stages/dedup/sketch.py for what the values are):
- `dedup_sketches`: one row, its bottom-k sketch (SKETCH 32-bit values), its number of
  distinct 5-grams, and the lookup keys it was indexed under;
- `dedup_keys`: KEYS rows (key, article_seq), the first of its lookup keys whose posting list
  holds fewer than CAP articles. A key already in CAP articles (boilerplate: a line many
  articles share) takes no more, so no lookup ever reads a long posting list, and the
  article is indexed under its next keys instead.

A new text is looked up by all its QUERY keys (`lookup`, one query for a whole batch of
drafts); the rows give the candidates' sketches, which `dedup.overlap` compares.

Race-freedom without one fleet-wide lock (PostgreSQL, `lock`): a writer takes transaction
advisory locks on the lookup keys and the exact hash of every text it stores, sorted (no
deadlock), before it looks them up. Two near duplicates share a key that one stores and the
other looks up, so the second waits for the first to commit and then sees it; unrelated
articles share no lock and commit in parallel. SQLite has one writer at a time anyway.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Connection, insert

from tasks.stages.dedup import sketch as dedup_sketch
from tasks.stages.model import Fingerprint, Match
from tasks.store.schema import dedup_keys, dedup_sketches

KEYS = 8    # keys stored per original (8 keep the index under 1 KB an article on PostgreSQL)
CAP = 32    # articles per key at most
CHUNK = 500
_KEY_LOCK, _EXACT_LOCK = 1 << 32, 2 << 32   # advisory lock ids: namespace in the high word

_POSTINGS = {
    # CROSS JOIN: SQLite takes the keys as the outer loop, then probes the primary key (key, seq)
    "sqlite": "SELECT k.key, k.article_seq FROM json_each(?) AS j CROSS JOIN dedup_keys k ON k.key = j.value",
    "postgresql": "SELECT key, article_seq FROM dedup_keys WHERE key = ANY(%s::int4[])",
}
_ORIGINALS = {
    "sqlite": "SELECT s.article_seq, a.id, s.size, s.sketch FROM json_each(?) AS j "
              "CROSS JOIN dedup_sketches s ON s.article_seq = j.value JOIN articles a ON a.seq = s.article_seq",
    "postgresql": "SELECT s.article_seq, a.id, s.size, s.sketch FROM dedup_sketches s "
                  "JOIN articles a ON a.seq = s.article_seq WHERE s.article_seq = ANY(%s::int4[])",
}
_STORED_KEYS = {
    "sqlite": "SELECT s.article_seq, s.keys FROM json_each(?) AS j CROSS JOIN dedup_sketches s "
              "ON s.article_seq = j.value",
    "postgresql": "SELECT article_seq, keys FROM dedup_sketches WHERE article_seq = ANY(%s::int4[])",
}
_DELETE_KEY = {"sqlite": "DELETE FROM dedup_keys WHERE key = ? AND article_seq = ?",
               "postgresql": "DELETE FROM dedup_keys WHERE key = %s AND article_seq = %s"}
_DELETE_SKETCH = {
    "sqlite": "DELETE FROM dedup_sketches WHERE article_seq IN (SELECT value FROM json_each(?))",
    "postgresql": "DELETE FROM dedup_sketches WHERE article_seq = ANY(%s::int4[])",
}
_LOCK = ("SELECT count(pg_advisory_xact_lock(k)) FROM "
         "(SELECT k FROM unnest(%s::int8[]) AS t(k) ORDER BY k) AS sorted")


@dataclass(frozen=True)
class Stored:
    """An indexed original, as a lookup returns it."""
    seq: int
    article_id: str
    size: int
    sketch: tuple[int, ...]


@dataclass
class Lookup:
    """What the index holds for a batch's keys: each key's postings, and the originals read
    (`stored`): those among the first candidates of the texts looked up, the others read when a
    later `candidates` asks for them (`fetch`)."""
    postings: dict[int, list[int]]
    stored: dict[int, Stored]
    fetch: Callable[[list[int]], dict[int, Stored]] | None = None

    def candidates(self, fp: Fingerprint, before: int | None = None, limit: int = 20) -> list[Match]:
        """The originals sharing most keys with `fp` (those stored before seq `before`, if given)."""
        while True:
            top = self.ranked(fp, before, limit)
            missing = [seq for seq in top if seq not in self.stored]
            if not missing:
                return [Match(self.stored[seq].article_id, self.stored[seq].sketch, self.stored[seq].size)
                        for seq in top]
            self._read(missing)

    def ranked(self, fp: Fingerprint, before: int | None, limit: int) -> list[int]:
        """The seqs of the `limit` originals (stored before seq `before`, if given) sharing most keys with `fp`."""
        postings = self.postings
        shared = Counter([seq for key in fp.keys for seq in postings.get(key, ()) if before is None or seq < before])
        return [seq for seq, _ in shared.most_common(limit)]

    def _read(self, seqs: list[int]) -> None:
        """Read these originals; a posting whose original is not found (the index takes an
        article's keys and sketch out together) is dropped, as a join would."""
        found = self.fetch(seqs) if self.fetch else {}
        self.stored.update(found)
        gone = set(seqs) - found.keys()
        if gone:
            self.postings = {key: [seq for seq in seqs_ if seq not in gone] for key, seqs_ in self.postings.items()}

    def keys_for(self, fp: Fingerprint) -> list[int]:
        """The keys an original is indexed under: its first KEYS whose postings are not full."""
        chosen: list[int] = []
        for key in dict.fromkeys(fp.keys):
            if len(self.postings.get(key, ())) < CAP:
                chosen.append(key)
                if len(chosen) == KEYS:
                    break
        return chosen

    def add(self, seq: int, article_id: str, fp: Fingerprint, keys: list[int]) -> None:
        """Count an original stored in this batch, so the batch's later drafts see it."""
        self.stored[seq] = Stored(seq, article_id, fp.size, fp.sketch)
        for key in keys:
            self.postings.setdefault(key, []).append(seq)


def _dialect(conn: Connection) -> str:
    return "postgresql" if conn.dialect.name == "postgresql" else "sqlite"


def _array(conn: Connection, values) -> object:
    return list(values) if _dialect(conn) == "postgresql" else json.dumps(list(values))


def lock(conn: Connection, fingerprints: list[Fingerprint]) -> None:
    """PostgreSQL: lock these texts' lookup keys and exact hashes until commit (sorted)."""
    if _dialect(conn) != "postgresql":
        return
    ids = {_KEY_LOCK | (k & 0xFFFFFFFF) for fp in fingerprints for k in fp.keys}
    ids |= {_EXACT_LOCK | int(fp.exact[:8], 16) for fp in fingerprints}
    conn.exec_driver_sql(_LOCK, (sorted(ids),))


def lookup(conn: Connection, fingerprints: list[Fingerprint], memo=None,
           before: list[int | None] | None = None, limit: int = 20) -> Lookup:
    """The postings of every lookup key of these texts (one query), and the originals among
    the first `limit` candidates of each (one more: `Lookup.candidates` with the bound of
    `before`, aligned with the texts; none: all), their sketches unpacked by `memo` (a
    tasks/store/memo.Memo) when given. A batch's keys post ~1.5 times as many originals as its
    texts' candidates hold, and reading an original (its sketch, its article's id) is most of
    the look-up's cost; the others are read only if a later `candidates` asks for them."""
    keys = sorted({k for fp in fingerprints for k in fp.keys})
    postings: dict[int, list[int]] = defaultdict(list)
    dialect = _dialect(conn)
    if keys:
        for key, seq in conn.exec_driver_sql(_POSTINGS[dialect], (_array(conn, keys),)).fetchall():
            postings[key].append(seq)

    def fetch(seqs: list[int]) -> dict[int, Stored]:
        rows = conn.exec_driver_sql(_ORIGINALS[dialect], (_array(conn, sorted(seqs)),)).fetchall() if seqs else []
        return {seq: Stored(seq, aid, size, memo.sketch(seq, bytes(blob)) if memo else dedup_sketch.unpack(bytes(blob)))
                for seq, aid, size, blob in rows}

    found = Lookup(dict(postings), {}, fetch)
    if limit:
        bounds = before or [None] * len(fingerprints)
        found._read(sorted({seq for fp, bound in zip(fingerprints, bounds) for seq in found.ranked(fp, bound, limit)}))
    return found


def add(conn: Connection, entries: list[tuple[int, Fingerprint, list[int]]]) -> None:
    """Index originals: (seq, fingerprint, the keys chosen for it), in two executemany inserts."""
    if not entries:
        return
    conn.execute(insert(dedup_sketches), [
        {"article_seq": seq, "size": fp.size, "sketch": dedup_sketch.pack(fp.sketch),
         "keys": dedup_sketch.pack(tuple(k & 0xFFFFFFFF for k in keys))} for seq, fp, keys in entries])
    rows = [{"key": k, "article_seq": seq} for seq, _, keys in entries for k in keys]
    if rows:
        conn.execute(insert(dedup_keys), rows)


def add_texts(conn: Connection, texts: list[tuple[int, str]]) -> None:
    """Index originals from their text (an heir promoted, a migration): keys chosen as for a new one."""
    for start in range(0, len(texts), CHUNK):
        part = [(seq, dedup_sketch.fingerprint(text)) for seq, text in texts[start:start + CHUNK]]
        found = lookup(conn, [fp for _, fp in part], limit=0)   # keys_for reads the postings alone
        entries = []
        for seq, fp in part:
            keys = found.keys_for(fp)
            found.add(seq, "", fp, keys)
            entries.append((seq, fp, keys))
        add(conn, entries)


def remove(conn: Connection, seqs: list[int]) -> None:
    """Take these articles out of the index (deleted, or no longer originals)."""
    dialect = _dialect(conn)
    for start in range(0, len(seqs), CHUNK):
        part = _array(conn, seqs[start:start + CHUNK])
        pairs = [(_signed32(k), seq) for seq, blob in conn.exec_driver_sql(_STORED_KEYS[dialect], (part,))
                 for k in dedup_sketch.unpack(bytes(blob))]
        if pairs:
            conn.exec_driver_sql(_DELETE_KEY[dialect], pairs)
        conn.exec_driver_sql(_DELETE_SKETCH[dialect], (part,))


def _signed32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value

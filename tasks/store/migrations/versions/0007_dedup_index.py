"""A bounded dedup index, and learned templates read by an index: `dedup_sketches` (one row per original: bottom-k sketch, size, keys)
and `dedup_keys` (a few lookup keys per original, postings capped) replace `shingles` (~108
rows per original, unbounded postings). Existing originals are indexed from their stored text,
in seq order, as if they arrived now (tasks/store/index.py); `shingles` is dropped.
`ix_template_lines_frequent` (source, articles) lets a source's template lines be read
without scanning all its lines (tasks/store/templates.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

from tasks.stages.dedup.sketch import SHINGLE, tokens

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CHUNK = 500


def upgrade() -> None:
    op.create_table(
        "dedup_sketches",
        sa.Column("article_seq", sa.Integer, sa.ForeignKey("articles.seq", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sketch", sa.LargeBinary, nullable=False),
        sa.Column("keys", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "dedup_keys",
        sa.Column("key", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("article_seq", sa.Integer, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    _index_originals(op.get_bind())
    op.create_index("ix_template_lines_frequent", "template_lines", ["source", "articles"])
    op.drop_index("ix_shingles_article", table_name="shingles")
    op.drop_table("shingles")


def _index_originals(conn) -> None:
    from tasks.store import index   # the index as this release keeps it
    seqs = [r[0] for r in conn.execute(sa.text("SELECT seq FROM articles WHERE status = 'original' ORDER BY seq"))]
    for start in range(0, len(seqs), CHUNK):
        part = seqs[start:start + CHUNK]
        rows = conn.execute(sa.text("SELECT seq, text FROM articles WHERE seq >= :lo AND seq <= :hi "
                                    "AND status = 'original' ORDER BY seq"), {"lo": part[0], "hi": part[-1]}).all()
        index.add_texts(conn, [(seq, text) for seq, text in rows])


def downgrade() -> None:
    op.drop_index("ix_template_lines_frequent", table_name="template_lines")
    op.create_table(
        "shingles",
        sa.Column("hash", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("article_seq", sa.Integer, sa.ForeignKey("articles.seq", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
    )
    op.create_index("ix_shingles_article", "shingles", ["article_seq"])
    conn = op.get_bind()
    shingles = sa.table("shingles", sa.column("hash"), sa.column("article_seq"))
    for seq, text in conn.execute(sa.text("SELECT seq, text FROM articles WHERE status = 'original'")).all():
        sample = _old_sample(text)
        if sample:
            conn.execute(shingles.insert(), [{"hash": h, "article_seq": seq} for h in sorted(sample)])
    op.drop_table("dedup_keys")
    op.drop_table("dedup_sketches")


def _old_sample(text: str) -> set[int]:
    """Release 0006's index of a text: its 5-gram hashes (signed 64-bit) divisible by 4."""
    import hashlib
    words = tokens(text)
    grams = {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    hashes = (int.from_bytes(hashlib.blake2b(g.encode("utf8"), digest_size=8).digest(), "big", signed=True)
              for g in grams)
    return {h for h in hashes if h % 4 == 0}

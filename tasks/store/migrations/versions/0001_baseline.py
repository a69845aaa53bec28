"""Baseline: the schema of release 0.1.0, as `create_all` made it.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dumps",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("path", sa.Text),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("raw_gz", sa.LargeBinary),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("pipeline_version", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_dumps_state", "dumps", ["state", "updated_at"])
    op.create_table(
        "template_sources",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False),
    )
    op.create_table(
        "template_lines",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("hash", sa.BigInteger, primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(48), nullable=False),
        sa.Column("dump_id", sa.String(32), sa.ForeignKey("dumps.id"), nullable=False),
        sa.Column("record_index", sa.Integer, nullable=False),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published", sa.String(10)),
        sa.Column("source", sa.Text),
        sa.Column("language", sa.String(8)),
        sa.Column("url", sa.Text),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("classifier", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("duplicate_of", sa.String(48)),
        sa.Column("dup_kind", sa.String(8)),
        sa.Column("dup_containment", sa.Float),
        sa.Column("dup_jaccard", sa.Float),
        sa.Column("exact_hash", sa.String(32), nullable=False),
        sa.Column("sample_size", sa.Integer, nullable=False),
        sa.Column("pipeline_version", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("id"),
    )
    op.create_index("ix_articles_exact_hash", "articles", ["exact_hash"])
    op.create_index("ix_articles_dump_id", "articles", ["dump_id"])
    op.create_table(
        "shingles",
        sa.Column("hash", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("article_seq", sa.Integer, sa.ForeignKey("articles.seq", ondelete="CASCADE"),
                  primary_key=True, autoincrement=False),
    )
    op.create_index("ix_shingles_article", "shingles", ["article_seq"])


def downgrade() -> None:
    for table in ("shingles", "articles", "template_lines", "template_sources", "dumps"):
        op.drop_table(table)

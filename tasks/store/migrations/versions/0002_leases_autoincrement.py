"""Dump leases (claim token, holder, claim time), a re-classify-only mode, and SQLite
AUTOINCREMENT for articles.seq (a seq is never reused: the dedup horizon relies on it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dumps") as batch:
        batch.add_column(sa.Column("lease", sa.String(32)))
        batch.add_column(sa.Column("holder", sa.String(64)))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("mode", sa.String(16)))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite can only add AUTOINCREMENT by rebuilding the table (rows and seqs are copied;
        # the migration runs with foreign keys off, so the shingles pointing here stay).
        with op.batch_alter_table("articles", recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}) as batch:
            batch.alter_column("seq", existing_type=sa.Integer, autoincrement=True)


def downgrade() -> None:
    with op.batch_alter_table("dumps") as batch:
        for name in ("mode", "claimed_at", "holder", "lease"):
            batch.drop_column(name)

"""Dumps keep the sha256 of their name and bytes and the mtime they were registered with, and
are looked up by path: a dump over the size limit is known by its content (a requeue that finds
other bytes at its path fails), and a known file is recognised by one stat (path, size, mtime).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dumps") as batch:
        batch.add_column(sa.Column("sha256", sa.String(64)))
        batch.add_column(sa.Column("mtime_ns", sa.BigInteger))
    op.create_index("ix_dumps_path", "dumps", ["path"])


def downgrade() -> None:
    op.drop_index("ix_dumps_path", table_name="dumps")
    with op.batch_alter_table("dumps") as batch:
        batch.drop_column("mtime_ns")
        batch.drop_column("sha256")

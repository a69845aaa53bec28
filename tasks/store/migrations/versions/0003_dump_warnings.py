"""Dump warnings: the records of a done dump that gave no article (JSON Lines that do not
parse, records without text), with the first error, so nothing is dropped unseen.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dumps") as batch:
        batch.add_column(sa.Column("warnings", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("dumps") as batch:
        batch.drop_column("warnings")

"""Stories and rewrites: the stories table and its key index; each article's story_id,
rewrite link (rewrite_of, rewrite_score) and story signature (its heaviest body terms).
Articles stored before this revision keep a NULL story_id until they are re-processed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stories',
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('first_article', sa.String(length=48), nullable=False),
    sa.Column('last_article', sa.String(length=48), nullable=False),
    sa.Column('first_date', sa.String(length=10), nullable=True),
    sa.Column('last_date', sa.String(length=10), nullable=True),
    sa.Column('first_seq', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('touched', sa.BigInteger(), nullable=False),
    sa.Column('centroid', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index('ix_stories_last_date', ['last_date'], unique=False)
        batch_op.create_index('ix_stories_touched', ['touched'], unique=False)

    op.create_table('story_keys',
    sa.Column('hash', sa.BigInteger(), nullable=False),
    sa.Column('story_id', sa.String(length=48), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hash', 'story_id')
    )
    with op.batch_alter_table('story_keys', schema=None) as batch_op:
        batch_op.create_index('ix_story_keys_story', ['story_id'], unique=False)

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('story_id', sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column('rewrite_of', sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column('rewrite_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('story_sig', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_articles_story_id'), ['story_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_story_id'))
        batch_op.drop_column('story_sig')
        batch_op.drop_column('rewrite_score')
        batch_op.drop_column('rewrite_of')
        batch_op.drop_column('story_id')

    with op.batch_alter_table('story_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_story_keys_story')

    op.drop_table('story_keys')
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_index('ix_stories_touched')
        batch_op.drop_index('ix_stories_last_date')

    op.drop_table('stories')

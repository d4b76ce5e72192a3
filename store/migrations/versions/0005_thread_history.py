"""thread history: comment edits, permalinks and files; lead followers

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment') as b:
        b.add_column(sa.Column('edit_ts', sa.String(length=32), nullable=True))
        b.add_column(sa.Column('permalink', sa.String(length=500), nullable=True))
        b.add_column(sa.Column('files', sa.JSON(), nullable=True))
    op.create_table(
        'lead_follower',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.id']),
        sa.ForeignKeyConstraint(['team_id'], ['team.id']),
        sa.PrimaryKeyConstraint('team_id', 'lead_id', 'user_id'),
    )


def downgrade() -> None:
    op.drop_table('lead_follower')
    with op.batch_alter_table('comment') as b:
        b.drop_column('files')
        b.drop_column('permalink')
        b.drop_column('edit_ts')

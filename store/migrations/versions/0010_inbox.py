"""the inbox: Slack's requests stored raw before they are acknowledged, and processed from there

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

UTC = sa.DateTime(timezone=True)

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True, autoincrement=True),
        sa.Column('team_id', sa.String(32), nullable=False),
        sa.Column('key', sa.String(200), nullable=False),
        sa.Column('kind', sa.String(40), nullable=False),
        sa.Column('content_type', sa.String(100), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_at', UTC, nullable=True),
        sa.Column('claim_token', sa.String(32), nullable=True),
        sa.Column('next_attempt_at', UTC, nullable=False),
        sa.Column('last_error', sa.String(200), nullable=True),
        sa.Column('received_at', UTC, nullable=False),
        sa.Column('done_at', UTC, nullable=True),
    )
    op.create_index('uq_inbox_key', 'inbox', ['key'], unique=True)
    op.create_index('ix_inbox_state', 'inbox', ['state', 'next_attempt_at'])
    op.create_index('ix_inbox_team_state', 'inbox', ['team_id', 'state'])
    op.create_index('ix_inbox_done', 'inbox', ['done_at'])


def downgrade() -> None:
    op.drop_table('inbox')

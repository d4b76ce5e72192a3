"""the lead card's digest: what Slack shows now, so a change that leaves the card as it was edits nothing

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lead') as b:
        b.add_column(sa.Column('card_digest', sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table('lead') as b:
        b.drop_column('card_digest')

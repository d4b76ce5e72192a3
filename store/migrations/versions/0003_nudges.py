"""nudges: follow-up nudging state, member digest settings, notifications owed

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table('follow_up') as b:
        b.add_column(sa.Column('next_nudge_at', sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column('nudges_sent', sa.Integer(), server_default='0', nullable=False))
        b.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        b.create_index('ix_follow_up_next_nudge', ['next_nudge_at'])
    op.execute("UPDATE follow_up SET next_nudge_at = due_at WHERE state = 'open'")
    with op.batch_alter_table('member') as b:
        b.add_column(sa.Column('digest_enabled', sa.Boolean(), server_default=sa.true(), nullable=False))
        b.add_column(sa.Column('digest_time', sa.String(length=5), server_default='09:00', nullable=False))
    op.create_table(
        'notification',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('follow_up_id', ID, nullable=True),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claim_token', sa.String(length=32), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('channel', sa.String(length=32), nullable=True),
        sa.Column('ts', sa.String(length=32), nullable=True),
        sa.Column('acted', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id']),
        sa.ForeignKeyConstraint(['team_id'], ['team.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'key', name='uq_notification_key'),
    )
    op.create_index('ix_notification_pending', 'notification', ['state', 'next_attempt_at'])
    op.create_index('ix_notification_follow_up', 'notification', ['follow_up_id'])


def downgrade() -> None:
    op.drop_index('ix_notification_follow_up', table_name='notification')
    op.drop_index('ix_notification_pending', table_name='notification')
    op.drop_table('notification')
    with op.batch_alter_table('member') as b:
        b.drop_column('digest_time')
        b.drop_column('digest_enabled')
    with op.batch_alter_table('follow_up') as b:
        b.drop_index('ix_follow_up_next_nudge')
        b.drop_column('escalated_at')
        b.drop_column('nudges_sent')
        b.drop_column('next_nudge_at')

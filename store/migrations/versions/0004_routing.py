"""routing: queues and their members, availability, lead routing and first-touch SLA, external ids

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'routing_queue',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('channel_id', sa.String(length=32), nullable=False),
        sa.Column('segment', sa.String(length=40), nullable=True),
        sa.Column('sla_minutes', sa.Integer(), nullable=False),
        sa.Column('on_breach', sa.String(length=16), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('routed', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['team.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'name', name='uq_routing_queue_name'),
    )
    op.create_table(
        'queue_member',
        sa.Column('queue_id', ID, nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('current', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('assigned', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['queue_id'], ['routing_queue.id']),
        sa.ForeignKeyConstraint(['team_id'], ['team.id']),
        sa.PrimaryKeyConstraint('queue_id', 'user_id'),
    )
    with op.batch_alter_table('member') as b:
        b.add_column(sa.Column('away_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('assignment') as b:
        b.add_column(sa.Column('kind', sa.String(length=16), nullable=True))
    with op.batch_alter_table('lead') as b:
        b.add_column(sa.Column('external_id', sa.String(length=200), nullable=True))
        b.add_column(sa.Column('queue_id', ID, nullable=True))
        b.add_column(sa.Column('routing_reason', sa.String(length=300), nullable=True))
        b.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column('sla_due_at', sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column('sla_breached_at', sa.DateTime(timezone=True), nullable=True))
        b.create_foreign_key('fk_lead_queue', 'routing_queue', ['queue_id'], ['id'])
        b.create_index('ix_lead_sla_due', ['sla_due_at'])
        b.create_unique_constraint('uq_lead_external_id', ['team_id', 'external_id'])


def downgrade() -> None:
    with op.batch_alter_table('lead') as b:
        b.drop_constraint('uq_lead_external_id', type_='unique')
        b.drop_index('ix_lead_sla_due')
        b.drop_constraint('fk_lead_queue', type_='foreignkey')
        for col in ('sla_breached_at', 'sla_due_at', 'accepted_at', 'routing_reason', 'queue_id', 'external_id'):
            b.drop_column(col)
    with op.batch_alter_table('assignment') as b:
        b.drop_column('kind')
    with op.batch_alter_table('member') as b:
        b.drop_column('away_until')
    op.drop_table('queue_member')
    op.drop_table('routing_queue')

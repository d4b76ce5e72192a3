"""reports and the Home: connect-rate roll-ups, uploaded charts, contact hours and zones of organizations, and
indexes for reading a period (activities, status changes, arrivals, routings, deals) and followed leads

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_activity_team_time', 'activity', ['team_id', 'occurred_at', 'actor_id', 'kind', 'outcome', 'lead_id']),
    ('ix_status_change_team_time', 'status_change', ['team_id', 'changed_at', 'to_status']),
    ('ix_lead_team_arrived', 'lead', ['team_id', 'arrived_at']),
    ('ix_lead_team_routed', 'lead', ['team_id', 'routed_at']),
    ('ix_lead_team_breached', 'lead', ['team_id', 'sla_breached_at']),
    ('ix_deal_team_created', 'deal', ['team_id', 'created_at']),
    ('ix_deal_team_won', 'deal', ['team_id', 'won_at']),
    ('ix_deal_team_lost', 'deal', ['team_id', 'lost_at']),
    ('ix_lead_follower_user', 'lead_follower', ['team_id', 'user_id']),
]


def upgrade() -> None:
    with op.batch_alter_table('organization') as b:
        b.add_column(sa.Column('tz', sa.String(length=64), nullable=True))
        b.add_column(sa.Column('contact_days', sa.String(length=7), nullable=True))
        b.add_column(sa.Column('contact_from', sa.String(length=5), nullable=True))
        b.add_column(sa.Column('contact_to', sa.String(length=5), nullable=True))
        b.add_column(sa.Column('contact_note', sa.String(length=300), nullable=True))
    op.create_table(
        'contact_stat',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('scope', sa.String(length=120), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('hour', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.BigInteger(), nullable=False),
        sa.Column('connects', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['team.id']),
        sa.PrimaryKeyConstraint('team_id', 'scope', 'weekday', 'hour'),
    )
    op.create_table(
        'chart_file',
        sa.Column('team_id', sa.String(length=32), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('file_id', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['team.id']),
        sa.PrimaryKeyConstraint('team_id', 'digest'),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar():
        bind.exec_driver_sql('ANALYZE')  # statistics that know the new indexes (see 0006)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table('chart_file')
    op.drop_table('contact_stat')
    with op.batch_alter_table('organization') as b:
        for column in ('contact_note', 'contact_to', 'contact_from', 'contact_days', 'tz'):
            b.drop_column(column)

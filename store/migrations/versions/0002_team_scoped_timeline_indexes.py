"""team-scoped timeline indexes

Every timeline query filters on (team_id, lead_id). With team_id inside the index, counting a busy
lead's 100,000 activities reads the index alone instead of every row.

Revision ID: 0002
Revises: 0001
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# table -> (old index, old columns, new index, new columns)
CHANGES = {
    'activity': ('ix_activity_lead_time', ['lead_id', 'occurred_at'],
                 'ix_activity_team_lead_time', ['team_id', 'lead_id', 'occurred_at']),
    'status_change': ('ix_status_change_lead_time', ['lead_id', 'changed_at'],
                      'ix_status_change_team_lead_time', ['team_id', 'lead_id', 'changed_at']),
    'assignment': ('ix_assignment_lead_time', ['lead_id', 'assigned_at'],
                   'ix_assignment_team_lead_time', ['team_id', 'lead_id', 'assigned_at']),
    'comment': ('ix_comment_lead_ts', ['lead_id', 'posted_at'],
                'ix_comment_team_lead_time', ['team_id', 'lead_id', 'posted_at']),
    'follow_up': ('ix_follow_up_lead', ['lead_id', 'state'],
                  'ix_follow_up_team_lead', ['team_id', 'lead_id', 'state']),
}


def upgrade() -> None:
    for table, (old, _old_cols, new, new_cols) in CHANGES.items():
        op.create_index(new, table, new_cols)
        op.drop_index(old, table_name=table)


def downgrade() -> None:
    for table, (old, old_cols, new, _new_cols) in CHANGES.items():
        op.create_index(old, table, old_cols)
        op.drop_index(new, table_name=table)

"""installs for many workspaces: slack_sdk's installation and OAuth state tables, a team's install state and
intake token, Slack availability of members, drafts (a shortcut's message until its modal is saved), the audit log, customer channels, attached threads, comments
that belong to an organization (customer channels) and erased contacts

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    # slack_sdk's SQLAlchemyInstallationStore and SQLAlchemyOAuthStateStore tables, as slack_sdk 3.x builds them
    op.create_table(
        'slack_installations',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('client_id', sa.String(32), nullable=False),
        sa.Column('app_id', sa.String(32), nullable=False),
        sa.Column('enterprise_id', sa.String(32)),
        sa.Column('enterprise_name', sa.String(200)),
        sa.Column('enterprise_url', sa.String(200)),
        sa.Column('team_id', sa.String(32)),
        sa.Column('team_name', sa.String(200)),
        sa.Column('bot_token', sa.String(200)),
        sa.Column('bot_id', sa.String(32)),
        sa.Column('bot_user_id', sa.String(32)),
        sa.Column('bot_scopes', sa.String(1000)),
        sa.Column('bot_refresh_token', sa.String(200)),
        sa.Column('bot_token_expires_at', sa.DateTime()),
        sa.Column('user_id', sa.String(32), nullable=False),
        sa.Column('user_token', sa.String(200)),
        sa.Column('user_scopes', sa.String(1000)),
        sa.Column('user_refresh_token', sa.String(200)),
        sa.Column('user_token_expires_at', sa.DateTime()),
        sa.Column('incoming_webhook_url', sa.String(200)),
        sa.Column('incoming_webhook_channel', sa.String(200)),
        sa.Column('incoming_webhook_channel_id', sa.String(200)),
        sa.Column('incoming_webhook_configuration_url', sa.String(200)),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
        sa.Column('token_type', sa.String(32)),
        sa.Column('installed_at', sa.DateTime(), nullable=False),
    )
    op.create_index('slack_installations_idx', 'slack_installations',
                    ['client_id', 'enterprise_id', 'team_id', 'user_id', 'installed_at'])
    op.create_table(
        'slack_bots',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('client_id', sa.String(32), nullable=False),
        sa.Column('app_id', sa.String(32), nullable=False),
        sa.Column('enterprise_id', sa.String(32)),
        sa.Column('enterprise_name', sa.String(200)),
        sa.Column('team_id', sa.String(32)),
        sa.Column('team_name', sa.String(200)),
        sa.Column('bot_token', sa.String(200)),
        sa.Column('bot_id', sa.String(32)),
        sa.Column('bot_user_id', sa.String(32)),
        sa.Column('bot_scopes', sa.String(1000)),
        sa.Column('bot_refresh_token', sa.String(200)),
        sa.Column('bot_token_expires_at', sa.DateTime()),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
        sa.Column('installed_at', sa.DateTime(), nullable=False),
    )
    op.create_index('slack_bots_idx', 'slack_bots', ['client_id', 'enterprise_id', 'team_id', 'installed_at'])
    op.create_table(
        'slack_oauth_states',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('state', sa.String(200), nullable=False),
        sa.Column('expire_at', sa.DateTime(), nullable=False),
    )

    with op.batch_alter_table('team') as b:
        b.add_column(sa.Column('installed_at', UTC, nullable=True))
        b.add_column(sa.Column('uninstalled_at', UTC, nullable=True))
        b.add_column(sa.Column('intake_token_hash', sa.String(64), nullable=True))
    op.create_index('uq_team_intake_token', 'team', ['intake_token_hash'], unique=True)
    with op.batch_alter_table('member') as b:
        b.add_column(sa.Column('status_text', sa.String(150), nullable=True))
        b.add_column(sa.Column('status_emoji', sa.String(100), nullable=True))
        b.add_column(sa.Column('status_expires_at', UTC, nullable=True))
        b.add_column(sa.Column('dnd_until', UTC, nullable=True))
        b.add_column(sa.Column('dnd_checked_at', UTC, nullable=True))
    # Workspace admins are CRM admins through Slack's is_admin; the stored role is manager or rep only.
    op.execute("UPDATE member SET role = 'rep' WHERE role = 'admin'")
    with op.batch_alter_table('contact') as b:
        b.add_column(sa.Column('erased_at', UTC, nullable=True))

    with op.batch_alter_table('comment') as b:
        b.alter_column('lead_id', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                       nullable=True)
        b.add_column(sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                               nullable=True))
        b.add_column(sa.Column('source', sa.String(16), nullable=False, server_default='thread'))
        b.add_column(sa.Column('external', sa.Boolean(), nullable=False, server_default='0'))
        b.add_column(sa.Column('author_name', sa.String(200), nullable=True))
        b.add_column(sa.Column('thread_ts', sa.String(32), nullable=True))
        b.create_foreign_key('fk_comment_organization', 'organization', ['organization_id'], ['id'])
    op.execute("UPDATE comment SET organization_id = (SELECT lead.organization_id FROM lead "
               "WHERE lead.id = comment.lead_id)")
    op.create_index('ix_comment_team_org_time', 'comment', ['team_id', 'organization_id', 'posted_at'])

    op.create_table(
        'audit_entry',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True, autoincrement=True),
        sa.Column('team_id', sa.String(32), sa.ForeignKey('team.id'), nullable=False),
        sa.Column('at', UTC, nullable=False),
        sa.Column('actor_id', sa.String(32), nullable=False),
        sa.Column('action', sa.String(40), nullable=False),
        sa.Column('target', sa.String(200), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=True),
    )
    op.create_index('ix_audit_team_time', 'audit_entry', ['team_id', 'at'])
    op.create_table(
        'linked_channel',
        sa.Column('team_id', sa.String(32), sa.ForeignKey('team.id'), primary_key=True),
        sa.Column('channel_id', sa.String(32), primary_key=True),
        sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  sa.ForeignKey('organization.id'), nullable=False),
        sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.ForeignKey('lead.id'),
                  nullable=True),
        sa.Column('name', sa.String(120), nullable=True),
        sa.Column('is_shared', sa.Boolean(), nullable=False),
        sa.Column('linked_by', sa.String(32), nullable=False),
        sa.Column('linked_at', UTC, nullable=False),
    )
    op.create_index('ix_linked_channel_org', 'linked_channel', ['team_id', 'organization_id'])
    op.create_table(
        'watched_thread',
        sa.Column('team_id', sa.String(32), sa.ForeignKey('team.id'), primary_key=True),
        sa.Column('channel', sa.String(32), primary_key=True),
        sa.Column('thread_ts', sa.String(32), primary_key=True),
        sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.ForeignKey('lead.id'),
                  nullable=False),
        sa.Column('attached_by', sa.String(32), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
    )
    op.create_table(
        'draft',
        sa.Column('team_id', sa.String(32), sa.ForeignKey('team.id'), primary_key=True),
        sa.Column('key', sa.String(200), primary_key=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
    )


def downgrade() -> None:
    op.drop_table('draft')
    op.drop_table('watched_thread')
    op.drop_index('ix_linked_channel_org', table_name='linked_channel')
    op.drop_table('linked_channel')
    op.drop_index('ix_audit_team_time', table_name='audit_entry')
    op.drop_table('audit_entry')
    op.drop_index('ix_comment_team_org_time', table_name='comment')
    op.execute("DELETE FROM comment WHERE lead_id IS NULL")
    with op.batch_alter_table('comment') as b:
        b.drop_constraint('fk_comment_organization', type_='foreignkey')
        for column in ('thread_ts', 'author_name', 'external', 'source', 'organization_id'):
            b.drop_column(column)
        b.alter_column('lead_id', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                       nullable=False)
    with op.batch_alter_table('contact') as b:
        b.drop_column('erased_at')
    with op.batch_alter_table('member') as b:
        for column in ('dnd_checked_at', 'dnd_until', 'status_expires_at', 'status_emoji', 'status_text'):
            b.drop_column(column)
    op.drop_index('uq_team_intake_token', table_name='team')
    with op.batch_alter_table('team') as b:
        for column in ('intake_token_hash', 'uninstalled_at', 'installed_at'):
            b.drop_column(column)
    op.drop_table('slack_oauth_states')
    op.drop_index('slack_bots_idx', table_name='slack_bots')
    op.drop_table('slack_bots')
    op.drop_index('slack_installations_idx', table_name='slack_installations')
    op.drop_table('slack_installations')

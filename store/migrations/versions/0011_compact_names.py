"""organization.compact_key: the name without its spaces, so `부산 베이커리` and `부산베이커리` find each other

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compact_key', sa.String(200), nullable=True))
        batch_op.create_index('ix_organization_team_compact', ['team_id', 'compact_key'], unique=False)
    # name_key is lower-cased with its whitespace collapsed to single spaces: removing those is the compact key
    op.execute("UPDATE organization SET compact_key = REPLACE(name_key, ' ', '')")
    if op.get_bind().dialect.name == "postgresql":  # prefix search (LIKE 'abc%') under any collation
        op.create_index("ix_organization_compact_key_prefix", "organization", ["team_id", "compact_key"],
                        postgresql_ops={"compact_key": "text_pattern_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_organization_compact_key_prefix", table_name="organization")
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_team_compact')
        batch_op.drop_column('compact_key')

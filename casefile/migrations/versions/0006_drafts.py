"""Drafts: the answers of a case-file task under way, kept in the case file (owned by one member of staff) instead of
the conversation store; and earlier agreements, for a record amended after it was agreed and so agreed again.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False, index=True),
        sa.Column("task", sa.String(20), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("saved_record_id", sa.Integer(), sa.ForeignKey("discussion_records.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False, index=True),
    )
    op.create_table(
        "earlier_agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("discussion_records.id"), nullable=False, index=True),
        sa.Column("agreed_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), sa.ForeignKey("amendments.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("earlier_agreements")
    op.drop_table("drafts")

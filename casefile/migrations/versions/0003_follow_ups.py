"""Follow-ups with their reminders and extensions, managers' weekly digests, and the optional "Decision agreed and why"
line of a discussion record (Framework 3.62). Records already stored keep every value; the new line is empty on them.

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("discussion_records") as batch:
        batch.add_column(sa.Column("decision_reasons", sa.Text(), nullable=True))
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("discussion_records.id"), nullable=True, index=True),
        sa.Column("team", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False, index=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.CheckConstraint("kind IN ('action', 'referral_confirmation')", name="kind"),
    )
    op.create_table(
        "follow_up_extensions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("follow_up_id", sa.Integer(), sa.ForeignKey("follow_ups.id"), nullable=False, index=True),
        sa.Column("earlier_due_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("follow_up_id", sa.Integer(), sa.ForeignKey("follow_ups.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("follow_up_id", "kind", "due_at"),
        sa.CheckConstraint("kind IN ('before', 'due')", name="kind"),
    )
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("week_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("staff_id", "week_of"),
    )


def downgrade() -> None:
    for table in ("digests", "reminders", "follow_up_extensions", "follow_ups"):
        op.drop_table(table)
    with op.batch_alter_table("discussion_records") as batch:
        batch.drop_column("decision_reasons")

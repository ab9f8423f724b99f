"""Initial case file schema: staff, identities, cases, discussion records, agreements, amendments, secured files,
later recordings, outbox and audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('practitioner', 'duty_officer', 'service_manager', 'senior_manager', 'admin')", name="role"
        ),
    )
    op.create_table(
        "staff_identities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("channel", "external_id"),
        sa.CheckConstraint("channel IN ('telegram', 'teams', 'terminal', 'rest')", name="channel"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "discussion_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("team", sa.String(100), nullable=False, index=True),
        sa.Column("practitioner_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False, index=True),
        sa.Column("manager_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False, index=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("discussed_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("concern_identified_at", sa.DateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("nature_of_concerns", sa.Text(), nullable=True),
        sa.Column("level_of_risk", sa.Text(), nullable=True),
        sa.Column("where_child_is_now", sa.Text(), nullable=True),
        sa.Column("what_family_told", sa.Text(), nullable=True),
        sa.Column("referral_needed", sa.Text(), nullable=True),
        sa.Column("referral_grounds", sa.Text(), nullable=True),
        sa.Column("other_children", sa.Text(), nullable=True),
        sa.Column("views_of_parties", sa.Text(), nullable=True),
        sa.Column("court_notification", sa.Text(), nullable=True),
        sa.Column("action_and_timescale", sa.Text(), nullable=True),
        sa.Column("information_shared", sa.Text(), nullable=True),
        sa.Column("future_work", sa.Text(), nullable=True),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("discussion_records.id"), nullable=False, unique=True),
        sa.Column("agreed_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("discussion_records.id"), nullable=False, index=True),
        sa.Column("point", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amended_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("amended_at", sa.DateTime(), nullable=False),
        sa.Column("on_agreement", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "secured_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False, unique=True),
        sa.Column("secured_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("secured_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "later_recordings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False, index=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("discussion_records.id"), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True, index=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("case_reference", sa.String(64), nullable=True, index=True),
        sa.Column("record_id", sa.Integer(), nullable=True, index=True),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "notifications",
        "later_recordings",
        "secured_files",
        "amendments",
        "agreements",
        "discussion_records",
        "cases",
        "staff_identities",
        "staff",
    ):
        op.drop_table(table)

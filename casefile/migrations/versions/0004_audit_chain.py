"""The audit log becomes a hash chain: each entry holds the SHA-256 of the previous entry's hash and its own content.
Entries already stored keep every value and are chained in id order.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from casefile.audit import CHAINED_FIELDS, GENESIS, chain_hash

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_AUDIT_LOG = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("occurred_at", sa.DateTime()),
    sa.column("staff_id", sa.Integer()),
    sa.column("channel", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("action", sa.String()),
    sa.column("case_reference", sa.String()),
    sa.column("record_id", sa.Integer()),
    sa.column("allowed", sa.Boolean()),
    sa.column("reason", sa.Text()),
    sa.column("chain_hash", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("chain_hash", sa.String(64), nullable=True))
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
    columns = [_AUDIT_LOG.c[name] for name in CHAINED_FIELDS]
    previous = GENESIS
    for row in connection.execute(sa.select(*columns).order_by(_AUDIT_LOG.c.id)).mappings().all():
        previous = chain_hash(previous, dict(row))
        connection.execute(_AUDIT_LOG.update().where(_AUDIT_LOG.c.id == row["id"]).values(chain_hash=previous))
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("chain_hash", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("chain_hash")

"""A notification is claimed before it is sent (a lease), so that of several servers delivering the outbox one sends
it; and on PostgreSQL the audit log becomes append-only: UPDATE, DELETE and TRUNCATE on it are revoked from everyone
who holds them, the role running this migration included (a superuser, which no privilege binds, excepted).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_HOLDERS = sa.text(
    """
    SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
    FROM pg_class c
    CROSS JOIN LATERAL aclexplode(COALESCE(c.relacl, acldefault('r', c.relowner))) a
    LEFT JOIN pg_roles r ON r.oid = a.grantee
    WHERE c.oid = 'audit_log'::regclass AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    """
)


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        holders = {row[0] for row in connection.execute(_HOLDERS)} | {"PUBLIC", "CURRENT_USER"}
        for holder in sorted(holders):
            connection.execute(sa.text(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {holder}"))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER"))
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("claimed_until")

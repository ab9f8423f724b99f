"""Alembic environment for the case file: runs migrations on the connection that database.upgrade() passes in."""

from alembic import context
from sqlalchemy import text

from casefile.models import metadata

VERSION_TABLE = "casefile_alembic_version"
# Any fixed number: PostgreSQL servers running the upgrade at once queue on this lock instead of racing.
MIGRATION_LOCK = 7_281_282

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run the case file's migrations with casefile.database.upgrade(url).")
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.run_migrations()

from alembic import context
from sqlmodel import SQLModel

from services.common.migrate import run_env
from services.ingest.mentions import tables  # noqa: F401 - registers the tables

run_env(context.config, SQLModel.metadata)

from alembic import context
from sqlmodel import SQLModel

from services.common.migrate import run_env
from services.sentiment.analytics import tables as analytics_tables  # noqa: F401 - registers
from services.sentiment.mentions import tables as mention_tables  # noqa: F401 - registers
from services.sentiment.pipeline import tables as pipeline_tables  # noqa: F401 - registers
from services.sentiment.topics import tables as topic_tables  # noqa: F401 - registers

run_env(context.config, SQLModel.metadata)

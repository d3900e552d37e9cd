import importlib.util

from alembic import context
from sqlmodel import SQLModel

from services.common.migrate import run_env
from services.playbook.counts import tables as _counts  # noqa: F401 - registers the tables
from services.playbook.incidents import tables as _incidents  # noqa: F401
from services.playbook.playbook_store import tables as _playbooks  # noqa: F401
from services.playbook.signals import tables as _signals  # noqa: F401

# Tables of the notifications and drills packages, once they exist.
for _module in ("services.playbook.notifications.tables", "services.playbook.drills.tables"):
    if importlib.util.find_spec(_module) is not None:
        importlib.import_module(_module)

run_env(context.config, SQLModel.metadata)

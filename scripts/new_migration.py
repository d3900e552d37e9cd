"""Autogenerate an Alembic revision for one service: ``python scripts/new_migration.py SERVICE REV MESSAGE``.

It compares the service's tables with its migrations applied to a scratch SQLite file.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from services.common.migrate import alembic_config

service, rev_id, message = sys.argv[1], sys.argv[2], sys.argv[3]
with tempfile.TemporaryDirectory() as scratch:
    url = f"sqlite+aiosqlite:///{Path(scratch) / 'scratch.db'}"
    command.upgrade(alembic_config(service, url, None), "head")
    command.revision(
        alembic_config(service, url, None), message=message, autogenerate=True, rev_id=rev_id
    )

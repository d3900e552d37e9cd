"""Regenerate a service's initial migration (0001) from its current tables.

Only while nothing is released: once a deployment has run 0001, add new revisions with
``scripts/new_migration.py`` instead. Deterministic: the result depends only on the tables.
"""

import re
import sys
import tempfile
from pathlib import Path

from alembic import command

from services.common.migrate import SERVICES_DIR, alembic_config

service = sys.argv[1]
versions = SERVICES_DIR / service / "migrations" / "versions"
versions.mkdir(parents=True, exist_ok=True)
for old in versions.glob("0001_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as scratch:
    url = f"sqlite+aiosqlite:///{Path(scratch) / 'scratch.db'}"
    command.revision(
        alembic_config(service, url, None),
        message="initial tables",
        autogenerate=True,
        rev_id="0001",
    )
for path in versions.glob("0001_*.py"):
    text = path.read_text()
    text = text.replace("astext_type=Text()", "astext_type=sa.Text()")
    text = re.sub(r"^Revises: $", "Revises:", text, flags=re.M)
    text = re.sub(r"^Create Date: .*$", "Create Date: (regenerated)", text, flags=re.M)
    path.write_text(text)
    print(f"wrote {path}")

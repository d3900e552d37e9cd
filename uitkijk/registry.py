"""What the launcher knows about each process: its module, port and database."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Api:
    name: str
    app_factory: str
    default_port: int
    migrations: bool = True

    @property
    def port(self) -> int:
        """``UITKIJK_<NAME>_PORT`` moves a service (two stacks on one machine, tests)."""
        return int(os.environ.get(f"UITKIJK_{self.name.upper()}_PORT", self.default_port))

    @property
    def available(self) -> bool:
        module = self.app_factory.split(":")[0]
        return importlib.util.find_spec(module) is not None


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    factory: str

    @property
    def available(self) -> bool:
        return importlib.util.find_spec(self.factory.split(":")[0]) is not None


APIS: dict[str, Api] = {
    "ingest": Api("ingest", "services.ingest.app:create_app", 8001),
    "sentiment": Api("sentiment", "services.sentiment.app:create_app", 8002),
    "playbook": Api("playbook", "services.playbook.app:create_app", 8003),
    "gateway": Api("gateway", "gateway.app:create_app", 8000, migrations=False),
}

WORKERS: dict[str, WorkerSpec] = {
    "sentiment": WorkerSpec("sentiment", "services.sentiment.worker:create_worker"),
    "playbook": WorkerSpec("playbook", "services.playbook.worker:create_worker"),
}

#: Services that own tables, in the order their migrations run.
DATABASE_SERVICES = [name for name, api in APIS.items() if api.migrations]

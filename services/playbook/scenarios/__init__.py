"""Drill scenarios: ``datalek_nl.jsonl`` (shipped) and :func:`generate_scenario` (generated).

Each line is one mention in the ingest shape of ``POST /v1/mentions`` plus ``offset_seconds``,
the time since the start of the drill; a drill run rebases ``created_at`` on its start
(:meth:`DrillMention.rebased`).
"""

from services.playbook.scenarios.generator import (
    build_datalek_nl,
    generate_scenario,
    load_datalek_nl,
)
from services.playbook.scenarios.model import (
    DrillAuthor,
    DrillEngagement,
    DrillMention,
    from_jsonl,
    to_jsonl,
)

__all__ = [
    "DrillAuthor",
    "DrillEngagement",
    "DrillMention",
    "build_datalek_nl",
    "from_jsonl",
    "generate_scenario",
    "load_datalek_nl",
    "to_jsonl",
]

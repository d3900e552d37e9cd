from __future__ import annotations

from services.common.problems import Conflict, NotFound, Problem


class DrillNotFound(NotFound):
    slug = "drill-not-found"
    title = "Drill not found"

    def __init__(self, drill_id: str) -> None:
        super().__init__(f"No drill {drill_id!r} for this tenant.", drill_id=drill_id)


class UnknownScenario(Problem):
    status = 422
    slug = "unknown-scenario"
    title = "Unknown scenario"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"There is no shipped scenario {name!r}; choose one of {', '.join(known)} or send a "
            "`generate` spec.",
            scenario=name,
            known=known,
        )


class InvalidScenario(Problem):
    status = 422
    slug = "invalid-scenario"
    title = "The scenario cannot be played"


class DrillFinished(Conflict):
    slug = "drill-finished"
    title = "The drill is no longer running"

    def __init__(self, drill_id: str, status: str) -> None:
        super().__init__(
            f"Drill {drill_id!r} is already {status}.", drill_id=drill_id, status=status
        )

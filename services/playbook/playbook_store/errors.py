from __future__ import annotations

from collections.abc import Sequence

from services.common.problems import NotFound, Problem
from services.playbook.playbooks import PlaybookError


class PlaybookNotFound(NotFound):
    slug = "playbook-not-found"
    title = "Playbook not found"

    def __init__(self, playbook_id: str, version: int | None = None) -> None:
        what = f"{playbook_id!r} version {version}" if version else repr(playbook_id)
        super().__init__(f"No playbook {what} for this tenant.", playbook_id=playbook_id)


class PlaybookValidationFailed(Problem):
    """Every problem of the document, each with ``loc`` (``steps[2].deadline.within``) and the
    1-based ``line`` of the YAML where it is."""

    status = 422
    slug = "playbook-invalid"
    title = "The playbook is not valid"

    def __init__(self, errors: Sequence[PlaybookError], prefix: str = "", line_offset: int = 0):
        items = [
            {
                "loc": f"{prefix}{e.loc}" if e.loc else prefix.rstrip("."),
                "msg": e.msg,
                "line": e.line + line_offset if e.line is not None else None,
            }
            for e in errors
        ]
        first = items[0] if items else {"loc": "", "msg": "invalid", "line": None}
        where = f" (line {first['line']})" if first["line"] else ""
        super().__init__(
            f"{len(items)} problem(s); first: {first['loc'] or '<document>'}: {first['msg']}{where}",
            errors=items,
        )


class UnsupportedPlaybookMedia(Problem):
    status = 415
    slug = "unsupported-media-type"
    title = "Send YAML or JSON"

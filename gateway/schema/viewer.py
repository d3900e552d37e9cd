from __future__ import annotations

import strawberry

from services.common.auth import Caller


@strawberry.type(description="Who is calling: from the verified token.")
class Viewer:
    tenant: str
    subject: str
    scopes: list[str]
    department: str | None

    @classmethod
    def from_caller(cls, caller: Caller) -> Viewer:
        return cls(
            tenant=caller.tenant,
            subject=caller.subject,
            scopes=sorted(caller.scopes),
            department=caller.department,
        )

from __future__ import annotations

from services.common.problems import Conflict, NotFound, Problem


class TopicNotFound(NotFound):
    slug = "topic-not-found"
    title = "Topic not found"

    def __init__(self, topic_id: str) -> None:
        super().__init__(f"No topic {topic_id!r} for this tenant.", topic_id=topic_id)


class TopicNameTaken(Conflict):
    slug = "topic-name-taken"
    title = "A topic with this name exists"

    def __init__(self, name: str) -> None:
        super().__init__(f"This tenant already tracks a topic named {name!r}.", name=name)


class InvalidTopicQuery(Problem):
    """A query that does not parse; ``position`` is the 0-based offset of the problem."""

    status = 422
    slug = "invalid-topic-query"
    title = "The topic query does not parse"

    def __init__(self, message: str, position: int, query: str) -> None:
        super().__init__(
            f"{message} at position {position}.",
            position=position,
            query=query,
            errors=[{"loc": "body.query", "msg": f"{message} at position {position}"}],
        )


class KnownAccountNotFound(NotFound):
    slug = "known-account-not-found"
    title = "Known account not found"

    def __init__(self, account_id: str) -> None:
        super().__init__(f"No known account {account_id!r} for this tenant.", account_id=account_id)

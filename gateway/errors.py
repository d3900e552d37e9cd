"""Errors a client may see in ``errors`` (with ``extensions.code``); everything else is masked.

Expected failures of mutations are union members (``gateway.schema.errors``), not these.
"""

from __future__ import annotations

from graphql import GraphQLError

from gateway.clients import UpstreamProblem


class ExpectedError(Exception):
    """A failure the client caused and can act on; shown as it is, never masked."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: object) -> None:
        super().__init__(message)
        self.extensions: dict[str, object] = {"code": self.code, **extensions}


class BadInput(ExpectedError):  # noqa: N818 - named for what the client sees
    code = "BAD_USER_INPUT"


class Unauthenticated(ExpectedError):  # noqa: N818 - named for what the client sees
    code = "UNAUTHENTICATED"


class NotAllowedError(ExpectedError):
    code = "NOT_ALLOWED"


class TooExpensive(ExpectedError):  # noqa: N818 - named for what the client sees
    code = "QUERY_TOO_EXPENSIVE"


def should_mask(error: GraphQLError) -> bool:
    """Mask only the unexpected: parse and validation errors and expected failures stay visible."""
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, ExpectedError | UpstreamProblem)

"""Expected failures as union members, mapped from the services' problem+json types."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from gateway.clients import UpstreamProblem
from gateway.errors import BadInput, NotAllowedError

T = TypeVar("T")


@strawberry.interface(description="An expected failure the client can show or act on.")
class UserError:
    message: str


@strawberry.type(description="The thing does not exist for this tenant (or was deleted).")
class NotFound(UserError):  # noqa: N818 - a GraphQL type, not an exception
    id: strawberry.ID | None = None


@strawberry.type(description="The token lacks a scope this action needs.")
class NotAllowed(UserError):  # noqa: N818 - a GraphQL type, not an exception
    required_scope: str | None = None


@strawberry.type(description="This action needs an approval first (statements, playbooks).")
class ApprovalRequired(UserError):  # noqa: N818 - a GraphQL type, not an exception
    statement_id: strawberry.ID | None = None


@strawberry.type(description="One invalid input field: `path` locates it, as in the REST errors.")
class FieldError:
    path: str
    message: str


@strawberry.type(description="The input was refused; `errors` locates each problem.")
class ValidationFailed(UserError):  # noqa: N818 - a GraphQL type, not an exception
    errors: list[FieldError]


@strawberry.type(description="The action conflicts with the current state (already resolved...).")
class Conflict(UserError):  # noqa: N818 - a GraphQL type, not an exception
    pass


ExpectedFailure = NotFound | NotAllowed | ApprovalRequired | ValidationFailed | Conflict


def from_problem(problem: UpstreamProblem) -> ExpectedFailure:
    """The union member for a service's problem type; a 401 (or 5xx) is not a user error."""
    message = problem.detail or problem.title
    if "approval" in problem.slug:
        return ApprovalRequired(message=message, statement_id=None)
    if problem.status == 404:
        return NotFound(message=message, id=None)
    if problem.status == 403:
        return NotAllowed(message=message, required_scope=problem.members.get("required_scope"))
    if problem.status == 409:
        return Conflict(message=message)
    if problem.status in (400, 413, 422):
        errors = [FieldError(path=e.loc, message=e.msg) for e in problem.errors]
        if not errors:
            errors = [FieldError(path="", message=message)]
        return ValidationFailed(message=message, errors=errors)
    raise problem


async def attempt(action: Awaitable[T]) -> T | ExpectedFailure:
    """Runs a mutation's work; an expected failure becomes its union member."""
    try:
        return await action
    except UpstreamProblem as problem:
        return from_problem(problem)
    except NotAllowedError as exc:
        return NotAllowed(message=str(exc), required_scope=str(exc.extensions.get("scope", "")))
    except BadInput as exc:
        return ValidationFailed(message=str(exc), errors=[FieldError(path="id", message=str(exc))])

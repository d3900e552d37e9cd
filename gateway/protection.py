"""Query protection: depth, tokens, aliases (strawberry's), page sizes, and a cost budget.

The cost estimate: every field selected costs the product of the page sizes of the list fields
above it (``first``/``last`` or their defaults), so ``incidents(first: 100) { timeline(last: 5) }``
costs 1 + 100 + 100·5 for its fields. An operation over the budget is refused before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.base_extension import SchemaExtension as Extension
from strawberry.types.graphql import OperationType

from gateway.context import Context
from gateway.errors import TooExpensive, should_mask
from gateway.settings import GatewaySettings

#: Arguments that size a list field.
SIZE_ARGUMENTS = ("first", "last")
#: Fields that return lists sized by the services rather than by an argument, and their default.
DEFAULT_SIZES = {"edges": 1, "nodes": 1}


def _size(
    field: FieldNode,
    variables: Mapping[str, Any],
    default_page: int,
    defaults: Mapping[str, int],
) -> int:
    for argument in field.arguments or ():
        if argument.name.value not in SIZE_ARGUMENTS:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(1, int(value.value))
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            if isinstance(given, int):
                return max(1, given)
            return default_page
    return defaults.get(field.name.value, 1)


def estimate_cost(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    *,
    default_page: int,
    connection_fields: Mapping[str, int],
) -> int:
    def walk(selection_set: SelectionSetNode | None, multiplier: int, seen: frozenset[str]) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += multiplier
                size = _size(selection, variables, default_page, connection_fields)
                total += walk(selection.selection_set, multiplier * size, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += walk(selection.selection_set, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    total += walk(fragment.selection_set, multiplier, seen | {name})
        return total

    return walk(operation.selection_set, 1, frozenset())


def document_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    default_page: int,
) -> int:
    """The estimate of the operation that would run (the named one, or the first)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode) and (
            operation_name is None or d.name is None or d.name.value == operation_name
        ):
            # Fields with page sizes set by the schema's defaults when no argument is given.
            connection_fields = {"timeline": 5, "evidence": 10, "mentions": default_page}
            return estimate_cost(
                d,
                fragments,
                variables,
                default_page=default_page,
                connection_fields=connection_fields,
            )
    return 0


def too_expensive(cost: int, max_cost: int) -> GraphQLError:
    return GraphQLError(
        f"This query would cost {cost}, over the budget of {max_cost}: "
        "ask for smaller pages (`first`) or fewer nested lists.",
        original_error=TooExpensive("too expensive", cost=cost, budget=max_cost),
    )


class CostLimit(Extension):
    """The base of :func:`cost_limiter`'s classes (each is made for one budget)."""


def cost_limiter(max_cost: int, default_page: int) -> type[SchemaExtension]:
    """An extension class that refuses operations whose estimate exceeds ``max_cost``."""

    class CostLimiter(CostLimit):
        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            document = context.graphql_document
            if document is not None:
                cost = document_cost(
                    document, context.operation_name, context.variables or {}, default_page
                )
                if cost > max_cost:
                    error = too_expensive(cost, max_cost)
                    context.result = ExecutionResult(data=None, errors=[error])
            yield

    return CostLimiter


def error_masking() -> MaskErrors:
    """Masks unexpected errors (an extension per request; the fast path keeps one to reuse)."""
    return MaskErrors(should_mask_error=should_mask)


class NoteValidQuery(Extension):
    """Runs last before execution: a query that got this far parsed, validated and passed the
    cost check. Its document is noted on the context, for :mod:`gateway.fastpath` to reuse."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if (
            context.result is None
            and context.graphql_document is not None
            and context.operation_type is OperationType.QUERY
            and isinstance(context.context, Context)
        ):
            context.context.valid_query = context.graphql_document
        yield


def _with_rules_built_once(limiter: AddValidationRules) -> type[AddValidationRules]:
    """The limiter's class, with the validation rules it made once, at start-up.

    ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` make a new rule class in every instance; a
    rule class per request would make every ``ValidationCache`` key new (no hit, ever).
    """
    rules = list(limiter.validation_rules)

    class Limiter(type(limiter)):  # type: ignore[misc]
        def __init__(self) -> None:
            AddValidationRules.__init__(self, rules)

    Limiter.__name__ = type(limiter).__name__
    return Limiter


def extensions(
    settings: GatewaySettings,
) -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    """The schema's extensions, as classes or factories (instances are deprecated)."""
    result: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        # Parsing and validating a query cost about as much as executing a small one: both are
        # cached by query text (bounded LRU; the validation key includes the schema and rules).
        lambda: ParserCache(maxsize=256),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        _with_rules_built_once(QueryDepthLimiter(max_depth=settings.max_depth)),
        _with_rules_built_once(MaxAliasesLimiter(max_alias_count=settings.max_aliases)),
        lambda: ValidationCache(maxsize=256),
        cost_limiter(settings.max_cost, settings.default_page_size),
        error_masking,
        NoteValidQuery,
    ]
    if not settings.introspection_enabled:
        result.insert(1, DisableIntrospection)
    return result

"""A faster executor for plain data: the same results as graphql-core's, with less work per field.

A page of 50 mentions is about 1,700 fields. graphql-core resolves each through a resolve info, the
resolver chain and an awaitable check; for a field that only reads an attribute of a strawberry
object (no resolver, no arguments) and returns a scalar, an enum, a concrete object or a list of
them, none of that is needed. :class:`FastExecutionContext` executes an object's selection in two
passes: the first reads and coerces every field, and hands the whole object back to graphql-core
at the first thing it does not handle (a resolver, an abstract type, a null where none may be, a
value that does not coerce, incremental delivery) before anything has run; the second executes the
nested objects (through this same method) with graphql-core's own error handling. Middleware
(extensions with a ``resolve`` hook) turns the fast path off, as it must see every field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from keyword import iskeyword
from math import isfinite
from typing import Any, NamedTuple

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.types import base_scalars

DEFINITION = "strawberry-definition"

TYPENAME, LEAF, LEAF_LIST, OBJECT, OBJECT_LIST = range(5)
_MISSING = object()


class _Step(NamedTuple):
    key: str
    attr: str
    kind: int
    named: Any  # the leaf or object type, without wrappers
    field_type: GraphQLOutputType  # the full type, for graphql-core's error handling
    nullable: bool
    item_nullable: bool
    details: Any  # graphql-core's field details list of this response key
    #: A Python type whose values the leaf type outputs unchanged (``str`` for String and ID;
    #: ``float`` for Float, finite values only).
    same: type | None = None


def _same(named: Any) -> type | None:
    # graphql-core coerces these to themselves; Float and Int check ranges, so they stay out.
    if named is GraphQLString or named is GraphQLID:
        return str
    if named is GraphQLBoolean:
        return bool
    if named is GraphQLFloat:
        return float
    return None


class _Fallback(Exception):  # noqa: N818 - control flow inside this module only
    pass


def _step(parent: GraphQLObjectType, key: str, details: Any) -> _Step | None:
    node = details[0].node
    name = node.name.value
    if name == "__typename":
        return _Step(key, "", TYPENAME, None, parent, False, False, details)
    field = parent.fields.get(name)
    if field is None or field.args or node.arguments:
        return None
    definition = field.extensions.get(DEFINITION)
    if definition is None or not definition.is_basic_field:
        return None
    field_type = field.type
    nullable = not is_non_null_type(field_type)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if is_leaf_type(inner):
        return _Step(
            key, definition.python_name, LEAF, inner, field_type, nullable, False, details,
            _same(inner),
        )  # fmt: skip
    if is_object_type(inner):
        return _Step(
            key, definition.python_name, OBJECT, inner, field_type, nullable, False, details
        )
    if isinstance(inner, GraphQLList):
        item = inner.of_type
        item_nullable = not is_non_null_type(item)
        named = item.of_type if isinstance(item, GraphQLNonNull) else item
        if is_list_type(named):
            return None
        kind = LEAF_LIST if is_leaf_type(named) else OBJECT_LIST if is_object_type(named) else -1
        if kind < 0:
            return None
        return _Step(
            key, definition.python_name, kind, named, field_type, nullable, item_nullable, details,
            _same(named),
        )  # fmt: skip
    return None


def _leaf(named: GraphQLLeafType, value: Any) -> Any:
    coerced = named.coerce_output_value(value)
    if coerced is None or coerced is Undefined:
        raise _Fallback
    return coerced


def _is_type_of(named: GraphQLObjectType, value: Any) -> None:
    check = named.is_type_of
    # strawberry's is_type_of is an isinstance check that ignores the resolve info.
    if check is not None and check(value, None) is not True:  # type: ignore[arg-type]
        raise _Fallback


# --- compiled plans -----------------------------------------------------------------------------
#
# A selection whose every field (nested objects included) the fast path handles is compiled once
# into Python source: one function per object that reads the attributes and builds the result dict
# in straight-line code. The function is pure (attribute reads and coercions); at anything it does
# not expect it raises, and the interpreted fast path above, with graphql-core's error handling,
# executes the same object from the start. Plans are shared across requests: strawberry's parser
# cache hands every request with the same query text the same document, and plans are keyed on the
# identity of its field nodes (the plan holds them, so the identities stay unique). A selection is
# compiled the second time it is seen (compiling costs about as much as executing a page once).

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_COMPILED_MAX = 512
#: (id of the object type, field-node identities of the selection) -> (type, selection, function).
_COMPILED: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
_FIRST_SIGHT = object()


def _fail(*_: Any) -> Any:
    raise _Fallback


def _has_directives(selection_set: Any) -> bool:
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if selection.directives:
            return True
        if _has_directives(getattr(selection, "selection_set", None)):
            return True
    return False


def _selection_key(parent: GraphQLObjectType, grouped: Any) -> tuple[Any, ...]:
    return (
        id(parent),
        *((key, *(id(d.node) for d in details)) for key, details in grouped.items()),
    )


class _Source:
    """The text and constants of one compiled selection (one function per object type)."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = {"_Fallback": _Fallback, "isfinite": isfinite, "_fail": _fail}
        self.lines: list[str] = []
        self.count = 0

    def const(self, value: Any) -> str:
        name = f"c{len(self.env)}"
        self.env[name] = value
        return name


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[Any, list[_Step] | None]] = {}
        manager = self.middleware_manager
        self._fast = manager is None or not manager.middlewares
        #: Objects completed on the fast path (for tests and curiosity).
        self.fast_objects = 0
        #: Enum outputs by (type name, value type, value): strawberry's coercion scans every value.
        self._enum_names: dict[tuple[str, type, Any], Any] = {}
        #: Compiled plans looked up in this execution, by the identity of the field set.
        self._compiled_here: dict[int, tuple[Any, Any]] = {}
        self._directives: bool | None = None
        #: Objects answered by a compiled plan, nested ones not counted (for tests).
        self.compiled_objects = 0

    def _leaf(self, named: GraphQLLeafType, value: Any) -> Any:
        if not isinstance(named, GraphQLEnumType):
            return _leaf(named, value)
        key = (named.name, type(value), value)
        try:
            return self._enum_names[key]
        except KeyError:
            pass
        except TypeError:  # not hashable: nothing to remember
            return _leaf(named, value)
        coerced = self._enum_names[key] = _leaf(named, value)
        return coerced

    def _plan(self, parent: GraphQLObjectType, grouped_field_set: Any) -> list[_Step] | None:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        steps: list[_Step] | None = []
        for key, details in grouped_field_set.items():
            step = _step(parent, key, details)
            if step is None:
                steps = None
                break
            assert steps is not None
            steps.append(step)
        # Keep the field set alive with its plan: its id must not be reused in this execution.
        self._plans[id(grouped_field_set)] = (grouped_field_set, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plan = None
        if position_context is None and self._fast:
            compiled = self._compiled(parent_type, grouped_field_set)
            if compiled is not None:
                try:
                    result = compiled(source_value)
                except Exception:  # anything unexpected: the path below decides
                    pass
                else:
                    self.compiled_objects += 1
                    return result
            plan = self._plan(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        try:
            values = self._read(parent_type, source_value, plan)
        except Exception:  # a value that does not coerce, say: graphql-core reports it
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        self.fast_objects += 1
        return self._complete(parent_type, path, plan, values)

    def _compiled(self, parent: GraphQLObjectType, grouped: Any) -> Any:
        here = self._compiled_here.get(id(grouped))
        if here is not None:
            return here[1]
        key = _selection_key(parent, grouped)
        hit = _COMPILED.get(key)
        if hit is None:
            # First sight: remembered, not compiled (a document seen once is not worth it).
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            _COMPILED[key] = (parent, grouped, _FIRST_SIGHT)
            self._compiled_here[id(grouped)] = (grouped, None)
            return None
        if hit[2] is _FIRST_SIGHT:
            function = None
            if not self._uses_directives():
                source = _Source()
                try:
                    name = self._emit(parent, grouped, source)
                except _Fallback:
                    name = None
                if name is not None:
                    namespace = dict(source.env)
                    code = compile("\n".join(source.lines), f"<plan {parent.name}>", "exec")
                    exec(code, namespace)  # our own generated source, no user text
                    function = namespace[name]
            hit = _COMPILED[key] = (parent, grouped, function)
        self._compiled_here[id(grouped)] = (grouped, hit[2])
        return hit[2]

    def _uses_directives(self) -> bool:
        """@skip/@include/@defer make a selection depend on variables: those are not compiled."""
        if self._directives is None:
            self._directives = _has_directives(self.operation.selection_set) or any(
                _has_directives(fragment.definition.selection_set)
                for fragment in self.fragments.values()
            )
        return self._directives

    def _emit(self, parent: GraphQLObjectType, grouped: Any, source: _Source) -> str | None:
        """Appends the function for one object's selection; its name, or None if not compilable."""
        steps: list[_Step] = []
        for key, details in grouped.items():
            for detail in details:
                if detail.defer_usage is not None or getattr(
                    detail, "fragment_variable_values", None
                ):
                    return None
            step = _step(parent, key, details)
            if step is None:
                return None
            steps.append(step)
        name = f"f{source.count}"
        source.count += 1
        body = [f"def {name}(src):"]
        items: list[str] = []
        for i, step in enumerate(steps):
            if step.kind == TYPENAME:
                items.append(f"{step.key!r}: {parent.name!r}")
                continue
            attr = step.attr
            if not attr.isidentifier() or iskeyword(attr):
                return None
            v = f"v{i}"
            body.append(f"    {v} = src.{attr}")
            lines = self._emit_value(step, v, source)
            if lines is None:
                return None
            if step.nullable:
                if lines:
                    body.append(f"    if {v} is not None:")
                    body.extend(f"        {line}" for line in lines)
            else:
                body.append(f"    if {v} is None: raise _Fallback")
                body.extend(f"    {line}" for line in lines)
            items.append(f"{step.key!r}: {v}")
        body.append("    return {" + ", ".join(items) + "}")
        source.lines.extend(body)
        return name

    def _emit_value(self, step: _Step, v: str, source: _Source) -> list[str] | None:
        """Lines that turn ``v`` (not None) into its output value."""
        kind = step.kind
        if kind == LEAF:
            if getattr(step.named, "coerce_output_value", None) is base_scalars.isoformat:
                return [f"{v} = {v}.isoformat()"]  # strawberry's Date, DateTime and Time
            return [f"{v} = {self._leaf_expression(step.named, v, False, source)}"]
        is_list = f"if type({v}) is not list and type({v}) is not tuple: raise _Fallback"
        if kind == LEAF_LIST:
            item = self._leaf_expression(step.named, "x", step.item_nullable, source)
            return [is_list, f"{v} = [{item} for x in {v}]"]
        grouped = self._subfields(step)
        nested = self._emit(step.named, grouped, source)
        if nested is None:
            return None
        check = step.named.is_type_of
        if kind == OBJECT:
            if check is None:
                return [f"{v} = {nested}({v})"]
            k = source.const(check)
            return [f"if {k}({v}, None) is not True: raise _Fallback", f"{v} = {nested}({v})"]
        item = f"{nested}(x)"
        if check is not None:
            item = f"({item} if {source.const(check)}(x, None) is True else _fail())"
        if step.item_nullable:
            item = f"(None if x is None else {item})"
        return [is_list, f"{v} = [{item} for x in {v}]"]

    def _leaf_expression(
        self, named: GraphQLLeafType, x: str, nullable: bool, source: _Source
    ) -> str:
        def convert(value: Any) -> Any:
            if value is None:
                if nullable:
                    return None
                raise _Fallback
            return _leaf(named, value)

        if isinstance(named, GraphQLEnumType):
            names: dict[tuple[type, Any], Any] = {}

            def enum(value: Any) -> Any:
                out = convert(value)
                if out is not None:
                    names[(type(value), value)] = out
                return out

            return f"({source.const(names)}.get((type({x}), {x})) or {source.const(enum)}({x}))"
        c = source.const(convert)
        if named is GraphQLString or named is GraphQLID:
            return f"({x} if type({x}) is str else {c}({x}))"
        if named is GraphQLBoolean:
            return f"({x} if type({x}) is bool else {c}({x}))"
        if named is GraphQLFloat:
            return f"({x} if type({x}) is float and isfinite({x}) else {c}({x}))"
        if named is GraphQLInt:
            return f"({x} if type({x}) is int and {_INT_MIN} <= {x} <= {_INT_MAX} else {c}({x}))"
        return f"{c}({x})"

    def _read(self, parent: GraphQLObjectType, source: Any, plan: list[_Step]) -> list[Any]:
        """Pass 1: reads and coerces; raises _Fallback before anything has run."""
        values: list[Any] = []
        for step in plan:
            kind = step.kind
            if kind == TYPENAME:
                values.append(parent.name)
                continue
            value: Any = getattr(source, step.attr, _MISSING)
            if value is _MISSING:
                raise _Fallback
            if value is None:
                if not step.nullable:
                    raise _Fallback
                values.append(None)
            elif kind == LEAF:
                # Inline (no call per field): Float outputs a float as it is when it is finite.
                same = step.same
                if type(value) is same and (same is not float or isfinite(value)):  # type: ignore[arg-type]
                    values.append(value)
                else:
                    values.append(self._leaf(step.named, value))
            elif kind == OBJECT:
                _is_type_of(step.named, value)
                values.append((value, self._subfields(step)))
            else:
                if not isinstance(value, list | tuple):
                    raise _Fallback
                if kind == LEAF_LIST:
                    items: list[Any] = []
                    for item in value:
                        if item is None:
                            if not step.item_nullable:
                                raise _Fallback
                            items.append(None)
                        elif type(item) is step.same and (step.same is not float or isfinite(item)):  # type: ignore[arg-type]
                            items.append(item)
                        else:
                            items.append(self._leaf(step.named, item))
                    values.append(items)
                else:
                    for item in value:
                        if item is None:
                            if not step.item_nullable:
                                raise _Fallback
                        else:
                            _is_type_of(step.named, item)
                    values.append((value, self._subfields(step)))
        return values

    def _subfields(self, step: _Step) -> Any:
        grouped, defer_usages, *_ = self.collect_subfields(step.named, step.details)
        if defer_usages:
            raise _Fallback
        return grouped

    def _complete(
        self, parent: GraphQLObjectType, path: Path | None, plan: list[_Step], values: list[Any]
    ) -> Any:
        """Pass 2: executes nested objects, with graphql-core's error handling."""
        results: dict[str, Any] = {}
        pending: list[str] = []
        for step, value in zip(plan, values, strict=True):
            if value is None or step.kind in (TYPENAME, LEAF, LEAF_LIST):
                results[step.key] = value
                continue
            field_path = Path(path, step.key, parent.name)
            value, grouped = value
            if step.kind == OBJECT:
                result = self._guarded(
                    step.named, value, field_path, grouped, step.field_type, step
                )
            else:
                result = self._list(step, value, field_path, grouped)
            results[step.key] = result
            if self.is_awaitable(result):
                pending.append(step.key)
        if not pending:
            return results

        async def settle() -> dict[str, Any]:
            awaitables: list[Awaitable[Any]] = [results[key] for key in pending]
            settled = await asyncio.gather(*awaitables)
            results.update(zip(pending, settled, strict=True))
            return results

        return settle()

    def _guarded(
        self,
        named: GraphQLObjectType,
        value: Any,
        path: Path,
        grouped: Any,
        field_type: GraphQLOutputType,
        step: _Step,
    ) -> Any:
        """One object, as graphql-core completes it: an error nulls it, or propagates if it may
        not be null."""
        try:
            result = self.execute_fields(named, value, path, grouped, None)
        except Exception as error:
            self.handle_field_error(error, field_type, step.details, path)
            return None
        if not self.is_awaitable(result):
            return result

        async def awaited() -> Any:
            try:
                return await result
            except Exception as error:
                self.handle_field_error(error, field_type, step.details, path)
                return None

        return awaited()

    def _list(self, step: _Step, value: Sequence[Any], path: Path, grouped: Any) -> Any:
        item_type: GraphQLOutputType = (
            step.named if step.item_nullable else GraphQLNonNull(step.named)
        )
        try:
            items: list[Any] = [
                None
                if item is None
                else self._guarded(
                    step.named, item, Path(path, index, None), grouped, item_type, step
                )
                for index, item in enumerate(value)
            ]
        except Exception as error:
            self.handle_field_error(error, step.field_type, step.details, path)
            return None
        waiting = [i for i, item in enumerate(items) if self.is_awaitable(item)]
        if not waiting:
            return items

        async def settled() -> list[Any] | None:
            try:
                awaitables: list[Awaitable[Any]] = [items[i] for i in waiting]
                done = await asyncio.gather(*awaitables)
            except Exception as error:
                self.handle_field_error(error, step.field_type, step.details, path)
                return None
            for i, item in zip(waiting, done, strict=True):
                items[i] = item
            return items

        return settled()


__all__ = ["FastExecutionContext"]

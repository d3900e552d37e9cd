"""YAML in, :class:`Playbook` out, with every problem located (``steps[2].deadline``, line 31)."""

from __future__ import annotations

import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from services.playbook.playbooks.models import TEMPLATE_VARIABLES, Playbook, Step

Loc = tuple[str | int, ...]
#: union tags pydantic puts into error locations; they are no part of the document's path
_TAGS = frozenset({"step", "group", "notify", "webhook", "social_freeze", "open_webcare_queue"})
MAX_YAML_CHARS = 256_000


@dataclass(frozen=True, slots=True)
class PlaybookError:
    """One problem: ``loc`` like ``steps[2].deadline.within``, ``line`` 1-based where known."""

    loc: str
    msg: str
    line: int | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        return {"loc": self.loc, "msg": self.msg, "line": self.line}


class PlaybookInvalid(ValueError):  # noqa: N818 - house style names the case (IncidentNotFound)
    """The document is not a valid playbook; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[PlaybookError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else PlaybookError("", "invalid playbook")
        where = f" (line {first.line})" if first.line else ""
        more = f" and {len(self.errors) - 1} more" if len(self.errors) > 1 else ""
        super().__init__(f"{first.loc or '<document>'}: {first.msg}{where}{more}")


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_playbook(yaml_text: str) -> Playbook:
    """Parse and validate one playbook. Raises :class:`PlaybookInvalid` with every error."""
    if len(yaml_text) > MAX_YAML_CHARS:
        raise PlaybookInvalid([PlaybookError("", f"document longer than {MAX_YAML_CHARS} chars")])
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PlaybookInvalid([PlaybookError("", f"not valid YAML: {exc}", line)]) from exc
    if not isinstance(data, dict):
        raise PlaybookInvalid([PlaybookError("", "a playbook is a YAML mapping", 1)])
    duplicates = [
        PlaybookError(format_loc(loc), "duplicate key", line) for loc, line in _duplicates(node)
    ]
    if duplicates:
        raise PlaybookInvalid(duplicates)
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors(include_url=False):
            loc = _clean_loc(err["loc"])
            errors.append(PlaybookError(format_loc(loc), err["msg"], _line(node, loc)))
        raise PlaybookInvalid(errors) from None
    problems = [
        PlaybookError(format_loc(loc), msg, _line(node, loc)) for loc, msg in check(playbook)
    ]
    if problems:
        raise PlaybookInvalid(problems)
    return playbook


def dump_playbook(playbook: Playbook) -> str:
    """YAML that :func:`parse_playbook` turns back into an equal playbook."""
    data = playbook.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def check(playbook: Playbook) -> Iterator[tuple[Loc, str]]:
    """Rules the schema cannot say: unique ids, known variables, both languages, references."""
    seen: dict[str, Loc] = {}
    for loc, step in _steps_with_loc(playbook):
        if step.id in seen:
            yield (
                (*loc, "id"),
                f"step id {step.id!r} is already used at {format_loc(seen[step.id])}",
            )
        else:
            seen[step.id] = loc
        yield from _check_texts(playbook, (*loc, "title"), step.title)
        if step.owner in step.approvals:
            i = step.approvals.index(step.owner)
            yield (*loc, "approvals", i), "approvals come from other departments than the owner"
        if len(set(step.approvals)) != len(step.approvals):
            yield (*loc, "approvals"), "a department is listed twice"
        if step.escalation is not None and step.escalation.to == step.owner:
            yield (*loc, "escalation", "to"), "escalate to another department than the owner"
        for name, platforms in step.templates.items():
            if "default" not in platforms:
                yield (*loc, "templates", name), "a template needs a 'default' platform text"
            for platform, text in platforms.items():
                tloc = (*loc, "templates", name, platform)
                yield from _check_texts(playbook, tloc, text)
                for lang in ("nl", "en"):
                    body = text.get(lang)
                    if body is not None:
                        for msg in template_problems(body):
                            yield (*tloc, lang), msg
        for i, action in enumerate(step.actions):
            ref = getattr(action, "template", None)
            if ref is not None and ref not in step.templates:
                yield (*loc, "actions", i, "template"), f"no template {ref!r} in this step"
    yield from _check_texts(playbook, ("name",), playbook.name)
    if playbook.trigger.any is None and playbook.trigger.all is None:
        yield ("trigger",), "give 'any' or 'all' conditions"
    for i, rule in enumerate(playbook.severity.rules):
        if rule.when.any is None and rule.when.all is None:
            yield ("severity", "rules", i, "when"), "give 'any' or 'all' conditions"


def template_problems(body: str) -> list[str]:
    """Unknown or malformed ``{variables}`` in a template text."""
    problems = []
    try:
        fields = [(f, s, c) for _, f, s, c in string.Formatter().parse(body) if f is not None]
    except ValueError as exc:
        return [f"malformed template: {exc} (write '{{{{' for a literal brace)"]
    for name, spec, conv in fields:
        if spec or conv:
            problems.append(f"no format spec or conversion allowed in {{{name}}}")
        if not name:
            problems.append("empty {} placeholder: name the variable")
        elif name not in TEMPLATE_VARIABLES:
            known = ", ".join(sorted(TEMPLATE_VARIABLES))
            problems.append(f"unknown variable {{{name}}}; known: {known}")
    return problems


def _check_texts(playbook: Playbook, loc: Loc, text: Any) -> Iterator[tuple[Loc, str]]:
    for lang in playbook.languages:
        if text.get(lang) is None:
            yield (*loc, lang), f"missing the {lang!r} text (the playbook's languages)"


def _steps_with_loc(playbook: Playbook) -> Iterator[tuple[Loc, Step]]:
    for i, item in enumerate(playbook.steps):
        if isinstance(item, Step):
            yield ("steps", i), item
        else:
            for j, step in enumerate(item.parallel):
                yield ("steps", i, "parallel", j), step


def _clean_loc(loc: Sequence[str | int]) -> Loc:
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part in _TAGS and out and isinstance(out[-1], int):
            continue
        out.append(part)
    return tuple(out)


def _line(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of ``loc`` in the document, or of its nearest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            return line
        node = child
    return line


def _duplicates(node: yaml.Node | None, loc: Loc = ()) -> Iterator[tuple[Loc, int]]:
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in keys:
                yield (*loc, name), key.start_mark.line + 1
            keys.add(name)
            yield from _duplicates(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yield from _duplicates(value, (*loc, i))

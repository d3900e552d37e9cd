"""Rendering message templates: ``{variable}`` placeholders, nl and en, per platform."""

from __future__ import annotations

import string
from collections.abc import Mapping

from services.playbook.playbooks.models import Playbook, Step


class TemplateNotFound(LookupError):  # noqa: N818 - house style names the case (IncidentNotFound)
    def __init__(self, step_id: str, name: str) -> None:
        self.step_id, self.name = step_id, name
        super().__init__(f"step {step_id!r} has no template {name!r}")


class TemplateLanguageMissing(LookupError):  # noqa: N818 - house style names the case (IncidentNotFound)
    def __init__(self, name: str, language: str) -> None:
        self.name, self.language = name, language
        super().__init__(f"template {name!r} has no {language!r} text")


class MissingVariables(KeyError):  # noqa: N818 - house style names the case (IncidentNotFound)
    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(f"missing template variables: {', '.join(names)}")


def template_variables(body: str) -> set[str]:
    """The ``{names}`` a template text uses."""
    return {f for _, f, _, _ in string.Formatter().parse(body) if f}


def render_text(body: str, variables: Mapping[str, str]) -> str:
    """Fill ``{names}``; every name must be given (raises :class:`MissingVariables`)."""
    missing = sorted(template_variables(body) - set(variables))
    if missing:
        raise MissingVariables(missing)
    return body.format_map(dict(variables))


def render_template(
    playbook: Playbook | Step,
    step_id: str,
    name: str,
    *,
    language: str,
    platform: str = "default",
    variables: Mapping[str, str],
) -> str:
    """The text of template ``name`` of step ``step_id`` for a language and platform.

    A platform without its own text falls back to ``default``. Raises
    :class:`TemplateNotFound`, :class:`TemplateLanguageMissing` or :class:`MissingVariables`.
    """
    step = playbook if isinstance(playbook, Step) else playbook.step(step_id)
    platforms = step.templates.get(name)
    if platforms is None:
        raise TemplateNotFound(step.id, name)
    text = platforms.get(platform) or platforms.get("default")  # type: ignore[call-overload]
    if text is None:
        raise TemplateNotFound(step.id, f"{name}/{platform}")
    body = text.get(language)
    if body is None:
        raise TemplateLanguageMissing(name, language)
    return render_text(body, variables)

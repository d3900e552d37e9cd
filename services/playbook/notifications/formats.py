"""Request bodies per subscription format: Standard Webhooks JSON, Slack blocks, a Teams card.

Pure functions of the event; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import orjson
from pydantic import JsonValue

from services.playbook.notifications.events import TITLES, EventType, WebhookFormat

#: Payload keys worth showing first in chat messages, with their labels.
_FACT_KEYS: tuple[tuple[str, str], ...] = (
    ("severity", "Severity"),
    ("status", "Status"),
    ("active", "Active"),
    ("reason", "Reason"),
    ("playbook", "Playbook"),
    ("playbook_id", "Playbook"),
    ("step", "Step"),
    ("department", "Department"),
    ("owner_department", "Department"),
    ("escalate_to", "Escalated to"),
    ("deadline", "Deadline"),
    ("platform", "Platform"),
    ("incident_id", "Incident"),
    ("incident_ids", "Incidents"),
)
_MAX_FACTS = 10
_SEVERITY_COLOURS = {"sev1": "attention", "sev2": "attention", "sev3": "warning"}


def _title(event_type: str, payload: Mapping[str, JsonValue]) -> str:
    base = TITLES.get(event_type, event_type)
    name = payload.get("title") or payload.get("name") or payload.get("summary")
    if event_type == EventType.SOCIAL_FREEZE_CHANGED:
        state = "on" if payload.get("active") else "off"
        return (
            f"Social freeze {state}: hold scheduled posts"
            if state == "on"
            else f"Social freeze {state}"
        )
    return f"{base}: {name}" if isinstance(name, str) and name else base


def _scalar(value: JsonValue) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) if value else "none"
    return None


def facts(payload: Mapping[str, JsonValue]) -> list[tuple[str, str]]:
    """(label, value) pairs for chat messages: the known keys first, then other plain values."""
    out: list[tuple[str, str]] = []
    seen_labels: set[str] = set()
    used: set[str] = {"title", "name", "summary", "url", "text", "description"}
    for key, label in _FACT_KEYS:
        if key in payload and label not in seen_labels:
            text = _scalar(payload[key])
            if text is not None:
                out.append((label, text))
                seen_labels.add(label)
            used.add(key)
    for key, value in payload.items():
        if len(out) >= _MAX_FACTS:
            break
        if key in used:
            continue
        text = _scalar(value)
        if text is not None and len(text) <= 200:
            out.append((key.replace("_", " ").capitalize(), text))
    return out[:_MAX_FACTS]


def _link(payload: Mapping[str, JsonValue], url_template: str | None) -> str | None:
    url = payload.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return url
    incident = payload.get("incident_id")
    if url_template and isinstance(incident, str):
        return url_template.replace("{incident_id}", incident)
    return None


def standard_body(
    event_type: str, payload: Mapping[str, JsonValue], timestamp: datetime
) -> dict[str, JsonValue]:
    return {"type": event_type, "timestamp": timestamp.isoformat(), "data": dict(payload)}


def slack_body(
    event_type: str,
    payload: Mapping[str, JsonValue],
    timestamp: datetime,
    url_template: str | None = None,
) -> dict[str, JsonValue]:
    """An incoming-webhook message: ``text`` is the notification fallback, ``blocks`` the layout."""
    title = _title(event_type, payload)
    pairs = facts(payload)
    blocks: list[JsonValue] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}}
    ]
    description = payload.get("description") or payload.get("text")
    if isinstance(description, str) and description:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": description[:3000]}})
    if pairs:
        fields: list[JsonValue] = [
            {"type": "mrkdwn", "text": f"*{label}*\n{value}"[:2000]} for label, value in pairs
        ]
        blocks.append({"type": "section", "fields": fields})
    link = _link(payload, url_template)
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in Uitkijk"},
                        "url": link,
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"`{event_type}` · {timestamp.isoformat()} · Uitkijk"}
            ],
        }
    )
    summary = "; ".join(f"{label}: {value}" for label, value in pairs[:3])
    text = f"{title} ({summary})" if summary else title
    return {"text": text, "blocks": blocks}


def teams_body(
    event_type: str,
    payload: Mapping[str, JsonValue],
    timestamp: datetime,
    url_template: str | None = None,
) -> dict[str, JsonValue]:
    """A Teams message carrying an Adaptive Card (what Workflows and incoming webhooks accept)."""
    title = _title(event_type, payload)
    severity = payload.get("severity")
    colour = _SEVERITY_COLOURS.get(severity, "default") if isinstance(severity, str) else "default"
    body: list[JsonValue] = [
        {
            "type": "TextBlock",
            "text": title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": colour,
        }
    ]
    description = payload.get("description") or payload.get("text")
    if isinstance(description, str) and description:
        body.append({"type": "TextBlock", "text": description[:3000], "wrap": True})
    pairs = facts(payload)
    if pairs:
        fact_list: list[JsonValue] = [{"title": label, "value": value} for label, value in pairs]
        body.append({"type": "FactSet", "facts": fact_list})
    body.append(
        {
            "type": "TextBlock",
            "text": f"{event_type} · {timestamp.isoformat()}",
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        }
    )
    card: dict[str, JsonValue] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    link = _link(payload, url_template)
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Uitkijk", "url": link}]
    return {
        "type": "message",
        "summary": title,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def render(
    fmt: str,
    event_type: str,
    payload: Mapping[str, JsonValue],
    timestamp: datetime,
    url_template: str | None = None,
) -> bytes:
    """The exact bytes sent (and signed) for one delivery attempt."""
    if fmt == WebhookFormat.SLACK:
        body = slack_body(event_type, payload, timestamp, url_template)
    elif fmt == WebhookFormat.TEAMS:
        body = teams_body(event_type, payload, timestamp, url_template)
    else:
        body = standard_body(event_type, payload, timestamp)
    return orjson.dumps(body)

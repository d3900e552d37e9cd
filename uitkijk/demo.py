"""``uitkijk demo``: the Dutch data-leak scenario, end to end, on a laptop, in about a minute.

Loads the shipped playbooks and a brand topic into tenant ``demo``, starts a local webhook
receiver and subscribes it, replays the scenario's mentions into ingest (back-dated so that its
last mention is now), then shows what the team would see: mentions scored, an incident opened
with its steps and deadlines, a statement waiting for approval, a signed webhook delivered, and
the GraphQL query to paste into GraphiQL.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from uitkijk.launcher import Stack, dev_token, say
from uitkijk.receiver import Received, WebhookReceiver
from uitkijk.registry import APIS

SCENARIO = Path(__file__).resolve().parent.parent / "services/playbook/scenarios/datalek_nl.jsonl"
BRAND_QUERY = 'Duinzorg OR @duinzorg OR #duinzorg OR "duin zorg"'

GRAPHQL_QUERY = """query WarRoom {
  incidents(first: 5) {
    edges { node {
      id title state severity openedAt
      steps { title owner status dueAt }
      statements { platform status missingApprovals text }
      timeline(last: 5) { kind summary at }
    } }
  }
  mentions(first: 5, filter: {sentiments: [NEGATIVE]}) {
    edges { node { text language sentiment { label score } intents stakeholder risk } }
  }
}"""


def _url(name: str, host: str) -> str:
    return f"http://{host}:{APIS[name].port}"


def load_scenario(now: datetime) -> list[dict[str, Any]]:
    """The scenario's mentions, re-timed so the last one is ``now``, with fresh external ids."""
    rows = [orjson.loads(line) for line in SCENARIO.read_bytes().splitlines() if line.strip()]
    last = max(int(r["offset_seconds"]) for r in rows)
    run = now.strftime("%H%M%S")
    out = []
    for row in sorted(rows, key=lambda r: int(r["offset_seconds"])):
        offset = int(row.pop("offset_seconds"))
        row["created_at"] = (now - timedelta(seconds=last - offset)).isoformat()
        row["external_id"] = f"{row['external_id']}-{run}"
        out.append(row)
    return out


def run_scenario(stack: Stack, host: str = "127.0.0.1", pace_seconds: float = 8.0) -> None:
    """The demo itself; every step says what it does. Errors are shown, never raised."""
    try:
        _run(stack, host, pace_seconds)
    except Exception as exc:  # a demo explains what went wrong and keeps the stack up
        say(f"\n[demo] stopped: {type(exc).__name__}: {exc}")


def _run(stack: Stack, host: str, pace_seconds: float) -> None:
    token = dev_token(stack, department="corporate_communications")
    auth = {"Authorization": f"Bearer {token}"}
    ingest = httpx.Client(base_url=_url("ingest", host), headers=auth, timeout=30)
    sentiment = httpx.Client(base_url=_url("sentiment", host), headers=auth, timeout=30)
    playbook = httpx.Client(base_url=_url("playbook", host), headers=auth, timeout=30)

    loaded = playbook.post("/v1/playbooks/library")
    loaded.raise_for_status()
    say(f"[demo] 1. loaded {len(loaded.json()['items'])} shipped playbooks (datalek, storing, …)")
    topic = sentiment.post(
        "/v1/topics", json={"kind": "brand", "name": "Duinzorg", "query": BRAND_QUERY}
    )
    if topic.status_code not in (201, 409):
        topic.raise_for_status()
    say("[demo] 2. tracking the brand topic 'Duinzorg'")

    with WebhookReceiver() as receiver:
        created = playbook.post("/v1/webhooks", json={"url": receiver.url, "description": "demo"})
        if created.status_code == 422:
            say("[demo]    the playbook API refuses local webhook targets: run the stack with "
                "ALLOW_PRIVATE_WEBHOOK_TARGETS=true (uitkijk demo does)")  # fmt: skip
        created.raise_for_status()
        receiver.secret = created.json()["secret"]
        say(f"[demo] 3. webhook receiver listening on {receiver.url}")

        mentions = load_scenario(datetime.now(UTC))
        say(f"[demo] 4. replaying the Dutch data-leak scenario: {len(mentions)} mentions …")
        chunk = max(1, len(mentions) // 12)
        for start in range(0, len(mentions), chunk):
            ingest.post(
                "/v1/mentions", json={"mentions": mentions[start : start + chunk]}
            ).raise_for_status()
            time.sleep(pace_seconds / 12)

        scored = _wait(lambda: sentiment.get("/v1/mentions", params={"limit": 500}).json()["items"],
                       lambda items: len(items) >= len(mentions) * 0.9, 60)  # fmt: skip
        negative = [m for m in scored or [] if m.get("sentiment", {}).get("label") == "negative"]
        say(f"[demo] 5. {len(scored or [])} mentions scored, {len(negative)} negative")
        for m in negative[:3]:
            say(
                f"          - {m['text'][:90]!r} ({', '.join(m.get('intents', [])) or 'no intent'})"
            )

        incidents = _wait(lambda: playbook.get("/v1/incidents").json()["items"], bool, 60)
        if not incidents:
            say("[demo] no incident opened within a minute; see the playbook worker's log")
            return
        incident = incidents[0]
        say(f"[demo] 6. incident opened: {incident['title']!r} ({incident['severity']}, "
            f"playbook {incident['playbook_id']} v{incident['playbook_version']})")  # fmt: skip
        steps = playbook.get(f"/v1/incidents/{incident['id']}/steps").json()
        for step in steps:
            due = (
                step["due_at"][5:16].replace("T", " ") + " UTC"
                if step["due_at"]
                else "when its turn comes"
            )
            say(f"          - [{step['owner']}] {step['title']} — due {due} ({step['status']})")

        step = next((s for s in steps if s["approvals"]), steps[0] if steps else None)
        draft = playbook.post(
            f"/v1/incidents/{incident['id']}/statements",
            json={
                "platform": "x",
                "audience": "public",
                "language": "nl",
                "step_id": step["id"] if step else None,
                "text": "We onderzoeken signalen over een mogelijk datalek en informeren u zo snel "
                "mogelijk. Uw veiligheid staat voorop.",
            },
        )
        draft.raise_for_status()
        statement = draft.json()
        say(f"[demo] 7. holding statement drafted, waiting for approval from: "
            f"{', '.join(statement['missing_approvals']) or 'nobody'}")  # fmt: skip

        got = _wait(lambda: [r for r in receiver.received if r.valid], bool, 30)
        if got:
            event: Received = got[0]
            say(f"[demo] 8. webhook delivered to the receiver: {event.event.get('type')} "
                f"(webhook-id {event.headers.get('webhook-id')}, signature verified)")  # fmt: skip
        else:
            say("[demo] 8. no webhook arrived within 30 s; see GET /v1/webhooks/{id}/deliveries")

    say(
        "\n[demo] Open GraphiQL at "
        f"{_url('gateway', host)}/graphql, add the header\n"
        f'  {{"Authorization": "Bearer {dev_token(stack)}"}}\n'
        "and paste:\n\n" + GRAPHQL_QUERY + "\n\nCtrl-C stops the stack."
    )


def _wait(fetch: Any, done: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    value = None
    while time.monotonic() < deadline:
        try:
            value = fetch()
            if done(value):
                return value
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        time.sleep(0.5)
    return value if value and done(value) else None

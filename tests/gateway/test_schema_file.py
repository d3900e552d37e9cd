"""docs/schema.graphql is the reviewed contract: it must match the schema the code builds."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes, find_dangerous_changes

from gateway.export_schema import DEFAULT_PATH, schema_sdl

#: Top-level names frontend teams rely on (../shared/API.md); renaming one needs a version bump.
CONTRACT = {
    "Query": {
        "viewer", "node", "mentions", "incidents", "incident", "playbooks", "trends",
        "shareOfVoice", "topics",
    },
    "Mutation": {
        "acknowledgeIncident", "resolveIncident", "completeStep", "draftStatement",
        "approveStatement", "upsertPlaybook", "startDrill",
    },
    "Subscription": {"incidentOpened", "incidentUpdated", "mentionScored"},
}  # fmt: skip


def test_exported_schema_is_current() -> None:
    current = schema_sdl()
    stored = Path(DEFAULT_PATH).read_text(encoding="utf-8")
    if stored == current:
        return
    old, new = build_schema(stored), build_schema(current)
    breaking = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(old, new)]
    dangerous = [f"{c.type.name}: {c.description}" for c in find_dangerous_changes(old, new)]
    raise AssertionError(
        "docs/schema.graphql is out of date: run `python -m gateway.export_schema` and commit it."
        + ("\nBreaking:\n  " + "\n  ".join(breaking) if breaking else "\nNo breaking changes.")
        + ("\nDangerous:\n  " + "\n  ".join(dangerous) if dangerous else "")
    )


def test_contract_names_exist() -> None:
    schema = build_schema(schema_sdl())
    for root, names in CONTRACT.items():
        type_ = schema.get_type(root)
        assert type_ is not None
        missing = names - set(type_.fields)  # type: ignore[attr-defined]
        assert not missing, f"{root} lacks {sorted(missing)}"


def test_removing_a_field_is_reported_as_breaking() -> None:
    stored = build_schema(schema_sdl())
    viewer = '  """Who is calling: tenant and scopes of the token."""\n  viewer: Viewer!\n'
    sdl = schema_sdl().replace(viewer, "")
    changes = find_breaking_changes(stored, build_schema(sdl))
    assert [c.description for c in changes] == ["Field Query.viewer was removed."]

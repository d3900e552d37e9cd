"""Versioned playbooks over REST: YAML in and out, precise validation errors, import, schema."""

from __future__ import annotations

import yaml

from services.playbook.playbooks import load_library
from services.playbook.playbooks.library import library_files
from tests.playbook.conftest import Harness, batch, datalek_burst

YAML = {"Content-Type": "application/yaml"}


def _datalek_yaml() -> str:
    return library_files()["datalek.yaml"]


async def test_an_edit_makes_a_new_version_and_incidents_keep_theirs(
    pb: Harness, tenant: str
) -> None:
    headers = {**pb.auth(tenant), **YAML}
    created = await pb.client.post("/v1/playbooks", content=_datalek_yaml(), headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1 and created.json()["name"] == "Datalek"
    outcome = await pb.evaluate(batch(tenant, datalek_burst(pb.clock, 4)))
    incident_id = outcome.opened[0]

    edited = _datalek_yaml().replace("default: sev2", "default: sev3")
    second = await pb.client.put("/v1/playbooks/datalek", content=edited, headers=headers)
    assert second.status_code == 200 and second.json()["version"] == 2
    assert second.json()["document"]["severity"]["default"] == "sev3"
    as_json = await pb.client.post(
        "/v1/playbooks",
        json={**second.json()["document"], "version": 1},
        headers=pb.auth(tenant),
    )
    assert as_json.status_code == 201 and as_json.json()["version"] == 3

    versions = (
        await pb.client.get("/v1/playbooks/datalek/versions", headers=pb.auth(tenant))
    ).json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    first = (
        await pb.client.get("/v1/playbooks/datalek/versions/1", headers=pb.auth(tenant))
    ).json()
    assert first["document"]["severity"]["default"] == "sev2" and first["latest_version"] == 3
    exported = await pb.client.get("/v1/playbooks/datalek/export", headers=pb.auth(tenant))
    assert exported.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(exported.text)["version"] == 3
    incident = (await pb.client.get(f"/v1/incidents/{incident_id}", headers=pb.auth(tenant))).json()
    assert incident["playbook_version"] == 1

    off = await pb.client.post(
        "/v1/playbooks/datalek/active", json={"active": False}, headers=pb.auth(tenant)
    )
    assert off.json()["active"] is False
    listed = (
        await pb.client.get("/v1/playbooks", params={"active": True}, headers=pb.auth(tenant))
    ).json()
    assert listed["items"] == []


async def test_validation_errors_name_the_place_and_the_line(pb: Harness, tenant: str) -> None:
    text = _datalek_yaml().replace(
        "deadline: {within: PT15M, relative_to: incident}", "deadline: {within: 15 minutes}"
    )
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "15 minutes" in ln)
    response = await pb.client.post(
        "/v1/playbooks", content=text, headers={**pb.auth(tenant), **YAML}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    within = next(e for e in errors if e["loc"] == "steps[0].deadline.within")
    assert within["line"] == line and "match pattern" in within["msg"]
    broken = await pb.client.post(
        "/v1/playbooks", content="id: [unclosed", headers={**pb.auth(tenant), **YAML}
    )
    assert broken.status_code == 422 and broken.json()["errors"][0]["line"] == 1
    unknown_var = _datalek_yaml().replace("{status_url}", "{stauts_url}")
    bad_var = await pb.client.post(
        "/v1/playbooks", content=unknown_var, headers={**pb.auth(tenant), **YAML}
    )
    assert bad_var.status_code == 422
    assert any(
        "stauts_url" in e["msg"] and e["loc"].endswith("templates.holding_statement.x.nl")
        for e in bad_var.json()["errors"]
    )
    media = await pb.client.post(
        "/v1/playbooks",
        content=b"<xml/>",
        headers={**pb.auth(tenant), "Content-Type": "application/xml"},
    )
    assert media.status_code == 415


async def test_import_takes_several_documents_all_or_nothing(pb: Harness, tenant: str) -> None:
    files = library_files()
    text = "\n---\n".join([files["storing.yaml"], files["terugroepactie.yaml"]])
    imported = await pb.client.post(
        "/v1/playbooks/import", content=text, headers={**pb.auth(tenant), **YAML}
    )
    assert imported.status_code == 201, imported.text
    assert [p["id"] for p in imported.json()["items"]] == ["storing", "terugroepactie"]

    broken = files["datalek.yaml"].replace("owner: webcare", "owner: it", 1)
    bad_line = next(i for i, ln in enumerate(broken.splitlines(), 1) if "owner: it" in ln)
    response = await pb.client.post(
        "/v1/playbooks/import",
        content="\n---\n".join([files["executive_misconduct.yaml"], broken]),
        headers={**pb.auth(tenant), **YAML},
    )
    assert response.status_code == 422
    error = next(e for e in response.json()["errors"] if e["loc"] == "documents[1].steps[0].owner")
    # the first file ends with a newline, then an empty line and "---": it starts on line n + 3
    assert error["line"] == len(files["executive_misconduct.yaml"].splitlines()) + 2 + bad_line
    listed = (await pb.client.get("/v1/playbooks", headers=pb.auth(tenant))).json()["items"]
    assert [p["id"] for p in listed] == [
        "storing",
        "terugroepactie",
    ]  # nothing of the failed import


async def test_schema_library_and_scopes(pb: Harness, tenant: str) -> None:
    schema = await pb.client.get("/v1/playbooks/schema", headers=pb.auth(tenant, "playbooks:read"))
    assert schema.status_code == 200 and schema.json()["$id"].endswith("playbook.schema.json")
    loaded = await pb.client.post(
        "/v1/playbooks/library", headers=pb.auth(tenant, "playbooks:write")
    )
    assert sorted(p["id"] for p in loaded.json()["items"]) == sorted(p.id for p in load_library())
    again = await pb.client.post(
        "/v1/playbooks/library", headers=pb.auth(tenant, "playbooks:write")
    )
    assert again.json()["items"] == []
    refused = await pb.client.post(
        "/v1/playbooks",
        content=_datalek_yaml(),
        headers={**pb.auth(tenant, "playbooks:read"), **YAML},
    )
    assert refused.status_code == 403
    missing = await pb.client.get("/v1/playbooks/nope", headers=pb.auth(tenant))
    assert missing.status_code == 404 and missing.json()["type"].endswith("/playbook-not-found")

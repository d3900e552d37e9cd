"""Bulk imports: streamed JSONL and CSV, rejected lines reported with their numbers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson

from services.ingest.imports.parsing import ImportFormat, LineParser
from tests.conftest import TokenFactory
from tests.ingest.conftest import Ingest
from tests.ingest.factories import auth, mention


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_jsonl_import_reports_bad_lines_by_number(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    lines = [orjson.dumps(mention()) for _ in range(3)]
    lines.insert(1, b"{broken json")
    lines.append(orjson.dumps(mention(platform="myspace")))
    lines.append(b"")
    lines.append(lines[0])
    body = b"\n".join(lines) + b"\n"
    response = await ingest.client.post(
        "/v1/imports",
        content=_chunks(body, 7),
        headers={
            **auth(make_token(tenant, "mentions:write")),
            "content-type": "application/x-ndjson",
        },
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["accepted"], report["duplicates"], report["rejected"]) == (3, 1, 2)
    assert [e["line"] for e in report["errors"]] == [2, 5]
    assert "invalid JSON" in report["errors"][0]["error"]
    assert "platform" in report["errors"][1]["error"]


async def test_csv_import_with_quoted_newlines(
    ingest: Ingest, tenant: str, make_token: TokenFactory
) -> None:
    csv = (
        b"platform,external_id,text,created_at,author_handle,author_followers,likes\n"
        b'x,1,"Eerste regel\nen tweede regel",2026-11-28T09:00:00Z,jan,10,2\n'
        b"x,2,Geen datum,,piet,5,0\n"
        b"reddit,3,Prima service,2026-11-28T10:00:00+01:00,,,\n"
        b"x,4,te weinig velden\n"
    )
    headers = {
        **auth(make_token(tenant, "mentions:write", "mentions:read")),
        "content-type": "text/csv",
    }
    report = (await ingest.client.post("/v1/imports", content=csv, headers=headers)).json()
    assert (report["accepted"], report["rejected"]) == (2, 2)
    assert [e["line"] for e in report["errors"]] == [4, 6]
    assert "created_at" in report["errors"][0]["error"]
    listed = (
        await ingest.client.get("/v1/mentions", params={"author": "jan"}, headers=headers)
    ).json()
    stored = listed["items"][0]
    assert stored["text"] == "Eerste regel\nen tweede regel"
    assert stored["author"]["followers"] == 10 and stored["engagement"]["likes"] == 2


def test_parser_never_holds_more_than_a_line() -> None:
    parser = LineParser(ImportFormat.JSONL)
    out: list[tuple[int, object]] = []
    for _ in range(10_000):
        out.extend(parser.feed(b'{"a": 1}\n'))
        assert len(parser._buffer) == 0
    out.extend(parser.finish())
    assert len(out) == 10_000 and out[-1] == (10_000, {"a": 1})

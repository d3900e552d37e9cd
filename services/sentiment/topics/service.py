"""Use cases of topics and known accounts, and the per-tenant profile the worker tags with.

Services flush, never commit: the router owns the transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import new_id
from services.sentiment.nlp import topics as nlp_topics
from services.sentiment.nlp.stakeholders import StakeholderType as NlpStakeholder
from services.sentiment.nlp.topics import CompiledQuery, TopicQueryError, compile_query
from services.sentiment.topics import repository as repo
from services.sentiment.topics.errors import InvalidTopicQuery, TopicNameTaken, TopicNotFound
from services.sentiment.topics.schemas import (
    KnownAccountIn,
    KnownAccountRead,
    TopicIn,
    TopicKind,
    TopicPatch,
    TopicRead,
)
from services.sentiment.topics.tables import KnownAccount, Topic

log = structlog.get_logger("uitkijk.sentiment")


# ``CompiledQuery.matches`` folds and tokenises the text on every call: with several topics that
# is most of the tagging time. The library's document preparation is used directly where it
# exists (asked to become public); ``matches`` stays the fallback, with the same results.
def _shared_preparation() -> Callable[[str, str | None], Any] | None:
    prepare = getattr(nlp_topics, "_prepare", None)
    try:  # the fast path must agree with ``matches`` or it is not used
        probe = compile_query('acme OR "de app" -#spam')
        for text, handle in [("De app van Acme", None), ("acme #spam", "x"), ("niets", "acme")]:
            if probe._pred(prepare(text, handle)) != probe.matches(text, handle):  # type: ignore[misc]
                return None
    except Exception:  # a changed library: fall back to ``matches``
        return None
    return prepare


_PREPARE = _shared_preparation()


def compile_or_problem(query: str) -> CompiledQuery:
    try:
        return compile_query(query)
    except TopicQueryError as exc:
        raise InvalidTopicQuery(exc.message, exc.position, query) from exc


def to_read(topic: Topic) -> TopicRead:
    return TopicRead(
        id=topic.id,
        kind=TopicKind(topic.kind),
        name=topic.name,
        query=topic.query,
        languages=list(topic.languages),
        created_at=topic.created_at,
        updated_at=topic.updated_at,
    )


async def create_topic(session: AsyncSession, tenant: str, body: TopicIn) -> Topic:
    compile_or_problem(body.query)
    if await repo.topic_by_name(session, tenant, body.name) is not None:
        raise TopicNameTaken(body.name)
    now = datetime.now(UTC)
    topic = Topic(
        id=new_id(now),
        tenant=tenant,
        kind=body.kind.value,
        name=body.name,
        query=body.query,
        languages=sorted(set(body.languages)),
        created_at=now,
        updated_at=now,
    )
    try:
        await repo.add_topic(session, topic)
    except IntegrityError as exc:  # a concurrent create with the same name
        raise TopicNameTaken(body.name) from exc
    return topic


async def update_topic(
    session: AsyncSession, tenant: str, topic_id: str, body: TopicPatch
) -> Topic:
    topic = await repo.get_topic(session, tenant, topic_id)
    if topic is None:
        raise TopicNotFound(topic_id)
    if body.query is not None:
        compile_or_problem(body.query)
        topic.query = body.query
    if body.name is not None and body.name != topic.name:
        if await repo.topic_by_name(session, tenant, body.name) is not None:
            raise TopicNameTaken(body.name)
        topic.name = body.name
    if body.kind is not None:
        topic.kind = body.kind.value
    if body.languages is not None:
        topic.languages = sorted(set(body.languages))
    topic.updated_at = datetime.now(UTC)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise TopicNameTaken(topic.name) from exc
    return topic


async def delete_topic(session: AsyncSession, tenant: str, topic_id: str) -> None:
    topic = await repo.get_topic(session, tenant, topic_id)
    if topic is None:
        raise TopicNotFound(topic_id)
    await repo.delete_topic(session, topic)


def account_to_read(account: KnownAccount) -> KnownAccountRead:
    return KnownAccountRead.model_validate(
        {
            "id": account.id,
            "handle": account.handle,
            "platform": account.platform or None,
            "stakeholder": account.stakeholder,
            "note": account.note,
            "updated_at": account.updated_at,
        }
    )


def normalise_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


async def upsert_accounts(
    session: AsyncSession, tenant: str, accounts: Sequence[KnownAccountIn]
) -> list[KnownAccount]:
    """Insert or update each (platform, handle); the last of repeated keys in one request wins."""
    now = datetime.now(UTC)
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for account in accounts:
        platform = account.platform.value if account.platform else ""
        handle = normalise_handle(account.handle)
        rows[(platform, handle)] = {
            "id": new_id(now),
            "tenant": tenant,
            "platform": platform,
            "handle": handle,
            "stakeholder": account.stakeholder.value,
            "note": account.note,
            "updated_at": now,
        }
    ids = await repo.upsert_accounts(session, list(rows.values()))
    stored = await repo.accounts_by_ids(session, tenant, ids)
    return sorted(stored, key=lambda a: (a.handle, a.platform))


# --- the profile the worker tags and classifies with -------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    name: str
    kind: str
    query: CompiledQuery
    languages: frozenset[str]


@dataclass(frozen=True, slots=True)
class TenantProfile:
    """A tenant's compiled topics and known accounts (lower-case handle → stakeholder type)."""

    topics: tuple[CompiledTopic, ...] = ()
    accounts: Mapping[str, NlpStakeholder] = field(default_factory=dict)
    #: Per platform: the accounts known everywhere overlaid with those known on that platform.
    platform_accounts: Mapping[str, Mapping[str, NlpStakeholder]] = field(default_factory=dict)

    def accounts_for(self, platform: str) -> Mapping[str, NlpStakeholder]:
        return self.platform_accounts.get(platform, self.accounts)

    def tag(self, text: str, handle: str | None, language: str) -> list[str]:
        """Names of the topics whose query matches, in name order."""
        topics = [t for t in self.topics if not t.languages or language in t.languages]
        if not topics:
            return []
        if _PREPARE is not None and len(topics) > 1:
            # Tokenise and fold the text once for every topic instead of once per topic.
            doc = _PREPARE(text, handle)
            return [t.name for t in topics if t.query._pred(doc)]
        return [t.name for t in topics if t.query.matches(text, handle)]


def build_profile(topics: Sequence[Topic], accounts: Sequence[KnownAccount]) -> TenantProfile:
    compiled: list[CompiledTopic] = []
    for topic in sorted(topics, key=lambda t: t.name):
        try:
            query = compile_query(topic.query)
        except TopicQueryError as exc:  # stored before a grammar change: skip, don't fail
            log.warning("stored topic query no longer parses", topic=topic.id, error=str(exc))
            continue
        compiled.append(CompiledTopic(topic.name, topic.kind, query, frozenset(topic.languages)))
    generic: dict[str, NlpStakeholder] = {}
    specific: dict[str, dict[str, NlpStakeholder]] = {}
    for account in accounts:
        kind = NlpStakeholder(account.stakeholder)
        if account.platform:
            specific.setdefault(account.platform, {})[account.handle] = kind
        else:
            generic[account.handle] = kind
    per_platform = {p: {**generic, **overrides} for p, overrides in specific.items()}
    return TenantProfile(tuple(compiled), generic, per_platform)


async def load_profile(session: AsyncSession, tenant: str) -> TenantProfile:
    topics = await repo.list_topics(session, tenant)
    accounts = await repo.list_accounts(session, tenant)
    return build_profile(topics, accounts)


class ProfileCache:
    """Tenant profiles kept for ``ttl_seconds``: a topic edit reaches the worker within that time."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl_seconds: float) -> None:
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._entries: dict[str, tuple[float, TenantProfile]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, tenant: str) -> TenantProfile:
        entry = self._entries.get(tenant)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        lock = self._locks.setdefault(tenant, asyncio.Lock())
        async with lock:
            entry = self._entries.get(tenant)
            if entry is not None and entry[0] > time.monotonic():
                return entry[1]
            async with self._sessions() as session:
                profile = await load_profile(session, tenant)
            self._entries[tenant] = (time.monotonic() + self._ttl, profile)
            if len(self._entries) > 10_000:
                self._entries.clear()
            return profile

    def invalidate(self, tenant: str | None = None) -> None:
        if tenant is None:
            self._entries.clear()
        else:
            self._entries.pop(tenant, None)

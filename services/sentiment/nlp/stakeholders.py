"""Stakeholder type of a mention's author, from the tenant's known accounts and public profile.

Decision order (first rule that fires wins; ``reason`` says which):

1. ``known``: the tenant's ``known_accounts`` mapping (lower-case handle -> type) always wins.
2. ``domain``: the profile URL is on a news domain (media) or a government domain (politician).
3. ``bio``: role words in the bio, checked politician, media, analyst, investor, employee.
4. ``handle``: the handle or display name reads like a newsroom (``…nieuws``, ``…news``).
5. ``reach``: at least 50,000 followers, or verified with at least 10,000, or a self-described
   creator (influencer, blogger, vlogger, youtuber, creator) with at least 5,000: influencer.
6. otherwise ``customer`` when there is an author, ``unknown`` when there is none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict


class StakeholderType(StrEnum):
    CUSTOMER = "customer"
    MEDIA = "media"
    ANALYST = "analyst"
    INVESTOR = "investor"
    EMPLOYEE = "employee"
    POLITICIAN = "politician"
    INFLUENCER = "influencer"
    UNKNOWN = "unknown"


class Author(BaseModel):
    """The public profile of a mention's author, as far as the platform tells."""

    model_config = ConfigDict(frozen=True)

    handle: str | None = None
    name: str | None = None
    bio: str | None = None
    url: str | None = None
    followers: int | None = None
    verified: bool = False


def _words(text: str) -> list[str]:
    return text.split()


NEWS_DOMAINS: Final[frozenset[str]] = frozenset(
    _words(
        """
    nos.nl nu.nl telegraaf.nl volkskrant.nl nrc.nl ad.nl parool.nl trouw.nl rtl.nl rtlnieuws.nl
    rtlz.nl fd.nl bnr.nl nieuwsuur.nl eenvandaag.nl omroepwest.nl rtvutrecht.nl at5.nl
    omroepbrabant.nl rtvnoord.nl l1.nl omropfryslan.nl gelderlander.nl tubantia.nl bndestem.nl
    pzc.nl ed.nl destentor.nl dvhn.nl lc.nl nd.nl hln.be standaard.be demorgen.be vrt.be
    nieuwsblad.be tijd.be gva.be hbvl.be knack.be sbs6.nl businessinsider.nl sprout.nl emerce.nl
    tweakers.net bright.nl geenstijl.nl powned.tv bbc.co.uk bbc.com reuters.com bloomberg.com
    nytimes.com washingtonpost.com theguardian.com ft.com wsj.com cnn.com apnews.com
    economist.com politico.eu politico.com euronews.com afp.com dpa.com spiegel.de zeit.de
    faz.net sueddeutsche.de tagesschau.de handelsblatt.com welt.de bild.de lemonde.fr
    lefigaro.fr liberation.fr francetvinfo.fr techcrunch.com theverge.com wired.com cnbc.com
    forbes.com axios.com skynews.com independent.co.uk telegraph.co.uk
    """
    )
)
_GOV_SUFFIXES: Final = (".gov", ".gov.uk", ".gouv.fr", ".europa.eu", ".overheid.nl", ".bund.de")
_GOV_DOMAINS: Final[frozenset[str]] = frozenset(
    _words(
        """
    rijksoverheid.nl overheid.nl tweedekamer.nl eerstekamer.nl europarl.europa.eu europa.eu
    government.nl gemeente.nl vng.nl bundestag.de parliament.uk
    """
    )
)

_BIO_RULES: Final[tuple[tuple[StakeholderType, re.Pattern[str]], ...]] = (
    (
        StakeholderType.POLITICIAN,
        re.compile(
            r"\b(?:kamerlid|tweede kamerlid|eerste kamerlid|tk-lid|statenlid|raadslid|"
            r"gemeenteraadslid|wethouder|burgemeester|gedeputeerde|minister|staatssecretaris|"
            r"fractievoorzitter|fractie|europarlementari[eë]r|mep|member of parliament|mp for|"
            r"senator|senaat|congressman|congresswoman|councillor|councilor|mayor|politician|"
            r"politicus|politica|volksvertegenwoordiger|bundestagsabgeordnete[rn]?|"
            r"abgeordnete[rn]?|d[ée]put[ée]e?|spokesperson for the government|"
            r"regeringswoordvoerder|gemeente\s+\w+)\b"
        ),
    ),
    (
        StakeholderType.MEDIA,
        re.compile(
            r"\b(?:journalist\w*|journaliste|verslaggever\w*|redacteur\w*|redactie|reporter|"
            r"correspondent\w*|editor|columnist|presentator\w*|presenter|anchor|nieuwslezer|"
            r"hoofdredacteur|eindredacteur|newsroom|nieuwsdienst|persbureau|journalisme|"
            r"journalism|nieuws\w*|news|podcaster|schrijft voor|writes for|writer at|"
            r"reporter at|bij de volkskrant|bij nrc|bij nos|bij rtl)\b"
        ),
    ),
    (
        StakeholderType.ANALYST,
        re.compile(
            r"\b(?:analist\w*|analyst\w*|equity research|sell[- ]side|buy[- ]side|"
            r"research director|industry research|gartner|forrester|idc|kreditanalyst|"
            r"rating agency|moody'?s|s&p|fitch)\b"
        ),
    ),
    (
        StakeholderType.INVESTOR,
        re.compile(
            r"\b(?:investor|investeerder|belegger\w*|aandeelhouder\w*|shareholder\w*|"
            r"venture capital|vc|angel investor|business angel|hedge ?fund|fund manager|"
            r"fondsbeheerder|portfolio manager|asset manag\w*|vermogensbeheer\w*|private equity|"
            r"family office|trader|daytrader)\b"
        ),
    ),
    (
        StakeholderType.EMPLOYEE,
        re.compile(
            r"(?:\b(?:werkzaam bij|werk bij|werkt bij|medewerker|collega bij|employee|"
            r"staff member|works at|working at|work at|employed at|team member at|"
            r"ex-medewerker|former employee)\b)"
        ),
    ),
)
_CREATOR_RE: Final = re.compile(
    r"\b(?:influencer|content ?creator|creator|blogger|vlogger|youtuber|tiktoker|streamer|"
    r"instagrammer|ambassador|ambassadeur|brand partner)\b"
)
_NEWSY_HANDLE_RE: Final = re.compile(r"(?:nieuws|news|journaal|redactie|newsroom|headlines)")


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    candidate = url if "://" in url else "https://" + url
    host = (urlsplit(candidate).hostname or "").lower()
    return host.removeprefix("www.") or None


def _domain_type(host: str) -> StakeholderType | None:
    labels = host.split(".")
    parents = {".".join(labels[i:]) for i in range(len(labels) - 1)}
    if parents & NEWS_DOMAINS:
        return StakeholderType.MEDIA
    if parents & _GOV_DOMAINS or host.endswith(_GOV_SUFFIXES) or ".gov." in f".{host}.":
        return StakeholderType.POLITICIAN
    return None


def classify_stakeholder(
    author: Author | None, known_accounts: Mapping[str, StakeholderType | str] | None = None
) -> tuple[StakeholderType, str]:
    """The stakeholder type of ``author`` and the rule that decided it (see module docstring)."""
    if author is None or not (author.handle or author.name or author.bio or author.url):
        return StakeholderType.UNKNOWN, "no_author"
    handle = (author.handle or "").strip().lstrip("@").lower()
    if known_accounts and handle and handle in known_accounts:
        return StakeholderType(known_accounts[handle]), "known"
    host = _domain(author.url)
    if host is not None:
        by_domain = _domain_type(host)
        if by_domain is not None:
            return by_domain, "domain"
    bio = (author.bio or "").lower()
    if bio:
        for kind, pattern in _BIO_RULES:
            if pattern.search(bio):
                return kind, "bio"
    if _NEWSY_HANDLE_RE.search(handle) or _NEWSY_HANDLE_RE.search((author.name or "").lower()):
        return StakeholderType.MEDIA, "handle"
    followers = author.followers or 0
    if (
        followers >= 50_000
        or (author.verified and followers >= 10_000)
        or (followers >= 5_000 and _CREATOR_RE.search(bio))
    ):
        return StakeholderType.INFLUENCER, "reach"
    return StakeholderType.CUSTOMER, "default"

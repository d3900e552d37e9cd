"""Intent rules (complaint, question, praise, crisis signal) for Dutch and English.

Each intent is one compiled regular expression run once over the whole lower-cased batch (texts
joined by newlines); matches are mapped back to texts by their offsets.  Crisis signals are a
single alternation with one named group per category, so the first category that matches at a
position names it.  A crisis phrase directly preceded by a negation (``geen storing``, ``no
outage``, ``not a scam``) or followed by a resolution (``storing verholpen``, ``outage is over``)
does not count.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from services.sentiment.nlp.features import trie_regex


class Intent(StrEnum):
    COMPLAINT = "complaint"
    QUESTION = "question"
    PRAISE = "praise"
    CRISIS_SIGNAL = "crisis_signal"


class CrisisCategory(StrEnum):
    DATA_LEAK = "data_leak"
    OUTAGE = "outage"
    RECALL = "recall"
    FRAUD = "fraud"
    LAWSUIT = "lawsuit"
    BOYCOTT = "boycott"
    SAFETY = "safety"


_ALTERNATIVES: list[str] = []  # every alternative of every word pattern, for the prefilter


def _alt(words: str, prefilter: bool = True) -> str:
    alts = [w.replace("_", r"\s+") for w in words.split()]
    if prefilter:
        _ALTERNATIVES.extend(words.split())
    return "|".join(alts)


_META: Final = set("\\()[]?*+.|{}^$")


def _literal_prefix(alternative: str) -> str:
    """The literal characters an alternative must start with ('' when it starts with syntax)."""
    end = 0
    while end < len(alternative) and alternative[end] not in _META:
        end += 1
    if end < len(alternative) and alternative[end] in "?*{":
        end -= 1  # the last literal is optional
    return alternative[:end].rstrip("_").replace("_", " ")


# Patterns are written on lower-cased text; "_" stands for whitespace inside a phrase.
_CRISIS: Final[dict[CrisisCategory, str]] = {
    CrisisCategory.DATA_LEAK: _alt(
        r"""datalek\w* data_?lek\w* data_?breach\w* data_leak\w* gehackt gehacked hacked hack
        hackers? lek_van_gegevens gegevens_(?:zijn_)?(?:gelekt|gestolen|op_straat) gelekte
        leaked leak_of privacylek\w* persoonsgegevens_\w*_?(?:gelekt|gestolen|inzichtelijk)
        ransomware cyberaanval\w* cyber_?attack\w* klantgegevens\w*_(?:gelekt|gestolen)
        (?:passwords?|wachtwoorden)_(?:gelekt|leaked|stolen|gestolen) security_breach
        identity_theft identiteitsfraude"""
    ),
    CrisisCategory.OUTAGE: _alt(
        r"""storing\w* storingen outage\w* (?:is|are|site|app|website|server|servers|netwerk)_(?:down|plat|offline)
        ligt_(?:er_)?(?:plat|eruit|eruit|stil) eruit_ligt plat_?gelegd werkt_(?:al_\w+_)?niet_meer
        doet_het_niet(?:_meer)? kan_niet_inloggen cannot_log_?in cant_log_?in can't_log_?in
        not_working down_again weer_down alweer_down service_disruption service_unavailable
        serviceonderbreking 502_bad_gateway 503 black_?out stroomstoring netwerkstoring
        verstoring\w* crasht crashes_(?:all_the_time|constantly|again)
        keeps_crashing app_crasht"""
    ),
    CrisisCategory.RECALL: _alt(
        r"""terugroep\w* teruggeroepen roept_\w*_?terug recalled recalls recalling product_?recall
        (?:a|the|voluntary|safety)_recall recall_(?:of|notice)
        haalt_\w*_uit_de_(?:schappen|handel) uit_de_schappen_gehaald withdrawn_from_sale
        veiligheidswaarschuwing"""
    ),
    CrisisCategory.FRAUD: _alt(
        r"""fraude\w* fraud\w* oplichting\w* oplichter\w* opgelicht scam\w* scammer\w* phishing
        nepmail\w* valse_facturen? witwassen money_laundering embezzl\w* verduistering\w*
        omkoping bribery corruptie corruption ponzi misleiding misleading_customers
        frauduleu\w* afzetterij"""
    ),
    CrisisCategory.LAWSUIT: _alt(
        r"""rechtszaak\w* rechtzaak\w* lawsuit\w* sued sue_you suing class_action
        massaclaim\w* aanklacht\w* aangeklaagd dagvaarding\w* gedagvaard
        naar_de_rechter stappen_naar_de_rechter juridische_stappen legal_action
        aangifte_(?:gedaan|doen) boete_van fined toezichthouder\w* acm_onderzoek
        ap_onderzoek regulator_investigat\w* settlement_of schikking"""
    ),
    CrisisCategory.BOYCOTT: _alt(
        r"""boycot\w* boycott\w* nooit_meer_bij nooit_meer_(?:klant|kopen|bestellen)
        never_(?:again|buying|shopping|flying|ordering)_(?:from|with|at)? never_again
        opzeggen zeg_\w*_op abonnement_opgezegd cancel(?:l?ed|ling)?_my_(?:subscription|account)
        overstappen_naar switching_to stop_met_kopen don't_buy dont_buy koop_niet_bij"""
    ),
    CrisisCategory.SAFETY: _alt(
        r"""ontploft ontploffing\w* explosion\w* exploded explodes brand_uitgebroken in_brand
        vatte_vlam caught_fire on_fire vergiftig\w* voedselvergiftiging food_poisoning
        poisoned poisoning giftig\w* toxic salmonella listeria ecoli e-coli gewond\w* injured
        injuries dodelijk\w* fatal gezondheidsrisico\w* health_risk health_hazard
        safety_(?:risk|issue|hazard|concern|recall) onveilig\w* unsafe gevaarlijk\w*
        dangerous hazardous allergische_reactie allergic_reaction in_het_ziekenhuis
        hospitali[sz]ed neergestort choking_hazard stikgevaar"""
    ),
}

_NEG_BEFORE: Final = re.compile(
    r"(?:\b(?:geen|niet|nooit|no|not|never|without|zonder|kein|keine|pas|zero)\s+(?:\w+\s+)?)$"
)
_RESOLVED_AFTER: Final = re.compile(
    r"^\W*(?:\w+\s+){0,2}(?:verholpen|opgelost|voorbij|fixed|resolved|over\b|is\s+over)"
)

_CRISIS_RE: Final = re.compile(
    "|".join(rf"(?P<{cat.value}>\b(?:{pat})\b)" for cat, pat in _CRISIS.items())
)

_COMPLAINT_RE: Final = re.compile(
    r"\b(?:"
    + _alt(
        r"""klacht\w* klagen klaag\w* ontevreden teleurgesteld\w* teleurstellend\w* slecht\w*
        waardeloos\w* belachelijk\w* schandalig\w* schande bagger klote kut\w* ergerlijk\w*
        irritant\w* balen baal nog_steeds_niet al_\w+_(?:dagen|weken|uur|maanden) wacht_al
        niemand_(?:die_)?(?:reageert|neemt_op|helpt) geen_reactie geen_antwoord
        geld_terug refund\w* terugbetal\w* kapot defect\w* niet_geleverd nooit_geleverd
        nooit_ontvangen not_delivered never_(?:arrived|received|delivered) complain\w*
        disappoint\w* terrible horrible awful worst useless ridiculous unacceptable
        onacceptabel\w* fed_up sick_of still_(?:waiting|not|no) no_response no_reply
        been_waiting broken rip_?off oplichters afzetters \#fail fail epic_fail wtf
        customer_service_sucks sucks hopeless shitty crappy not_done niet_normaal
        bizar slechte_service slechte_klantenservice kaputt schlecht"""
    )
    + r")\b"
)

# A question: a question mark anywhere, or a question word opening the post (matched per line).
_QUESTION_START_RE: Final = re.compile(
    r"\W*(?:"
    + _alt(
        r"""hoe waarom wanneer wat(?!_een\b) waar wie welke hoeveel kan_iemand kunnen_jullie kun_je
        weet_iemand is_het_mogelijk heeft_iemand mag_ik moet_ik how why when what(?!_an?\b) where who
        which can_(?:you|i|someone|anyone) could_you is_there does_anyone anyone_know
        do_you will_you are_you""",
        prefilter=False,
    )
    + r")\b"
)

_PRAISE_RE: Final = re.compile(
    r"\b(?:"
    + _alt(
        r"""bedankt dank(?:je|jewel|u|uwel)? dank_je(?:_wel)? top(?:pers?)? topservice super\w*
        geweldig\w* fantastisch\w* prima uitstekend\w* perfect\w* compliment\w* chapeau
        goed_geholpen snel_geholpen fijn\w* blij_met tevreden aanrader aan_te_raden
        heerlijk\w* thanks thank_you thx kudos shout_?out great_(?:job|service|work)
        excellent amazing awesome love_(?:it|this|you|your) loving brilliant well_done
        impressed recommend\w* helpful best_(?:service|app|customer)"""
    )
    + r")(?!\w)"
)


def _prefilter() -> re.Pattern[str]:
    literal = {_literal_prefix(a) for a in _ALTERNATIVES}
    syntax_first = [a.replace("_", r"\s+") for a in _ALTERNATIVES if not _literal_prefix(a)]
    literal.discard("")
    # the shortest literal prefix suffices: "storing" covers "storingen"
    minimal = {w for w in literal if not any(o != w and w.startswith(o) for o in literal)}
    trie = trie_regex(minimal).replace("\\ ", r"\s+")  # "_" in a pattern is \s+
    return re.compile(r"\b(?:" + trie + "|" + "|".join(syntax_first) + ")")


# Candidate positions for every word pattern at once: a trie of the literal prefixes is cheap
# to scan; the full (slow, many-branched) patterns then run only where a candidate starts.
_CANDIDATES: Final = _prefilter()
_PRAISE_EMOJI: Final = ("👍", "👏", "🙏", "😍", "🥰", "❤", "💯")


def _line_index(joined: str, n_texts: int) -> list[int]:
    """Offset of each text's first character in the joined batch (sorted, for ``bisect``)."""
    starts = [0]
    find = joined.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts[:n_texts]


def _find_all(haystack: str, needle: str) -> list[int]:
    out: list[int] = []
    pos = haystack.find(needle)
    while pos >= 0:
        out.append(pos)
        pos = haystack.find(needle, pos + 1)
    return out


def join_lower(texts: Sequence[str]) -> str:
    """The batch as one lower-cased string, one text per line (the input of the detectors)."""
    return "\n".join(t.replace("\n", " ").replace("\r", " ") for t in texts).lower()


def detect_rules(
    joined_lower: str, n_texts: int
) -> tuple[list[set[Intent]], list[tuple[CrisisCategory, ...]]]:
    """Rule hits per text: the lexical intents and the crisis categories (in pattern order).

    ``complaint`` and ``praise`` here are lexical only; the enricher adds sentiment-based ones.
    """
    starts = _line_index(joined_lower, n_texts)
    intents: list[set[Intent]] = [set() for _ in range(n_texts)]
    question_match = _QUESTION_START_RE.match
    for row, line in enumerate(joined_lower.split("\n")):
        if "?" in line or question_match(line):
            intents[row].add(Intent.QUESTION)
    for pos in {m for e in _PRAISE_EMOJI for m in _find_all(joined_lower, e)}:
        intents[bisect_right(starts, pos) - 1].add(Intent.PRAISE)
    crisis: list[list[CrisisCategory]] = [[] for _ in range(n_texts)]
    complaint_match = _COMPLAINT_RE.match
    praise_match = _PRAISE_RE.match
    crisis_match = _CRISIS_RE.match
    last_end = -1
    for cand in _CANDIDATES.finditer(joined_lower):
        pos = cand.start()
        row = -1
        if complaint_match(joined_lower, pos):
            row = bisect_right(starts, pos) - 1
            intents[row].add(Intent.COMPLAINT)
        if praise_match(joined_lower, pos):
            row = row if row >= 0 else bisect_right(starts, pos) - 1
            intents[row].add(Intent.PRAISE)
        if pos < last_end:
            continue
        m = crisis_match(joined_lower, pos)
        if m is None:
            continue
        last_end = m.end()
        line_start = joined_lower.rfind("\n", 0, m.start()) + 1
        before = joined_lower[max(line_start, m.start() - 30) : m.start()]
        if _NEG_BEFORE.search(before):
            continue
        line_end = joined_lower.find("\n", m.end())
        after = joined_lower[m.end() : (line_end if line_end >= 0 else len(joined_lower))][:40]
        if _RESOLVED_AFTER.match(after):
            continue
        row = row if row >= 0 else bisect_right(starts, pos) - 1
        cat = CrisisCategory(m.lastgroup or "")
        if cat not in crisis[row]:
            crisis[row].append(cat)
    for row, cats in enumerate(crisis):
        if cats:
            intents[row].add(Intent.CRISIS_SIGNAL)
    return intents, [tuple(c) for c in crisis]

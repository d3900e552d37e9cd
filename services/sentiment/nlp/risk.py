"""Reach and risk: documented formulas, every factor returned so a person can see why.

Reach (a potential-audience proxy, not measured impressions)::

    audience = max(followers, views) + 100 * shares + 10 * replies + 2 * likes
    reach    = min(1, log10(1 + audience) / 6)        # 0 -> 0, 1,000 -> 0.5, 1,000,000 -> 1

Risk in [0, 1] is *signal* (how bad the mention is) times *exposure* (who says it, to how many)::

    negativity = max(0, -sentiment_score)                           # in [0, 1]
    crisis     = max weight of the matched crisis categories         # 0 when none
                 (safety 1.0, data_leak 1.0, fraud 0.9, recall 0.9, lawsuit 0.8,
                  boycott 0.8, outage 0.7)
    complaint  = 1 when a complaint intent was found, else 0
    signal     = min(1, 0.6 * negativity + 0.5 * crisis + 0.1 * complaint)
    exposure   = 0.4 + 0.3 * reach + 0.3 * stakeholder_weight        # in [0.4, 1]
    risk       = signal * exposure

Stakeholder weights: media 1.0, politician 1.0, analyst 0.8, investor 0.8, influencer 0.7,
employee 0.6, customer 0.3, unknown 0.2.  A furious post by an anonymous account with no reach
therefore tops out near 0.4, the same post by a journalist with 100k followers near 0.9.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from services.sentiment.nlp._construct import build as _build
from services.sentiment.nlp.intents import CrisisCategory
from services.sentiment.nlp.stakeholders import StakeholderType


class Engagement(BaseModel):
    """Interaction counts of a mention at the time it was collected."""

    model_config = ConfigDict(frozen=True)

    likes: int = 0
    shares: int = 0
    replies: int = 0
    views: int = 0


_NO_ENGAGEMENT: Final = Engagement()

STAKEHOLDER_WEIGHT: Final[dict[StakeholderType, float]] = {
    StakeholderType.MEDIA: 1.0,
    StakeholderType.POLITICIAN: 1.0,
    StakeholderType.ANALYST: 0.8,
    StakeholderType.INVESTOR: 0.8,
    StakeholderType.INFLUENCER: 0.7,
    StakeholderType.EMPLOYEE: 0.6,
    StakeholderType.CUSTOMER: 0.3,
    StakeholderType.UNKNOWN: 0.2,
}
CRISIS_WEIGHT: Final[dict[CrisisCategory, float]] = {
    CrisisCategory.SAFETY: 1.0,
    CrisisCategory.DATA_LEAK: 1.0,
    CrisisCategory.FRAUD: 0.9,
    CrisisCategory.RECALL: 0.9,
    CrisisCategory.LAWSUIT: 0.8,
    CrisisCategory.BOYCOTT: 0.8,
    CrisisCategory.OUTAGE: 0.7,
}


class RiskFactors(BaseModel):
    """The inputs and intermediate values of the risk formula (see ``risk`` module)."""

    model_config = ConfigDict(frozen=True)

    negativity: float = Field(ge=0.0, le=1.0)
    crisis: float = Field(ge=0.0, le=1.0)
    crisis_categories: tuple[CrisisCategory, ...] = ()
    complaint: float = Field(ge=0.0, le=1.0)
    reach: float = Field(ge=0.0, le=1.0)
    stakeholder_weight: float = Field(ge=0.0, le=1.0)
    signal: float = Field(ge=0.0, le=1.0)
    exposure: float = Field(ge=0.0, le=1.0)


def reach_scores(
    followers: Sequence[int | None], engagements: Sequence[Engagement | None]
) -> npt.NDArray[np.float64]:
    """Vectorised :func:`reach_score` for a batch."""
    none = _NO_ENGAGEMENT
    eng = [e or none for e in engagements]
    f = np.maximum(np.array([x or 0 for x in followers], dtype=np.float64), 0.0)
    views = np.maximum(np.array([e.views for e in eng], dtype=np.float64), 0.0)
    shares = np.maximum(np.array([e.shares for e in eng], dtype=np.float64), 0.0)
    replies = np.maximum(np.array([e.replies for e in eng], dtype=np.float64), 0.0)
    likes = np.maximum(np.array([e.likes for e in eng], dtype=np.float64), 0.0)
    audience = np.maximum(f, views) + 100.0 * shares + 10.0 * replies + 2.0 * likes
    return np.minimum(1.0, np.log10(1.0 + audience) / 6.0)


def reach_score(followers: int | None, engagement: Engagement | None) -> float:
    """``min(1, log10(1 + audience) / 6)`` with the audience formula of the module docstring."""
    return float(reach_scores([followers], [engagement])[0])


def risk_scores(
    sentiment_scores: Sequence[float],
    crisis_categories: Sequence[tuple[CrisisCategory, ...]],
    complaints: Sequence[bool],
    reaches: Sequence[float] | npt.NDArray[np.float64],
    stakeholders: Sequence[StakeholderType],
) -> list[tuple[float, RiskFactors]]:
    """Risk in [0, 1] and its factors for a batch (formula in the module docstring)."""
    negativity = np.clip(-np.asarray(sentiment_scores, dtype=np.float64), 0.0, 1.0)
    crisis = np.array(
        [max([CRISIS_WEIGHT[c] for c in cats]) if cats else 0.0 for cats in crisis_categories],
        dtype=np.float64,
    )
    complaint = np.asarray(complaints, dtype=np.float64)
    signal = np.minimum(1.0, 0.6 * negativity + 0.5 * crisis + 0.1 * complaint)
    reach = np.clip(np.asarray(reaches, dtype=np.float64), 0.0, 1.0)
    weight = np.array([STAKEHOLDER_WEIGHT[s] for s in stakeholders], dtype=np.float64)
    exposure = 0.4 + 0.3 * reach + 0.3 * weight
    risk = np.clip(signal * exposure, 0.0, 1.0).round(4).tolist()
    return [
        (
            r,
            _build(
                RiskFactors,
                {
                    "negativity": ng,
                    "crisis": cr,
                    "crisis_categories": cats,
                    "complaint": cp,
                    "reach": rc,
                    "stakeholder_weight": wt,
                    "signal": sg,
                    "exposure": ex,
                },
            ),
        )
        for r, ng, cr, cats, cp, rc, wt, sg, ex in zip(
            risk,
            negativity.round(4).tolist(),
            crisis.tolist(),
            crisis_categories,
            complaint.tolist(),
            reach.round(4).tolist(),
            weight.tolist(),
            signal.round(4).tolist(),
            exposure.round(4).tolist(),
            strict=True,
        )
    ]


def risk_score(
    sentiment_score: float,
    crisis_categories: Iterable[CrisisCategory],
    complaint: bool,
    reach: float,
    stakeholder: StakeholderType,
) -> tuple[float, RiskFactors]:
    """Risk in [0, 1] and its factors for one mention (see :func:`risk_scores`)."""
    return risk_scores(
        [sentiment_score], [tuple(crisis_categories)], [complaint], [reach], [stakeholder]
    )[0]

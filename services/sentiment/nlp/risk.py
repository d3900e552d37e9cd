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

import math
from collections.abc import Iterable
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from services.sentiment.nlp.intents import CrisisCategory
from services.sentiment.nlp.stakeholders import StakeholderType

_M = TypeVar("_M", bound=BaseModel)


def _build(cls: type[_M], values: dict[str, Any]) -> _M:
    """Unvalidated construction of values computed here (see ``schemas.build``)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class Engagement(BaseModel):
    """Interaction counts of a mention at the time it was collected."""

    model_config = ConfigDict(frozen=True)

    likes: int = 0
    shares: int = 0
    replies: int = 0
    views: int = 0


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


def reach_score(followers: int | None, engagement: Engagement | None) -> float:
    """``min(1, log10(1 + audience) / 6)`` with the audience formula of the module docstring."""
    e = engagement or Engagement()
    audience = (
        max(max(followers or 0, 0), max(e.views, 0))
        + 100 * max(e.shares, 0)
        + 10 * max(e.replies, 0)
        + 2 * max(e.likes, 0)
    )
    return min(1.0, math.log10(1.0 + audience) / 6.0)


def risk_score(
    sentiment_score: float,
    crisis_categories: Iterable[CrisisCategory],
    complaint: bool,
    reach: float,
    stakeholder: StakeholderType,
) -> tuple[float, RiskFactors]:
    """Risk in [0, 1] and its factors (formula in the module docstring)."""
    cats = tuple(crisis_categories)
    negativity = min(1.0, max(0.0, -sentiment_score))
    crisis = max((CRISIS_WEIGHT[c] for c in cats), default=0.0)
    complaint_f = 1.0 if complaint else 0.0
    signal = min(1.0, 0.6 * negativity + 0.5 * crisis + 0.1 * complaint_f)
    reach = min(1.0, max(0.0, reach))
    weight = STAKEHOLDER_WEIGHT[stakeholder]
    exposure = 0.4 + 0.3 * reach + 0.3 * weight
    risk = round(min(1.0, max(0.0, signal * exposure)), 4)
    factors = _build(
        RiskFactors,
        {
            "negativity": round(negativity, 4),
            "crisis": crisis,
            "crisis_categories": cats,
            "complaint": complaint_f,
            "reach": round(reach, 4),
            "stakeholder_weight": weight,
            "signal": round(signal, 4),
            "exposure": round(exposure, 4),
        },
    )
    return risk, factors

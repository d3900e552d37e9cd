"""Pure detection logic for the playbook service: no I/O, state as JSON.

Public API (what the worker calls):

* :class:`TopicDetector` (``engine``): per tenant and topic; ``process_batch(mentions, now)``,
  ``advance(now)``, ``observe_counts(counts)``, ``score_counts(...)``; persist
  ``dump_state()`` and rebuild with ``TopicDetector.restore(config, tenant, topic, json)``.
* :class:`DetectorConfig`, :class:`SpikeConfig`, :class:`ShareConfig`, :class:`CategoryConfig`,
  :class:`KeywordRule`, :class:`StakeholderRule`: tuning, frozen pydantic models.
* :class:`Signal`, :class:`Evidence`, :class:`SignalKind`, :class:`MinuteCounts`,
  :class:`MentionLike` / :class:`ScoredMention` (``model``).
* :func:`decide`, :func:`fingerprint`, :func:`snooze`, :class:`DedupePolicy`,
  :class:`IssueState` (``dedupe``): fold repeated signals into one issue.
* :func:`run_backtest` (``backtest``): the ``uitkijk backtest`` command.
"""

from services.playbook.detection.backtest import BacktestInputError, BacktestSummary, run_backtest
from services.playbook.detection.baseline import SeriesDetector, SeriesState, SpikeConfig
from services.playbook.detection.categories import CategoryConfig
from services.playbook.detection.dedupe import (
    Action,
    Decision,
    DedupePolicy,
    IssueState,
    decide,
    fingerprint,
    snooze,
)
from services.playbook.detection.engine import (
    CountScores,
    DetectorConfig,
    ShareConfig,
    TopicDetector,
    TopicState,
)
from services.playbook.detection.model import (
    CRISIS_KINDS,
    Evidence,
    MentionLike,
    MinuteCounts,
    ScoredMention,
    Signal,
    SignalKind,
)
from services.playbook.detection.triggers import (
    DEFAULT_KEYWORD_RULES,
    DEFAULT_STAKEHOLDER_RULES,
    KeywordRule,
    StakeholderRule,
)

__all__ = [
    "CRISIS_KINDS",
    "DEFAULT_KEYWORD_RULES",
    "DEFAULT_STAKEHOLDER_RULES",
    "Action",
    "BacktestInputError",
    "BacktestSummary",
    "CategoryConfig",
    "CountScores",
    "Decision",
    "DedupePolicy",
    "DetectorConfig",
    "Evidence",
    "IssueState",
    "KeywordRule",
    "MentionLike",
    "MinuteCounts",
    "ScoredMention",
    "SeriesDetector",
    "SeriesState",
    "ShareConfig",
    "Signal",
    "SignalKind",
    "SpikeConfig",
    "StakeholderRule",
    "TopicDetector",
    "TopicState",
    "decide",
    "fingerprint",
    "run_backtest",
    "snooze",
]

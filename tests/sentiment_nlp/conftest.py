"""One enricher for the whole folder: loading it is the expensive part."""

from __future__ import annotations

import pytest

from services.sentiment.nlp import Enricher, load_enricher


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    return load_enricher()

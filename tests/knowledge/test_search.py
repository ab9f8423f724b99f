"""BM25 over the Framework's passages, used for "did you mean" suggestions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.search import framework_index, tokens


def test_finds_the_paragraph_that_answers():
    index = framework_index()
    assert index.search("skin map")[0].passage.ref == "2.96"
    assert "2.109" in [h.passage.ref for h in index.search("strategy discussion role")]


def test_stopwords_only_finds_nothing():
    assert framework_index().search("what is the") == []


def test_tokens_fold_case_and_plurals():
    assert tokens("Referrals to LACSC") == ["referral", "lacsc"]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_any_query_is_safe(text):
    hits = framework_index().search(text)
    assert len(hits) <= 3
    assert all(h.score > 0 for h in hits)

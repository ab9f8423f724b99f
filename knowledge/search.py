"""Okapi BM25 search over every citable passage, for "did you mean" suggestions when the classifier is unsure."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from knowledge.framework import Framework, Passage, load_framework

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    "a an and are as at be but by can do does for from has have how i if in into is it its me my "
    "of on or our should so that the their them there they this to was we what when where which "
    "who will with would you your".split()
)


def tokens(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return [
        w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w for w in words if w not in STOPWORDS
    ]


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class Bm25Index:
    """BM25 (k1=1.5, b=0.75) over passages; each passage is indexed with its heading."""

    def __init__(self, passages: list[Passage], k1: float = 1.5, b: float = 0.75):
        self.passages = passages
        self.k1, self.b = k1, b
        self.docs = [Counter(tokens(f"{p.title} {p.text}")) for p in passages]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / max(len(self.docs), 1)
        frequency = Counter(term for doc in self.docs for term in doc)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        terms = [t for t in tokens(query) if t in self.idf]
        if not terms:
            return []
        scored = []
        for doc, length, passage in zip(self.docs, self.lengths, self.passages):
            score = 0.0
            for term in terms:
                f = doc.get(term)
                if f:
                    score += (
                        self.idf[term]
                        * f
                        * (self.k1 + 1)
                        / (f + self.k1 * (1 - self.b + self.b * length / self.average))
                    )
            if score > 0:
                scored.append(Hit(passage, score))
        scored.sort(key=lambda h: -h.score)
        return scored[:limit]


@lru_cache(maxsize=1)
def framework_index(framework: Framework | None = None) -> Bm25Index:
    fw = framework or load_framework()
    return Bm25Index([*fw.paragraphs, *fw.boxes, *fw.appendices])

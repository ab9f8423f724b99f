"""Ranks the Framework's passages for a question: BM25 with a ranker trained on questions, the intent a prior."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from knowledge.framework import Framework, FrameworkDataError, Passage, load_framework
from knowledge.search import Bm25Index, tokens
from knowledge.topics import load_topics, topic_for_intent

QUESTIONS = Path(__file__).parent / "data" / "passage_questions.yml"

# How much each signal counts: the best on bench/tune_ranker.py's grid over the development sets (held-out sets 1-6).
WEIGHTS = {"model": 1.6, "questions": 0.3, "sentences": 0.8, "bm25": 0.6, "prior": 1.2}
# The linear model's smaller weights are dropped: 6 MB instead of 54, the rankings all but the same.
MODEL_WEIGHT_FLOOR = 0.005
# How much each kind of example counts when the linear model is trained: a question's best passage, its next one,
# one sentence of a passage, and a whole passage.
EXAMPLE_WEIGHTS = {"best": 1.0, "next": 0.5, "sentence": 0.3, "passage": 0.5}
SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-Z•(-])|\n+")


@dataclass(frozen=True)
class RankedPassage:
    """A passage and how well it answers the question (higher is better; comparable within one question)."""

    ref: str  # "2.81", "box:2.33", "Appendix III"
    score: float  # 0-1: the signals' weighted mean
    closest_question: float = 0.0  # how alike the message and the nearest practitioners' question this passage answers

    @property
    def citation(self) -> str:
        """The reference as practitioners cite it: a box by the paragraph it follows."""
        return self.ref.removeprefix("box:")


def sentences(text: str) -> list[str]:
    """A passage's sentences and list items, each as it stands in the source."""
    return [s.strip(" •") for s in SENTENCE.split(text) if len(s.strip(" •")) > 2]


def load_questions(path: Path = QUESTIONS, framework: Framework | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Practitioners' questions, each with the passages that answer it (best first); every passage must exist."""
    fw = framework or load_framework()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples, problems = [], []
    for entry in data["questions"]:
        refs = tuple(str(r) for r in entry["passages"])
        missing = [r for r in refs if not fw.passages(r)]
        if missing:
            problems.append(f"{entry['text'][:50]!r}: no passage {', '.join(missing)}")
        examples.append((str(entry["text"]), refs))
    if problems:
        raise FrameworkDataError(f"{path.name} is not valid:\n- " + "\n- ".join(problems))
    return examples


def _analyzer(text: str) -> list[str]:
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


class PassageRanker:
    """Scores every passage for a message from five signals.

    - model: a linear classifier (word pairs and character n-grams, so typos still match) trained on the questions
      and on the passages' own sentences;
    - questions: how close the message is to the practitioners' questions each passage answers (nearest ones);
    - sentences: how close it is to the passage's own best-matching sentence;
    - bm25: Okapi BM25 over the whole passage with its heading;
    - prior: the classifier's confidence in each question area, spread over the passages that area cites.
    """

    def __init__(
        self,
        framework: Framework,
        questions: list[tuple[str, tuple[str, ...]]],
        area_cites: dict[str, tuple[str, ...]],
        weights: dict[str, float] | None = None,
    ):
        self.weights = dict(weights or WEIGHTS)
        passages: list[Passage] = [*framework.paragraphs, *framework.boxes, *framework.appendices]
        self.refs = list(dict.fromkeys(p.ref for p in passages))
        self.position = {ref: i for i, ref in enumerate(self.refs)}
        merged = {ref: " ".join(f"{p.title} {p.text}" for p in framework.passages(ref)) for ref in self.refs}
        self.bm25 = Bm25Index([Passage(ref, "", merged[ref]) for ref in self.refs])
        sentence_rows = [(s, ref) for ref in self.refs for s in sentences(merged[ref])]
        self.vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, min_df=1)
        self.vectorizer.fit([text for text, _ in questions] + [s for s, _ in sentence_rows])
        self.question_matrix = self.vectorizer.transform([text for text, _ in questions]).T.tocsr()
        self.question_labels = [[self.position[r] for r in refs] for _, refs in questions]
        self.sentence_matrix = self.vectorizer.transform([s for s, _ in sentence_rows]).T.tocsr()
        self.sentence_owner = np.array([self.position[ref] for _, ref in sentence_rows])
        # sentence rows come passage by passage: where each passage's run of sentences starts
        self.sentence_starts = np.flatnonzero(np.r_[True, self.sentence_owner[1:] != self.sentence_owner[:-1]])
        self.area_prior: dict[str, np.ndarray] = {}
        for area, cites in area_cites.items():
            prior = np.zeros(len(self.refs))
            for rank, cite in enumerate(dict.fromkeys(cites)):
                if cite in self.position:
                    prior[self.position[cite]] = max(prior[self.position[cite]], 1.0 - 0.03 * rank)
            self.area_prior[area] = prior
        self.characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, min_df=2, max_features=5000
        )
        examples = [
            (text, self.position[ref], EXAMPLE_WEIGHTS["best" if rank == 0 else "next"])
            for text, refs in questions
            for rank, ref in enumerate(refs[:2])
        ]
        examples += [(s, self.position[ref], EXAMPLE_WEIGHTS["sentence"]) for s, ref in sentence_rows]
        examples += [(merged[ref], self.position[ref], EXAMPLE_WEIGHTS["passage"]) for ref in self.refs]
        texts = [text for text, _, _ in examples]
        self.characters.fit(texts)
        model = LinearSVC(C=0.5).fit(
            hstack([self.vectorizer.transform(texts), self.characters.transform(texts)]).tocsr(),
            [label for _, label, _ in examples],
            sample_weight=[weight for _, _, weight in examples],
        )
        # The model's weights for every passage (each is a class: its whole text is an example), split by
        # feature kind so that a message is scored without joining its two feature matrices; the smallest weights
        # are dropped and the rest kept sparse (a few MB rather than fifty).
        weights = np.zeros((model.coef_.shape[1], len(self.refs)), dtype=np.float32)
        weights[:, model.classes_] = model.coef_.T
        weights[np.abs(weights) < MODEL_WEIGHT_FLOOR] = 0.0
        self.word_weights = csr_matrix(weights[: len(self.vectorizer.vocabulary_)])
        self.character_weights = csr_matrix(weights[len(self.vectorizer.vocabulary_) :])
        self.intercept = np.zeros(len(self.refs))
        self.intercept[model.classes_] = model.intercept_

    def signals(self, text: str, intent_ranking: list[tuple[str, float]] | None = None) -> dict[str, np.ndarray]:
        """Each signal's score for every passage, scaled to 0-1 within this message."""
        n = len(self.refs)
        query = self.vectorizer.transform([text])
        found = {}
        characters = self.characters.transform([text])
        decision = np.zeros(n)
        if query.nnz or characters.nnz:  # a message sharing not even a few letters with the data gets nothing
            decision = (query @ self.word_weights + characters @ self.character_weights).toarray().ravel()
            decision += self.intercept
            decision -= decision.min()
        found["model"] = decision / decision.max() if decision.max() > 0 else decision
        similarity = (query @ self.question_matrix).toarray().ravel()
        by_question = np.zeros(n)
        for index in np.argsort(-similarity)[:15]:
            if similarity[index] <= 0:
                break
            labels = self.question_labels[index]
            for rank, position in enumerate(labels):
                by_question[position] = max(by_question[position], similarity[index] * (1.0 - 0.1 * rank))
        found["questions"] = by_question
        similarity = (query @ self.sentence_matrix).toarray().ravel()
        by_sentence = np.zeros(n)
        by_sentence[self.sentence_owner[self.sentence_starts]] = np.maximum.reduceat(similarity, self.sentence_starts)
        found["sentences"] = by_sentence
        bm25 = np.zeros(n)
        for hit in self.bm25.search(text, limit=n):
            bm25[self.position[hit.passage.ref]] = hit.score
        found["bm25"] = bm25 / bm25.max() if bm25.max() > 0 else bm25
        prior = np.zeros(n)
        for name, confidence in intent_ranking or ():
            area = name if name in OTHER_AREAS else topic_for_intent(name)
            if area in self.area_prior:
                prior = np.maximum(prior, confidence * self.area_prior[area])
        found["prior"] = prior
        return found

    def rank(
        self, text: str, intent_ranking: list[tuple[str, float]] | None = None, limit: int = 5
    ) -> list[RankedPassage]:
        """The passages that best answer the message, best first."""
        found = self.signals(text, intent_ranking)
        score = sum(self.weights.get(name, 0.0) * values for name, values in found.items()) / sum(self.weights.values())
        order = np.argsort(-score, kind="stable")[:limit]
        close = found["questions"]
        return [RankedPassage(self.refs[i], float(score[i]), float(close[i])) for i in order if score[i] > 0]


# The passages that answer the requests that are not question areas: urgent action and the schedule of offences.
OTHER_AREAS = {"urgent_danger": ("2.87",), "offence_lookup": ("Appendix II",)}


def area_cites() -> dict[str, tuple[str, ...]]:
    """Each question area's passages: those its answer quotes, in order, then the rest it cites."""
    areas = {
        name: tuple(dict.fromkeys([*(q.cite for q in topic.points), *(q.cite for q in topic.timescales), *topic.cites]))
        for name, topic in load_topics().items()
    }
    return areas | OTHER_AREAS


@lru_cache(maxsize=1)
def passage_ranker() -> PassageRanker:
    """The ranker, built once from the Framework, the question data and the question areas (a few seconds)."""
    framework = load_framework()
    return PassageRanker(framework, load_questions(framework=framework), area_cites())

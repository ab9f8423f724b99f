"""Reads a practitioner's whole note of a discussion with the Service Manager and places each sentence under the
Framework 2.81 point it speaks to, so the draft can be checked point by point before it is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from casefile.points import CHOICES, POINT_KEYS, POINTS
from knowledge.moments import MomentRules, note_moment

TRAINING = Path(__file__).parent / "data" / "note_points.yml"
ABOUT_DISCUSSION = "about_discussion"  # a sentence about the discussion itself (who, when), under no point
DECISION_REASONS = "decision_reasons"  # the optional "Decision agreed and why" line (Framework 3.62)
# The points the Framework treats as the core of the discussion: named before saving when not discussed.
CORE_POINTS = ("level_of_risk", "where_child_is_now", "referral_needed", "action_and_timescale")

# A line or sentence that names its point: "point 3: ...", "3. ...", "3) ...".
NUMBERED = re.compile(r"^\s*(?:point\s*)?(\d{1,2})\s*[:.)\-]\s+(?=\S)", re.I)
DECISION_LINE = re.compile(
    r"^\s*(?:decision(?:\s+agreed)?(?:\s+and\s+(?:why|reasons?))?|why|reasons?(?:\s+for\s+the\s+decision)?)\s*:\s*",
    re.I,
)
# Sentence ends: . ! ? or a line break, except after a title or an initial ("Dr. Smith", "J. Smith").
SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)(?<!\bNo\.)(?<!\b[A-Z]\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"\s+(?=\S)|\s*[\r\n]+\s*"
)
BULLET = re.compile(r"^\s*(?:[-*•]+)\s*")
# What the choice points' words say: the first that matches wins.
RISK_WORDS = (
    ("immediate", re.compile(r"\b(immediate|imminent|tonight|right now)\b", re.I)),
    ("recent", re.compile(r"\b(recent|current|ongoing|continuing|last (?:week|month))\b", re.I)),
    ("previous", re.compile(r"\b(previous|historic(?:al)?|past)\b", re.I)),
)
GROUND_WORDS = (
    ("significant_harm", re.compile(r"\b(significant harm|s\.?\s?47|section 47|child protection)\b", re.I)),
    ("services", re.compile(r"\b(in need|services?|s\.?\s?17|section 17|support)\b", re.I)),
)
# The rules: words that mark a point in practitioners' notes. Each is one feature of the classifier beside the words
# themselves, so a cue weighs what the written examples show it is worth rather than deciding alone.
CUE_PATTERNS: dict[str, tuple[str, ...]] = {
    "spoke": (
        r"\b(spoke|spoken|talked|discussed|discussion|call|chat|met|rang|consulted|supervision)\b.*\b(with|to)\b",
        r"\b(sm|manager)\s+(discussion|consulted)",
    ),
    "meeting_time": (r"\b(at|around|about)\s+(half\s+)?\d{1,2}([:.]\d{2})?\b", r"\b\d{1,2}([:.]\d{2})\b"),
    "risk_level": (r"\b(immediate|recent|previous|historic|level of risk|risk is|risk level)\b",),
    "is_now": (
        r"\b(is|are)\s+(at|with|in|on|staying|sitting|living|currently)\b",
        r"\b(lives?|living|staying)\s+with\b",
        r"\b(currently|whereabouts|at the moment|right now|for now)\b",
    ),
    "been_told": (
        r"\b(has|have|was|were|had)\s+(not\s+)?(been\s+)?(told|informed|made aware)\b",
        r"\b(knows?|aware|not know)\b",
    ),
    "will_tell": (
        r"\b(will|should|must|can|to)\s+(not\s+)?(be\s+)?(told|tell|explain|shared?|said)\b",
        r"\bnot\s+(be\s+)?(told|shared?)\b",
        r"\bnothing\b.*\b(shared|said|told)\b",
    ),
    "referral": (r"\b(refer|referral|referring|threshold)\b",),
    "grounds": (r"\b(significant harm|in need|services|section (17|47)|s ?(17|47))\b",),
    "others": (
        r"\b(other|also|too|as well|siblings?|brothers?|sisters?|half|step\w*|cousins?|pregnant|expecting)\b",
        r"\bbaby (is )?due\b",
    ),
    "views": (
        r"\b(views?|account|side|consult\w*)\b",
        r"\b(first|beforehand)\b",
        r"\bbefore\s+(any|a|deciding|making|referr)",
    ),
    "court": (r"\b(court|judge|legal adviser|hearing)\b",),
    "i_will": (
        r"^\s*(i will|i'll|i am|i'm|sm (is|will|to)|manager (is|to|will)|duty \w+ (is|to|will)|\w+ is calling)",
        r"\b(by|before|within)\s+(\d|end|close|noon|midday|tomorrow|today|monday|tuesday|wednesday|thursday|friday)",
        r"\b(now|today|tomorrow|tonight|straight away|this afternoon|within the hour)\b",
    ),
    "future": (r"\b(report|future|recommend\w*|section 7|assessment|interviews?|going forward|wishes and feelings)\b",),
}
CUES = {name: re.compile("|".join(patterns), re.I) for name, patterns in CUE_PATTERNS.items()}

# When a note says the discussion took place: as the form reads it (five minutes' clock skew, no "ago").
NOTE_MOMENT = MomentRules(skew=timedelta(minutes=5), ago=False)
MIN_NOTE_SENTENCES = 3


@dataclass(frozen=True)
class PlacedSentence:
    """One sentence of the note and the point it was placed under (ABOUT_DISCUSSION or DECISION_REASONS otherwise)."""

    text: str
    point: str
    by_rule: bool = False


@dataclass(frozen=True)
class NoteDraft:
    """What a note says, point by point, ready to be checked before it is saved."""

    sentences: tuple[PlacedSentence, ...]
    points: dict[str, str | None]  # every 2.81 point: stored value, None where the note says nothing
    decision_reasons: str | None
    discussed_at: datetime | None  # when the note says the discussion took place, if it says so
    kept_elsewhere: dict[str, str] = field(default_factory=dict)  # a choice point's own words, kept under its point

    @property
    def about_discussion(self) -> list[str]:
        return [s.text for s in self.sentences if s.point == ABOUT_DISCUSSION]

    @property
    def not_discussed(self) -> list[str]:
        return [key for key in POINT_KEYS if self.points.get(key) is None]


def split_sentences(note: str) -> list[str]:
    """The note's sentences without bullets; a numbered line ("3. ...", "point 3: ...") stays whole, under its point."""
    pieces = []
    for line in re.split(r"[\r\n]+", note or ""):
        line = BULLET.sub("", line).strip()
        for piece in [line] if NUMBERED.match(line) else SENTENCE_END.split(line):
            piece = BULLET.sub("", piece or "").strip()
            if re.search(r"\w", piece):
                pieces.append(piece)
    return pieces


def looks_like_note(text: str) -> bool:
    """Whether a message holds several sentences about a discussion rather than a single answer."""
    return len(split_sentences(text)) >= MIN_NOTE_SENTENCES


class _CueFeatures:
    """The rules as features: one column per cue, 1 where the sentence shows it."""

    def fit(self, texts: list[str], labels: object = None) -> _CueFeatures:
        return self

    def transform(self, texts: list[str]):
        from scipy.sparse import csr_matrix

        return csr_matrix([[1.0 if cue.search(text) else 0.0 for cue in CUES.values()] for text in texts])

    def fit_transform(self, texts: list[str], labels: object = None):
        return self.transform(texts)

    def get_params(self, deep: bool = True) -> dict[str, object]:
        return {}

    def set_params(self, **params: object) -> _CueFeatures:
        return self


@dataclass
class _Classifier:
    vectoriser: object
    model: object

    def predict(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        return list(self.model.predict(self.vectoriser.transform(sentences)))


def training_examples() -> list[tuple[str, str]]:
    """(sentence, label) pairs from the written examples; labels are point keys or ABOUT_DISCUSSION."""
    data = yaml.safe_load(TRAINING.read_text(encoding="utf-8"))
    unknown = set(data) - set(POINT_KEYS) - {ABOUT_DISCUSSION}
    if unknown:
        raise ValueError(f"{TRAINING.name}: unknown labels {sorted(unknown)}")
    examples = [(sentence, label) for label, sentences in data.items() for sentence in sentences]
    if not all(isinstance(sentence, str) for sentence, _ in examples):
        raise ValueError(f"{TRAINING.name}: every example is one sentence of text (quote those with a colon)")
    return examples


def train(examples: list[tuple[str, str]]) -> _Classifier:
    """TF-IDF over words (1-2) and characters (2-5) with a logistic regression: small, fast, no model file."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    vectoriser = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)),
            ("cues", _CueFeatures()),
        ]
    )
    texts = [text for text, _ in examples]
    features = vectoriser.fit_transform(texts)
    model = LogisticRegression(C=10.0, max_iter=2000)
    model.fit(features, [label for _, label in examples])
    return _Classifier(vectoriser, model)


@lru_cache(maxsize=1)
def _classifier() -> _Classifier:
    return train(training_examples())


def place(sentences: list[str], classifier: _Classifier | None = None) -> list[PlacedSentence]:
    """Each sentence under a point: by its own number or "Decision:" label where it has one, else by the classifier."""
    placed: list[PlacedSentence | None] = []
    unlabelled: list[tuple[int, str]] = []
    for sentence in sentences:
        numbered = NUMBERED.match(sentence)
        decision = DECISION_LINE.match(sentence)
        if numbered and 1 <= int(numbered.group(1)) <= len(POINTS):
            text = sentence[numbered.end() :].strip()
            placed.append(PlacedSentence(text, POINTS[int(numbered.group(1)) - 1][0], by_rule=True))
        elif decision and sentence[decision.end() :].strip():
            placed.append(PlacedSentence(sentence[decision.end() :].strip(), DECISION_REASONS, by_rule=True))
        else:
            placed.append(None)
            unlabelled.append((len(placed) - 1, sentence))
    labels = (classifier or _classifier()).predict([s for _, s in unlabelled])
    for (index, sentence), label in zip(unlabelled, labels):
        placed[index] = PlacedSentence(sentence, label)
    return [p for p in placed if p is not None]


def choice_in(key: str, text: str) -> str | None:
    """The value of a choice point (level of risk, grounds for referral) its words name, if they name one."""
    words = {"level_of_risk": RISK_WORDS, "referral_grounds": GROUND_WORDS}[key]
    return next((value for value, pattern in words if pattern.search(text)), None)


def read_note(note: str, current: datetime, classifier: _Classifier | None = None) -> NoteDraft:
    """The draft a note makes: its sentences placed under the 2.81 points, and when the discussion took place.

    A choice point (level of risk, grounds for referral) takes the value its sentences name; their own words are
    kept too, under the point they qualify (the nature of the concerns, the referral), so nothing typed is lost.
    """
    placed = place(split_sentences(note), classifier)
    texts: dict[str, list[str]] = {}
    for sentence in placed:
        texts.setdefault(sentence.point, []).append(sentence.text)
    points: dict[str, str | None] = {key: None for key in POINT_KEYS}
    kept: dict[str, str] = {}
    for key in POINT_KEYS:
        said = " ".join(texts.get(key, []))
        if not said:
            continue
        if key in CHOICES:
            points[key] = choice_in(key, said)
            kept[key] = said
        else:
            points[key] = said
    for key, said in kept.items():
        if points[key] is not None and _only_the_choice(key, said):
            continue
        home = "nature_of_concerns" if key == "level_of_risk" else "referral_needed"
        label = "Level of risk" if key == "level_of_risk" else "Grounds for referral"
        points[home] = " ".join(filter(None, [points[home], f"({label}: {said})"]))
    reasons = " ".join(texts.get(DECISION_REASONS, [])) or None
    discussed_at = None
    for sentence in texts.get(ABOUT_DISCUSSION, []):
        discussed_at = note_moment(sentence, current, NOTE_MOMENT)
        if discussed_at is not None:
            break
    return NoteDraft(tuple(placed), points, reasons, discussed_at, kept)


def _only_the_choice(key: str, said: str) -> bool:
    """Whether the sentences say no more than the choice itself ("Recent.", "Significant harm.")."""
    words = re.findall(r"[a-z0-9]+", said.lower())
    return len(words) <= 4


def core_not_discussed(points: dict[str, str | None]) -> list[str]:
    """The core points (level of risk, where the child is now, the referral decision, who acts by when) left empty."""
    return [key for key in CORE_POINTS if not points.get(key)]

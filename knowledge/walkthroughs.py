"""The decision walkthroughs as conversation: each fact's question, buttons and reason, how answers and free text are
read, and the decision once the facts are known."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge import police_check, referral, s120_pathway, screening, serious_case_review, staff_allegations
from knowledge.decision import Decision, MissingFacts, unique
from knowledge.framework import load_framework
from knowledge.moments import LONDON, MomentRules, in_london, parse_moment

DATA = Path(__file__).parent / "data" / "walkthroughs.yml"
NOT_MADE = "not_made"  # referral_made_at: the telephone referral has not been made yet
JUST_NOW = "just_now"  # the "Just now" button's value: parse_answer makes it the moment of answering
MAX_TEXT = 2000  # characters of a message that are read
MAX_TITLE = 30

Value = str | bool


@dataclass(frozen=True)
class Option:
    """A button: what it says, and the value of the fact it gives."""

    title: str
    value: Value


@dataclass(frozen=True)
class Question:
    """How one fact is asked, and the Framework's words for why it matters."""

    fact: str
    text: str
    options: tuple[Option, ...]
    why_cite: str
    why_quote: str


class WalkthroughDataError(ValueError):
    """walkthroughs.yml is missing, malformed, or does not match the decisions or the Framework."""


@dataclass(frozen=True)
class Rules:
    """A decision module as a walkthrough uses it: its facts, their values, what is still missing, the decision."""

    facts_type: type
    values: Mapping[str, tuple]
    missing: Callable[[Any], list[str]]
    decide: Callable[[Any], Decision]


RULES = {
    "section_120": Rules(
        s120_pathway.S120Facts, s120_pathway.FACT_VALUES, s120_pathway.missing_facts, s120_pathway.decide_s120
    ),
    "police_check": Rules(
        police_check.PoliceCheckFacts,
        {**police_check.FACT_VALUES, **police_check.ADDED_STEP_FACTS},
        police_check.missing_facts,
        police_check.decide_police_check,
    ),
    "referral_type": Rules(
        referral.ReferralFacts, referral.FACT_VALUES, referral.missing_facts, referral.decide_referral_type
    ),
    "screening": Rules(
        screening.ScreeningFacts, screening.FACT_VALUES, screening.missing_facts, screening.decide_screening
    ),
    "serious_case_review": Rules(
        serious_case_review.SeriousCaseReviewFacts,
        serious_case_review.FACT_VALUES,
        serious_case_review.missing_facts,
        serious_case_review.decide_serious_case_review,
    ),
    "staff_allegation": Rules(
        staff_allegations.StaffAllegationFacts,
        staff_allegations.FACT_VALUES,
        staff_allegations.missing_facts,
        staff_allegations.decide_staff_allegation,
    ),
}
# Facts a walkthrough uses beyond its decision module's own (referral_made_at is a moment, checked apart).
REFERRAL_FOLLOW_UP = {"discussed_with_service_manager": (True, False), "law": ("private", "public")}
S47 = "s47_child_welfare_protection"


# ---- reading what practitioners type --------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\u2014\u2013]|\bbut\b|\bhowever\b|\bthough\b|\balthough\b")
_WORD = re.compile(r"[a-z0-9'/-]+")


def _normal(text: str) -> str:
    """Lower case, straight quotes, one space between words, line breaks as sentence ends."""
    text = text[:MAX_TEXT].translate(_QUOTES).lower().replace("\n", ". ")
    return " ".join(text.split())


def _plain(text: str) -> str:
    """A short reply as compared with a button: normal, without surrounding punctuation."""
    return _normal(text).replace("_", " ").strip(" .!?,;:'\"")


def statements(text: str) -> str:
    """The message without its questions: a sentence ending in "?" loses its last clause (the question)."""
    kept = []
    for sentence in re.split(r"(?<=[.!?;])", _normal(text)):
        if sentence.rstrip().endswith("?"):
            sentence = ",".join(re.split(r"[,:\u2014\u2013]| - ", sentence)[:-1])
        kept.append(sentence)
    return " ".join(kept)


@dataclass(frozen=True)
class Rule:
    """One way a message states a value: every `all` pattern is affirmed and no `none` pattern is present."""

    all: tuple[re.Pattern, ...]
    none: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class Language:
    """What reading any fact shares: negation, "don't know" replies, and a plain yes or no."""

    negators: frozenset[str]
    window: int
    unsure: tuple[re.Pattern, ...]
    yes: re.Pattern
    no: re.Pattern

    def negated(self, before: str) -> bool:
        """Whether a negation word comes within `window` words before this point, in the same clause."""
        clause = _CLAUSE_BREAK.split(before[-200:])[-1]
        return any(word in self.negators for word in _WORD.findall(clause)[-self.window :])

    def affirmed(self, pattern: re.Pattern, text: str) -> bool:
        """Whether the pattern matches somewhere not negated (looking before its `key` group, if any)."""
        for match in pattern.finditer(text):
            start = match.start("key") if "key" in pattern.groupindex and match.start("key") >= 0 else match.start()
            if not self.negated(text[:start]):
                return True
        return False

    def holds(self, rule: Rule, text: str) -> bool:
        return all(self.affirmed(p, text) for p in rule.all) and not any(p.search(text) for p in rule.none)

    def stated(self, rules: Mapping[Value, tuple[Rule, ...]], text: str) -> set[Value]:
        """Every value some rule finds stated in the text."""
        return {value for value, value_rules in rules.items() if any(self.holds(r, text) for r in value_rules)}

    def is_unsure(self, text: str) -> bool:
        return any(p.search(text) for p in self.unsure)


@dataclass(frozen=True)
class FactReading:
    """How a fact is described and read (walkthroughs.yml `facts`), the same in every walkthrough that asks it."""

    label: str
    words: Mapping[Value, str]
    yes_no: tuple[Value | None, Value | None]
    answers: Mapping[Value, tuple[Rule, ...]]
    extract: Mapping[Value, tuple[Rule, ...]]
    made: tuple[re.Pattern, ...] = ()  # referral_made_at: a referral stated as made


# ---- moments: when a telephone referral was made ---------------------------------------------

# A referral "just now" or "20 minutes ago" is read; up to a minute after this server's clock is still taken as past,
# and a moment more than 366 days back is not taken as the referral's.
REFERRAL_MOMENT = MomentRules(skew=timedelta(minutes=1), ago=True, oldest=timedelta(days=366))


def moment_of(value: Any) -> datetime | None:
    """The referral_made_at slot value as a London time; None if it is not an ISO 8601 date and time."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        return in_london(datetime.fromisoformat(value))
    except ValueError:
        return None


def referral_moment(text: str, now: datetime | None = None) -> datetime | None:
    """When a message says the referral was made, if it says so exactly (knowledge.moments reads it); else None."""
    try:
        return parse_moment(text, in_london(now), REFERRAL_MOMENT)
    except ValueError:
        return None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _said_moment(moment: datetime) -> str:
    return f"{moment:%H:%M} on {moment:%A} {moment.day} {moment:%B %Y}"


# ---- walkthroughs ----------------------------------------------------------------------------


class Walkthrough:
    """One decision as a conversation: the facts it may ask, in asking order, how each is read, and the decision.

    `facts` lists every fact the walkthrough uses, in asking order; next_facts says which are
    still needed. A few are never asked and count only when the practitioner states them (the
    police check's extended checks; the referral's law). Known facts are passed as a mapping of
    fact name to value (str or bool, as Rasa slots hold them); names that are not this
    walkthrough's facts are ignored, and values that are not allowed raise ValueError.
    """

    def __init__(
        self,
        name: str,
        title: str,
        questions: Mapping[str, Question],
        readings: Mapping[str, FactReading],
        language: Language,
        rules: Rules,
        values: Mapping[str, tuple],
        called: str = "",
    ):
        self.name = name
        self.title = title
        self.called = called or title  # how a sentence names it: "Back to the police check: ..."
        self.facts = tuple(questions)
        self._questions = dict(questions)
        self._readings = {fact: readings[fact] for fact in self.facts}
        self._language = language
        self._rules = rules
        self._values = dict(values)
        self._fields = {field.name for field in fields(rules.facts_type)}

    def __repr__(self) -> str:
        return f"Walkthrough({self.name!r})"

    def question(self, fact: str) -> Question:
        """The question that asks this fact, with its buttons and the reason for asking."""
        if fact not in self._questions:
            raise KeyError(f"the {self.name} walkthrough has no fact {fact!r}; its facts are {', '.join(self.facts)}")
        return self._questions[fact]

    def allows(self, fact: str, value: Any) -> bool:
        """Whether `value` is a value this fact can hold (referral_made_at: NOT_MADE or an ISO 8601 moment)."""
        if fact == "referral_made_at":
            return value == NOT_MADE or moment_of(value) is not None
        return any(
            value is allowed or (type(value) is type(allowed) and value == allowed) for allowed in self._values[fact]
        )

    def _checked(self, known: Mapping[str, Any]) -> dict[str, Value]:
        """This walkthrough's known facts, in asking order; ValueError names a value not allowed."""
        values = {}
        for fact in self.facts:
            value = known.get(fact)
            if value is None:
                continue
            if not self.allows(fact, value):
                raise ValueError(f"{self.name}: {fact} cannot be {value!r}")
            values[fact] = value
        return values

    def _known(self, known: Mapping[str, Any], now: datetime | None) -> dict[str, Value]:
        """The known facts, checked; a telephone referral cannot have been made after `now`."""
        values = self._checked(known)
        made = moment_of(values.get("referral_made_at"))
        if made is not None and made > in_london(now) + REFERRAL_MOMENT.skew:
            raise ValueError(
                f"{self.name}: the telephone referral cannot have been made after now: {made:%Y-%m-%d %H:%M}"
            )
        return values

    def _facts(self, values: Mapping[str, Value]) -> Any:
        return self._rules.facts_type(**{k: v for k, v in values.items() if k in self._fields})

    def _needed(self, values: Mapping[str, Value]) -> list[str]:
        return self._rules.missing(self._facts(values))

    def _decision(self, values: Mapping[str, Value]) -> Decision:
        return self._rules.decide(self._facts(values))

    def next_facts(self, known: Mapping[str, Any], now: datetime | None = None) -> list[str]:
        """The facts still needed, in asking order; [] once nothing unknown can change the decision."""
        needed = set(self._needed(self._known(known, now)))
        return [fact for fact in self.facts if fact in needed]

    def decide(self, known: Mapping[str, Any], now: datetime | None = None) -> Decision:
        """The decision on the known facts; MissingFacts (naming them) while next_facts is not []."""
        values = self._known(known, now)
        needed = self.next_facts(values, now)
        if needed:
            raise MissingFacts(needed)
        return self._decision(values)

    def parse_answer(self, fact: str, text: str, now: datetime | None = None) -> Value | None:
        """The value a reply to this fact's question gives: a button's title or value, or typed words.

        None when the reply does not answer it clearly (including "not sure"), so it is asked again.
        """
        question = self.question(fact)
        reply = _plain(text) if isinstance(text, str) else ""
        for option in question.options:
            if reply in (_plain(option.title), _plain(str(option.value))):
                return (
                    _iso(in_london(now).replace(second=0, microsecond=0)) if option.value == JUST_NOW else option.value
                )
        return self._typed(fact, reply, now)

    def _typed(self, fact: str, reply: str, now: datetime | None) -> Value | None:
        """The value typed words give, when exactly one value is read from them and they are not unsure."""
        if not reply or self._language.is_unsure(reply):
            return None
        reading = self._readings[fact]
        found = self._language.stated(reading.answers, reply) | self._language.stated(reading.extract, reply)
        yes, no = reading.yes_no
        if yes is not None and self._language.yes.search(reply):
            found.add(yes)
        if no is not None and self._language.no.search(reply):
            found.add(no)
        if fact == "referral_made_at":
            moment = referral_moment(reply, now)
            if moment is not None:
                found.add(_iso(moment))
        return found.pop() if len(found) == 1 else None

    def extract(self, text: str, now: datetime | None = None) -> dict[str, Value]:
        """The facts a free-text message states clearly; a fact stated two ways, or in doubt, is left out."""
        if not isinstance(text, str) or text.lstrip().startswith("/"):
            return {}
        said = statements(text)
        found: dict[str, Value] = {}
        for fact in self.facts:
            reading = self._readings[fact]
            values = self._language.stated(reading.extract, said)
            if fact == "referral_made_at":
                values |= self._referral_moments(reading, said, now)
            if len(values) == 1:
                found[fact] = values.pop()
        return found

    def _referral_moments(self, reading: FactReading, said: str, now: datetime | None) -> set[Value]:
        """The moment of each clause that states a referral as made and says exactly when."""
        moments: set[Value] = set()
        for clause in re.split(r"[.;!?]", said):
            if any(self._language.affirmed(pattern, clause) for pattern in reading.made):
                moment = referral_moment(clause, now)
                if moment is not None:
                    moments.add(_iso(moment))
        return moments

    def describe(self, known: Mapping[str, Any]) -> list[str]:
        """One line per known fact, in asking order, for "Based on what you told me:"."""
        lines = []
        for fact, value in self._checked(known).items():
            reading = self._readings[fact]
            if fact == "referral_made_at" and value != NOT_MADE:
                lines.append(f"{reading.label}: made at {_said_moment(moment_of(value))}")
            else:
                lines.append(f"{reading.label}: {reading.words[value]}")
        return lines


class PoliceCheckWalkthrough(Walkthrough):
    """The police check, which also always asks about further relevant individuals such as new partners and
    household members (3.72-3.73) and, in private law, whether the court wants Cafcass to act before the checks can
    be done (2.22, 3.69) and whether an adult has been known by another name or at another address (2.17).

    Extended checks with other organisations are never asked: they count when the practitioner states them.
    """

    def _needed(self, values: Mapping[str, Value]) -> list[str]:
        needed = super()._needed(values)
        if values.get("law") is None:
            return needed
        asked = ["relevant_individuals_identified"]
        if values.get("law") == "private":
            asked = ["checks_not_possible_before_hearing", "other_names_or_addresses", *asked]
        return needed + [fact for fact in asked if fact not in values]


class ReferralWalkthrough(Walkthrough):
    """The type of referral; for a S47 child welfare (protection) referral, also when it was made and the dated
    steps that follow.

    `law` is never asked: where stated, it decides whether the private law step of 2.102 applies.
    """

    def _needed(self, values: Mapping[str, Value]) -> list[str]:
        needed = super()._needed(values)
        if needed or super()._decision(values).code != S47 or values.get("referral_made_at") == NOT_MADE:
            return needed
        return [fact for fact in ("referral_made_at", "discussed_with_service_manager") if fact not in values]

    def _decision(self, values: Mapping[str, Value]) -> Decision:
        decision = super()._decision(values)
        if decision.code != S47:
            return decision
        made = values["referral_made_at"]
        dated = referral.referral_steps(
            None if made == NOT_MADE else moment_of(made),
            private_law={"private": True, "public": False}.get(values.get("law")),
            discussed_with_service_manager=values.get("discussed_with_service_manager"),
        )
        return Decision(
            decision.code,
            f"{decision.headline} {dated.headline}",
            unique([*decision.steps, *dated.steps]),
            unique([*decision.citations, *dated.citations]),
            dated.deadlines,
        )


KINDS = {"police_check": PoliceCheckWalkthrough, "referral_type": ReferralWalkthrough}


# ---- loading walkthroughs.yml ----------------------------------------------------------------

_TERM = re.compile(r"%(\w+)%")


def _expand(pattern: str, terms: Mapping[str, str]) -> str:
    """The pattern with each %name% replaced by that term's pattern (terms may use other terms)."""
    for _ in range(5):
        expanded = _TERM.sub(lambda m: terms[m.group(1)], pattern)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise ValueError("terms refer to each other more than five deep")


def _compile(pattern: Any, terms: Mapping[str, str], where: str, problems: list[str]) -> re.Pattern | None:
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{where}: a pattern must be text, found {pattern!r}")
        return None
    try:
        return re.compile(_expand(pattern, terms), re.IGNORECASE)
    except KeyError as error:
        problems.append(f"{where}: no term {error.args[0]!r} under `terms`")
    except (re.error, ValueError) as error:
        problems.append(f"{where}: bad pattern {pattern!r}: {error}")
    return None


def _rules(data: Any, terms: Mapping[str, str], where: str, problems: list[str]) -> tuple[Rule, ...]:
    if not isinstance(data, list) or not data:
        problems.append(f"{where}: expected a list of rules")
        return ()
    rules = []
    for i, item in enumerate(data):
        spec = item if isinstance(item, dict) else {"all": [item]}
        if set(spec) - {"all", "none"} or not spec.get("all"):
            problems.append(f"{where}[{i}]: a rule is a pattern or {{all: [...], none: [...]}}, found {item!r}")
            continue
        every = [_compile(p, terms, f"{where}[{i}]", problems) for p in spec["all"]]
        absent = [_compile(p, terms, f"{where}[{i}]", problems) for p in spec.get("none", [])]
        rules.append(Rule(tuple(p for p in every if p), tuple(p for p in absent if p)))
    return tuple(rules)


def _rule_map(
    data: Any, terms: Mapping[str, str], allowed: tuple, where: str, problems: list[str]
) -> dict[Value, tuple[Rule, ...]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping of value to rules")
        return {}
    for value in data:
        if value not in allowed:
            problems.append(f"{where}: {value!r} is not a value of this fact ({allowed})")
    return {value: _rules(rules, terms, f"{where}.{value}", problems) for value, rules in data.items()}


def _reading(fact: str, data: Any, terms: Mapping[str, str], allowed: tuple, problems: list[str]) -> FactReading:
    where = f"facts.{fact}"
    if not isinstance(data, dict) or not isinstance(data.get("label"), str) or not isinstance(data.get("values"), dict):
        problems.append(f"{where}: needs a label and the words for its values")
        return FactReading(fact, {}, (None, None), {}, {})
    words = {value: " ".join(str(text).split()) for value, text in data["values"].items()}
    if set(words) != set(allowed):
        problems.append(f"{where}.values: must give words for exactly {allowed}, found {tuple(words)}")
    yes_no = tuple(data.get("yes_no", [True, False] if set(allowed) == {True, False} else [None, None]))
    if len(yes_no) != 2 or any(v is not None and v not in allowed for v in yes_no):
        problems.append(f"{where}.yes_no: must be two values of the fact (or null), found {yes_no}")
        yes_no = (None, None)
    made = tuple(p for p in (_compile(p, terms, f"{where}.made", problems) for p in data.get("made", [])) if p)
    return FactReading(
        label=" ".join(data["label"].split()),
        words=words,
        yes_no=yes_no,
        answers=_rule_map(data.get("answers"), terms, allowed, f"{where}.answers", problems),
        extract=_rule_map(data.get("extract"), terms, allowed, f"{where}.extract", problems),
        made=made,
    )


def _fact_values(name: str) -> dict[str, tuple]:
    """The values each fact of a walkthrough can hold (referral_made_at: NOT_MADE, besides moments)."""
    values = dict(RULES[name].values)
    if name == "referral_type":
        values.update(REFERRAL_FOLLOW_UP, referral_made_at=(NOT_MADE,))
    return values


def _question(walkthrough: str, fact: str, data: Any, allowed: tuple, problems: list[str]) -> Question:
    where = f"walkthroughs.{walkthrough}.questions.{fact}"
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("text", "why_cite", "why_quote")):
        problems.append(f"{where}: needs text, why_cite and why_quote")
        return Question(fact, "", (), "", "")
    options = []
    for item in data.get("options") or []:
        if not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str):
            problems.append(f"{where}.options: each option is [title, value], found {item!r}")
            continue
        options.append(Option(item[0], item[1]))
    if not 2 <= len(options) <= 6:
        problems.append(f"{where}: needs 2-6 options, found {len(options)}")
    titles = [_plain(o.title) for o in options]
    if len(set(titles)) != len(titles):
        problems.append(f"{where}: two options have the same title")
    for option in options:
        if len(option.title) > MAX_TITLE:
            problems.append(f"{where}: option title longer than {MAX_TITLE} characters: {option.title!r}")
        if option.value not in allowed and not (fact == "referral_made_at" and option.value == JUST_NOW):
            problems.append(f"{where}: option {option.title!r} has value {option.value!r}, not one of {allowed}")
    quote = " ".join(data["why_quote"].split())
    if not load_framework().quotes(data["why_cite"], quote):
        problems.append(f"{where}: why_quote is not word for word in {data['why_cite']}: {quote[:70]!r}")
    return Question(fact, " ".join(data["text"].split()), tuple(options), data["why_cite"], quote)


def parse_walkthroughs(data: Any) -> dict[str, Walkthrough]:
    """The walkthroughs the YAML document describes; WalkthroughDataError lists everything wrong with it."""
    if not isinstance(data, dict):
        raise WalkthroughDataError("walkthroughs.yml must hold a mapping")
    problems: list[str] = []
    negation = data.get("negation") or {}
    terms = {name: str(pattern) for name, pattern in (data.get("terms") or {}).items()}
    yes = _compile(data.get("yes_words"), terms, "yes_words", problems)
    no = _compile(data.get("no_words"), terms, "no_words", problems)
    unsure = tuple(p for p in (_compile(p, terms, "unsure", problems) for p in data.get("unsure") or []) if p)
    words = negation.get("words") or []
    if (
        not isinstance(negation.get("window"), int)
        or negation["window"] < 1
        or not words
        or not all(isinstance(w, str) for w in words)
    ):
        problems.append(f"negation: needs a window (a number of words) and the words, each quoted text: {words!r}")
    language = Language(frozenset(map(str, words)), negation.get("window", 0), unsure, yes, no)

    walkthroughs_data = data.get("walkthroughs") or {}
    if set(walkthroughs_data) != set(RULES):
        problems.append(f"walkthroughs must be exactly {sorted(RULES)}, found {sorted(walkthroughs_data)}")
    allowed: dict[str, tuple] = {}
    for name in RULES:
        for fact, values in _fact_values(name).items():
            if allowed.setdefault(fact, values) != values:
                problems.append(
                    f"{fact} takes different values in different walkthroughs: {allowed[fact]} and {values}"
                )
    facts_data = data.get("facts") or {}
    for fact in set(facts_data) - set(allowed):
        problems.append(f"facts.{fact}: no walkthrough uses this fact")
    readings = {fact: _reading(fact, facts_data.get(fact), terms, values, problems) for fact, values in allowed.items()}

    walkthroughs = {}
    for name in RULES:
        entry = walkthroughs_data.get(name) or {}
        values = _fact_values(name)
        asked = entry.get("questions") or {}
        if set(asked) != set(values):
            problems.append(f"walkthroughs.{name}: must ask exactly the facts {sorted(values)}, found {list(asked)}")
        questions = {fact: _question(name, fact, asked[fact], values.get(fact, ()), problems) for fact in asked}
        if not isinstance(entry.get("title"), str) or not isinstance(entry.get("called"), str):
            problems.append(f"walkthroughs.{name}: needs a title, and what a sentence calls it (`called`)")
        kind = KINDS.get(name, Walkthrough)
        walkthroughs[name] = kind(
            name,
            str(entry.get("title", "")),
            questions,
            readings,
            language,
            RULES[name],
            values,
            called=str(entry.get("called", "")),
        )
    if problems:
        raise WalkthroughDataError("walkthroughs.yml is not valid:\n- " + "\n- ".join(problems))
    _check_buttons(walkthroughs)
    return walkthroughs


def _check_buttons(walkthroughs: Mapping[str, Walkthrough]) -> None:
    """A button's words, read as if typed, must give its own value or nothing: never another value."""
    now = datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
    problems = []
    for walkthrough in walkthroughs.values():
        for fact in walkthrough.facts:
            for option in walkthrough.question(fact).options:
                expected = _iso(now) if option.value == JUST_NOW else option.value
                read = walkthrough._typed(fact, _plain(option.title), now)
                if read is not None and read != expected:
                    problems.append(
                        f"{walkthrough.name}.{fact}: the button {option.title!r} reads as {read!r}, not {expected!r}"
                    )
    if problems:
        raise WalkthroughDataError("walkthroughs.yml is not valid:\n- " + "\n- ".join(problems))


@lru_cache(maxsize=1)
def load_walkthroughs(path: Path = DATA) -> dict[str, Walkthrough]:
    """Every walkthrough, by name, from walkthroughs.yml, validated once (WalkthroughDataError says what is wrong)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise WalkthroughDataError(f"cannot read {path}: {error}") from error
    return parse_walkthroughs(data)

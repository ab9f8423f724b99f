"""Practice cases: vignettes written from templates for a combination of facts of a decision walkthrough, marked by
that walkthrough's decision function, with feedback that quotes the rule and says why each other outcome is wrong."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations as combinations_of
from itertools import product
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from knowledge import police_check, referral, s120_pathway, screening, serious_case_review, staff_allegations
from knowledge.decision import Decision
from knowledge.framework import load_framework
from knowledge.walkthroughs import RULES, load_walkthroughs

DATA = Path(__file__).parent / "data" / "practice_cases.yml"
MAX_TITLE = 30
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
UNSTATED = "x"
WHY_NOT_WAYS = 2  # the nearest ways another outcome could come about, at most
# The facts that decide each walkthrough's outcome (the police check's further facts only add steps).
FACT_VALUES: dict[str, Mapping[str, tuple]] = {
    "section_120": s120_pathway.FACT_VALUES,
    "police_check": police_check.FACT_VALUES,
    "referral_type": referral.FACT_VALUES,
    "screening": screening.FACT_VALUES,
    "serious_case_review": serious_case_review.FACT_VALUES,
    "staff_allegation": staff_allegations.FACT_VALUES,
}


class PracticeDataError(ValueError):
    """practice_cases.yml is missing, malformed, or does not fit the walkthroughs or the Framework."""


@dataclass(frozen=True)
class Choice:
    """An outcome the learner may choose: its decision code, and a button title."""

    code: str
    title: str


@dataclass(frozen=True)
class Vignette:
    """A practice case: the facts of one walkthrough, told in practitioners' terms, and the outcomes to choose from.

    `id` encodes the walkthrough, the facts and the wording, so vignette(id) rebuilds it exactly.
    `answer` is the code of the decision function's outcome; `deciding` lists the stated facts
    that settle that outcome (see deciding_facts).
    """

    id: str
    walkthrough: str
    area: str
    facts: Mapping[str, Any]
    text: str
    choices: tuple[Choice, ...]
    answer: str
    deciding: tuple[str, ...]


@dataclass(frozen=True)
class Feedback:
    """The Framework's answer for a vignette, the rule word for word with its paragraph, and why not each other.

    `judgement` is set when the Framework has no row for the facts, or the outcome turns on
    professional judgement, and says so.
    """

    correct: bool
    framework_answer: str
    rule: tuple[tuple[str, str], ...]
    why_not: Mapping[str, str]
    judgement: str | None


@dataclass(frozen=True)
class Judgement:
    """When the Framework has no row, or the outcome turns on judgement: the conditions, and what to say."""

    code: str | None
    facts: Mapping[str, tuple]
    deciding: str | None
    say: str

    def applies(self, vignette: Vignette) -> bool:
        return (
            (self.code is None or vignette.answer == self.code)
            and all(vignette.facts.get(fact, _ABSENT) in values for fact, values in self.facts.items())
            and (self.deciding is None or self.deciding in vignette.deciding)
        )


@dataclass(frozen=True)
class Template:
    """How one walkthrough's practice cases are written and marked."""

    name: str
    short: str
    area: str
    openings: tuple[str, ...]
    names: Mapping[str, re.Pattern]
    phrasings: Mapping[str, Mapping[Any, tuple[str, ...]]]
    choices: tuple[Choice, ...]
    rules: Mapping[str, tuple[tuple[str, str], ...]]
    judgements: tuple[Judgement, ...]

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(FACT_VALUES[self.name])


_ABSENT = object()


def _words(text: Any) -> str:
    return " ".join(str(text).split())


# ---- the decision functions, over every combination of facts ---------------------------------


def _decide(walkthrough: str, facts: Mapping[str, Any]) -> Decision:
    rules = RULES[walkthrough]
    return rules.decide(rules.facts_type(**facts))


@cache
def _combinations(walkthrough: str) -> tuple[tuple[tuple[str, Any], ...], ...]:
    values = FACT_VALUES[walkthrough]
    return tuple(tuple(zip(values, chosen)) for chosen in product(*values.values()))


def combinations(walkthrough: str) -> tuple[dict[str, Any], ...]:
    """Every combination of values the walkthrough's decision facts allow."""
    return tuple(dict(items) for items in _combinations(walkthrough))


@cache
def _next_fact(walkthrough: str, known: tuple[tuple[str, Any], ...]) -> str | None:
    """The next fact the walkthrough asks, given the answers so far; None once the outcome is decided."""
    rules = RULES[walkthrough]
    needed = rules.missing(rules.facts_type(**dict(known)))
    return needed[0] if needed else None


def stated_facts(walkthrough: str, full: Mapping[str, Any]) -> dict[str, Any]:
    """The facts a practitioner would be asked, in asking order, to decide a case with these values."""
    known: dict[str, Any] = {}
    while (fact := _next_fact(walkthrough, tuple(known.items()))) is not None:
        known[fact] = full[fact]
    return known


@cache
def _outcomes(walkthrough: str) -> tuple[tuple[dict[str, Any], str], ...]:
    """Every combination of values with the code of its outcome (kept once: callers never change them)."""
    return tuple((full, _decide(walkthrough, full).code) for full in combinations(walkthrough))


@cache
def _cases(walkthrough: str) -> tuple[tuple[tuple[str, Any], ...], ...]:
    """The distinct sets of stated facts, as items in asking order, over every combination."""
    seen = {tuple(stated_facts(walkthrough, full).items()): None for full in combinations(walkthrough)}
    return tuple(seen)


def all_cases(walkthrough: str) -> tuple[dict[str, Any], ...]:
    """Every set of stated facts a practice case of this walkthrough can have."""
    return tuple(dict(items) for items in _cases(walkthrough))


def _codes_given(walkthrough: str, stated: Mapping[str, Any]) -> set[str]:
    return {code for full, code in _outcomes(walkthrough) if all(full[f] == v for f, v in stated.items())}


def deciding_facts(walkthrough: str, stated: Mapping[str, Any]) -> tuple[str, ...]:
    """The stated facts that decide the outcome's code: each belongs to some smallest set of the stated facts that
    settles the code whatever the other facts are.

    A refused 's17 needs' referral is decided by the child's refusal, and by the parents' refusal too: neither alone
    changes the outcome if turned round, but each settles it.
    """
    return _deciding(walkthrough, tuple(stated.items()))


@cache
def _deciding(walkthrough: str, items: tuple[tuple[str, Any], ...]) -> tuple[str, ...]:
    stated = dict(items)
    code = _decide(walkthrough, stated).code
    facts = tuple(stated)
    settling: list[frozenset[str]] = []
    for size in range(len(facts) + 1):
        for subset in combinations_of(facts, size):
            chosen = frozenset(subset)
            if any(found <= chosen for found in settling):
                continue
            if _codes_given(walkthrough, {f: stated[f] for f in chosen}) == {code}:
                settling.append(chosen)
    deciding = set().union(*settling)
    return tuple(f for f in facts if f in deciding)


# ---- loading practice_cases.yml ---------------------------------------------------------------


def _quote_pairs(data: Any, where: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, list) or not data:
        problems.append(f"{where}: expected a list of {{cite, quote}}")
        return ()
    pairs = []
    framework = load_framework()
    for item in data:
        cite, quote = str((item or {}).get("cite", "")), _words((item or {}).get("quote", ""))
        if not framework.quotes(cite, quote):
            problems.append(f"{where}: not word for word in {cite}: {quote[:70]!r}")
        pairs.append((cite, quote))
    return tuple(pairs)


def _judgement(data: Any, name: str, where: str, problems: list[str]) -> Judgement:
    when = (data or {}).get("when") or {}
    values = FACT_VALUES[name]
    facts = {}
    for fact, allowed in (when.get("facts") or {}).items():
        allowed = tuple(allowed) if isinstance(allowed, list) else (allowed,)
        if fact not in values or any(v not in values[fact] for v in allowed):
            problems.append(f"{where}: {fact} {allowed!r} is not a fact and values of {name}")
        facts[fact] = allowed
    code, deciding = when.get("code"), when.get("deciding")
    if deciding is not None and deciding not in values:
        problems.append(f"{where}: deciding {deciding!r} is not a fact of {name}")
    if code is None and deciding is None and not facts:
        problems.append(f"{where}: `when` needs a code, facts or a deciding fact")
    say = _words((data or {}).get("say", ""))
    if not say:
        problems.append(f"{where}: needs what to say (`say`)")
    quoted = (data or {}).get("quote")
    if quoted is not None:
        cite, quote = str(data.get("cite", "")), _words(quoted)
        if not load_framework().quotes(cite, quote):
            problems.append(f"{where}: not word for word in {cite}: {quote[:70]!r}")
        say = f"{say} “{quote}” (Framework {cite})"
    return Judgement(code, MappingProxyType(facts), deciding, say)


def _template(name: str, data: Any, problems: list[str]) -> Template | None:
    where = f"walkthroughs.{name}"
    if not isinstance(data, dict):
        problems.append(f"{where}: missing")
        return None
    values = FACT_VALUES[name]
    short = str(data.get("short", ""))
    if not re.fullmatch(r"[a-z0-9]{2,6}", short):
        problems.append(f"{where}: `short` must be 2-6 lower-case letters or digits, found {short!r}")
    openings = tuple(_words(o) for o in data.get("openings") or ())
    if not openings or len(openings) > len(DIGITS):
        problems.append(f"{where}: needs 1-{len(DIGITS)} openings")
    facts_data = data.get("facts") or {}
    if set(facts_data) != set(values):
        problems.append(f"{where}.facts: must be exactly {sorted(values)}, found {sorted(facts_data)}")
    names: dict[str, re.Pattern] = {}
    phrasings: dict[str, dict[Any, tuple[str, ...]]] = {}
    for fact, entry in facts_data.items():
        entry = entry or {}
        try:
            names[fact] = re.compile(str(entry.get("names", "")), re.IGNORECASE)
        except re.error as error:
            problems.append(f"{where}.facts.{fact}.names: bad pattern: {error}")
            continue
        said = entry.get("values") or {}
        if set(said) != set(values.get(fact, ())):
            problems.append(f"{where}.facts.{fact}.values: must word exactly {values.get(fact)}, found {tuple(said)}")
        phrasings[fact] = {}
        for value, texts in said.items():
            texts = texts if isinstance(texts, list) else [texts]
            if not all(isinstance(t, str) for t in texts):
                problems.append(f"{where}.facts.{fact}.values.{value}: each wording must be text (quote it)")
            texts = tuple(_words(t) for t in texts)
            if not texts or len(texts) > len(DIGITS):
                problems.append(f"{where}.facts.{fact}.values.{value}: needs 1-{len(DIGITS)} phrasings")
            for text in texts:
                if not entry.get("names") or not names[fact].search(text):
                    problems.append(f"{where}.facts.{fact}.values.{value}: {text!r} does not name the fact")
            phrasings[fact][value] = texts
    codes = {code for _, code in _outcomes(name)}
    choices = tuple(Choice(str(code), _words(title)) for code, title in (data.get("choices") or {}).items())
    if not codes <= {c.code for c in choices}:
        problems.append(
            f"{where}.choices: must offer every outcome, missing {sorted(codes - {c.code for c in choices})}"
        )
    for choice in choices:
        if choice.code not in codes:
            problems.append(f"{where}.choices: {choice.code} is never the outcome")
        if not choice.title or len(choice.title) > MAX_TITLE:
            problems.append(f"{where}.choices.{choice.code}: a title must be 1-{MAX_TITLE} characters")
    rules_data = data.get("rules") or {}
    if set(rules_data) != {c.code for c in choices}:
        problems.append(f"{where}.rules: must quote the rule of each choice, found {sorted(rules_data)}")
    rules = {code: _quote_pairs(pairs, f"{where}.rules.{code}", problems) for code, pairs in rules_data.items()}
    judgements = tuple(
        _judgement(j, name, f"{where}.judgements[{i}]", problems) for i, j in enumerate(data.get("judgements") or ())
    )
    if not isinstance(data.get("area"), str):
        problems.append(f"{where}: needs its learning area")
    return Template(
        name,
        short,
        str(data.get("area")),
        openings,
        MappingProxyType(names),
        MappingProxyType({f: MappingProxyType(p) for f, p in phrasings.items()}),
        choices,
        MappingProxyType(rules),
        judgements,
    )


def parse_templates(data: Any) -> dict[str, Template]:
    """The practice templates the YAML document describes; PracticeDataError lists everything wrong with it."""
    from knowledge.learning_paths import areas

    if not isinstance(data, dict) or not isinstance(data.get("walkthroughs"), dict):
        raise PracticeDataError("practice_cases.yml must map `walkthroughs`")
    problems: list[str] = []
    if set(data["walkthroughs"]) != set(RULES):
        problems.append(f"walkthroughs must be exactly {sorted(RULES)}, found {sorted(data['walkthroughs'])}")
    templates = {}
    for name in RULES:
        template = _template(name, data["walkthroughs"].get(name), problems)
        if template is not None:
            templates[name] = template
    shorts = [t.short for t in templates.values()]
    if len(set(shorts)) != len(shorts):
        problems.append("two walkthroughs share a `short` name")
    for template in templates.values():
        if template.area not in areas():
            problems.append(f"walkthroughs.{template.name}: area {template.area!r} is not in learning_paths.yml")
    if problems:
        raise PracticeDataError("practice_cases.yml is not valid:\n- " + "\n- ".join(problems))
    return templates


@lru_cache(maxsize=1)
def load_templates() -> dict[str, Template]:
    """Every walkthrough's practice template, checked once (PracticeDataError says what is wrong)."""
    try:
        data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PracticeDataError(f"cannot read {DATA}: {error}") from error
    return parse_templates(data)


# ---- vignettes ----------------------------------------------------------------------------------


def _make(template: Template, stated: Mapping[str, Any], opening: int, wording: Mapping[str, int]) -> Vignette:
    facts = template.facts
    values = FACT_VALUES[template.name]
    value_code = "".join(str(values[f].index(stated[f])) if f in stated else UNSTATED for f in facts)
    word_code = DIGITS[opening] + "".join(DIGITS[wording[f]] if f in stated else UNSTATED for f in facts)
    sentences = [template.openings[opening]]
    sentences += [template.phrasings[f][stated[f]][wording[f]] for f in facts if f in stated]
    return Vignette(
        id=f"{template.short}-{value_code}-{word_code}",
        walkthrough=template.name,
        area=template.area,
        facts=MappingProxyType(dict(stated)),
        text=" ".join(sentences),
        choices=template.choices,
        answer=_decide(template.name, stated).code,
        deciding=deciding_facts(template.name, stated),
    )


def build(
    walkthrough: str, stated: Mapping[str, Any], opening: int = 0, wording: Mapping[str, int] | None = None
) -> Vignette:
    """The vignette for these stated facts, in this wording (an index per fact into its phrasings; 0 by default).

    ValueError if the facts are not exactly what the walkthrough would ask for some case, or a wording does not exist.
    """
    templates = load_templates()
    if walkthrough not in templates:
        raise ValueError(f"no practice cases for {walkthrough!r}; there are {', '.join(templates)}")
    template = templates[walkthrough]
    values = FACT_VALUES[walkthrough]
    for fact, value in stated.items():
        if fact not in values or not any(value is v or (type(value) is type(v) and value == v) for v in values[fact]):
            raise ValueError(f"{walkthrough}: {fact} cannot be {value!r}")
    ordered = {f: stated[f] for f in template.facts if f in stated}
    asked: dict[str, Any] = {}
    while (fact := _next_fact(walkthrough, tuple(asked.items()))) is not None:
        if fact not in ordered:
            raise ValueError(f"{walkthrough}: its walkthrough would also ask {fact}")
        asked[fact] = ordered[fact]
    if asked != ordered:
        raise ValueError(f"{walkthrough}: its walkthrough would not ask {', '.join(sorted(set(ordered) - set(asked)))}")
    wording = {f: (wording or {}).get(f, 0) for f in ordered}
    if not 0 <= opening < len(template.openings):
        raise ValueError(f"{walkthrough}: no opening {opening}")
    for fact, index in wording.items():
        if not 0 <= index < len(template.phrasings[fact][ordered[fact]]):
            raise ValueError(f"{walkthrough}: no wording {index} for {fact} = {ordered[fact]!r}")
    return _make(template, ordered, opening, wording)


def vignette(id: str) -> Vignette:
    """The vignette this id names, rebuilt exactly; ValueError if it names none."""
    parts = id.split("-") if isinstance(id, str) else []
    template = next((t for t in load_templates().values() if parts and t.short == parts[0]), None)
    if template is None or len(parts) != 3:
        raise ValueError(f"not a practice case: {id!r}")
    _, value_code, word_code = parts
    facts = template.facts
    values = FACT_VALUES[template.name]
    if len(value_code) != len(facts) or len(word_code) != len(facts) + 1:
        raise ValueError(f"not a practice case: {id!r}")
    stated: dict[str, Any] = {}
    wording: dict[str, int] = {}
    for fact, value_char, word_char in zip(facts, value_code, word_code[1:]):
        if (value_char == UNSTATED) != (word_char == UNSTATED):
            raise ValueError(f"not a practice case: {id!r}")
        if value_char == UNSTATED:
            continue
        if value_char not in DIGITS[:10] or int(value_char) >= len(values[fact]) or word_char not in DIGITS:
            raise ValueError(f"not a practice case: {id!r}")
        stated[fact] = values[fact][int(value_char)]
        wording[fact] = DIGITS.index(word_char)
    if word_code[0] not in DIGITS:
        raise ValueError(f"not a practice case: {id!r}")
    try:
        built = build(template.name, stated, DIGITS.index(word_code[0]), wording)
    except ValueError as error:
        raise ValueError(f"not a practice case: {id!r} ({error})") from error
    if built.id != id:
        raise ValueError(f"not a practice case: {id!r}")
    return built


def practice_case(rng: random.Random, walkthrough: str | None = None) -> Vignette:
    """A practice case drawn with `rng`: a walkthrough (this one, or any), an outcome, facts that give it, a wording.

    Outcomes are drawn evenly, so rare ones (no row in the Framework) come up as often as common ones.
    """
    templates = load_templates()
    if walkthrough is not None and walkthrough not in templates:
        raise ValueError(f"no practice cases for {walkthrough!r}; there are {', '.join(templates)}")
    name = walkthrough or rng.choice(sorted(templates))
    template = templates[name]
    cases = all_cases(name)
    by_code: dict[str, list[dict[str, Any]]] = {}
    for stated in cases:
        by_code.setdefault(_decide(name, stated).code, []).append(stated)
    stated = rng.choice(by_code[rng.choice(sorted(by_code))])
    wording = {f: rng.randrange(len(template.phrasings[f][v])) for f, v in stated.items()}
    return build(name, stated, rng.randrange(len(template.openings)), wording)


def names_deciding_facts(v: Vignette) -> bool:
    """Whether the wording names every fact that decides the case, and the walkthrough's own reading of the wording
    finds no fact other than it is."""
    template = load_templates()[v.walkthrough]
    if not all(template.names[fact].search(v.text) for fact in v.deciding):
        return False
    read = load_walkthroughs()[v.walkthrough].extract(v.text)
    return all(read[fact] == value for fact, value in v.facts.items() if fact in read)


# ---- feedback -----------------------------------------------------------------------------------


def _say(walkthrough: str, fact: str, value: Any) -> str:
    return load_walkthroughs()[walkthrough].describe({fact: value})[0]


def _why_not(v: Vignette, code: str, template: Template) -> str:
    """How the facts would have to differ for `code` to be the outcome, against what they are, with its paragraph."""
    stated = v.facts
    ways: dict[tuple, list[dict[str, Any]]] = {}
    for full, outcome in _outcomes(v.walkthrough):
        if outcome != code:
            continue
        changed = tuple((f, full[f]) for f in stated if full[f] != stated[f])
        ways.setdefault(changed, []).append(full)
    fewest = min(len(changed) for changed in ways)
    nearest = sorted((c for c in ways if len(c) == fewest), key=lambda c: [str(x) for x in c])[:WHY_NOT_WAYS]
    said = []
    for changed in nearest:
        fulls = ways[changed]
        needed = [
            (f, fulls[0][f]) for f in template.facts if f not in stated and len({repr(full[f]) for full in fulls}) == 1
        ]
        said.append("; ".join(_say(v.walkthrough, f, value) for f, value in [*changed, *needed]))
    title = next(c.title for c in template.choices if c.code == code)
    here = "; ".join(_say(v.walkthrough, f, stated[f]) for f in dict.fromkeys(f for c in nearest for f, _ in c))
    cites = ", ".join(dict.fromkeys(cite for cite, _ in template.rules[code]))
    return f"{title}: that would need {' — or '.join(said)}; here, {here} (Framework {cites})."


def feedback(v: Vignette, chosen: str) -> Feedback:
    """The Framework's answer for the vignette, its rule quoted, why each other choice is wrong, and any judgement.

    ValueError if `chosen` is not the code of one of the vignette's choices.
    """
    template = load_templates()[v.walkthrough]
    if chosen not in {c.code for c in v.choices}:
        raise ValueError(f"choose one of {', '.join(c.code for c in v.choices)}")
    decision = _decide(v.walkthrough, v.facts)
    title = next(c.title for c in template.choices if c.code == decision.code)
    why_not = {c.code: _why_not(v, c.code, template) for c in v.choices if c.code != decision.code}
    judgements = [j.say for j in template.judgements if j.applies(v)]
    return Feedback(
        correct=chosen == decision.code,
        framework_answer=f"{title}. {decision.headline}",
        rule=template.rules[decision.code],
        why_not=MappingProxyType(why_not),
        judgement=" ".join(judgements) or None,
    )

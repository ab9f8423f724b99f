"""The section 120 pathway (Framework Appendix III): what to do with other agencies on receipt of a private law
application."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.decision import Decision, Step, check_facts, decide_when_known, facts_still_needed, unique

PATHWAY = Path(__file__).parent / "data" / "s120_pathway.yml"

CODES = (
    "no_action",
    "notify_court_c1a_missing",
    "s120_notification",
    "child_protection_referral",
    "not_applicable_public_law",
)
QUESTION_7 = ("yes", "no", "either")


@dataclass(frozen=True)
class S120Facts:
    """What the C1, C7 and C1A forms show; None where the practitioner has not said yet.

    law: "private" or "public". question_7: the C1/C7 harm question, "yes" or "no".
    c1a_completed: whether the C1A form has been completed. The next three: whether the
    information on the C1, C7 or C1A form suggests that the child was previously at risk
    from witnessing harm (section 120), is still at risk from witnessing harm, or relates to
    other types of harm (physical, sexual, emotional abuse or neglect).
    child_remains_at_risk: whether there is information to indicate that the child remains
    at risk (2.79); without it, past harm from witnessing leads to a notification.
    """

    law: str | None = None
    question_7: str | None = None
    c1a_completed: bool | None = None
    previously_at_risk_from_witnessing_harm: bool | None = None
    still_at_risk_from_witnessing_harm: bool | None = None
    other_types_of_harm: bool | None = None
    child_remains_at_risk: bool | None = None


FACT_VALUES: dict[str, tuple] = {
    "law": ("private", "public"),
    "question_7": ("yes", "no"),
    "c1a_completed": (True, False),
    "previously_at_risk_from_witnessing_harm": (True, False),
    "still_at_risk_from_witnessing_harm": (True, False),
    "other_types_of_harm": (True, False),
    "child_remains_at_risk": (True, False),
}


class PathwayDataError(ValueError):
    """s120_pathway.yml is missing or does not describe the pathway completely."""


@dataclass(frozen=True)
class Row:
    """One row of the Appendix III table."""

    question_7: str
    c1a_form: str
    applies_when: tuple[Mapping[str, Any], ...]
    further_action: tuple[str, ...]
    code: str
    citations: tuple[str, ...]

    def applies(self, facts: S120Facts) -> bool:
        return self.question_7 in ("either", facts.question_7) and any(
            all(getattr(facts, name) == value for name, value in condition.items()) for condition in self.applies_when
        )


@dataclass(frozen=True)
class Outcome:
    headline: str
    before: tuple[Step, ...]
    after: tuple[Step, ...]


@dataclass(frozen=True)
class Pathway:
    screening: Step
    most_protective_first: tuple[str, ...]
    rows: tuple[Row, ...]
    outcomes: Mapping[str, Outcome]
    no_row: Decision
    public_law: Decision

    def table_steps(self, code: str) -> tuple[Step, ...]:
        row = next(row for row in self.rows if row.code == code)
        return tuple(Step(action, "Appendix III") for action in row.further_action)

    def citations(self, code: str) -> tuple[str, ...]:
        return unique(c for row in self.rows if row.code == code for c in row.citations)

    def combine(self, codes: list[str]) -> Decision:
        primary = self.outcomes[codes[0]]
        steps = unique(
            [
                *primary.before,
                *self.table_steps(codes[0]),
                *primary.after,
                *(step for code in codes[1:] for step in self.table_steps(code)),
                self.screening,
            ]
        )
        return Decision(
            code=codes[0],
            headline=" Also: ".join(self.outcomes[code].headline for code in codes),
            steps=steps,
            citations=unique([*(c for code in codes for c in self.citations(code)), *(s.citation for s in steps)]),
        )


def _step(data: Any, where: str, problems: list[str]) -> Step:
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("quote"), str)
        or not isinstance(data.get("citation"), str)
    ):
        problems.append(f"{where}: a step needs a quote and a citation, found {data!r}")
        return Step("", "")
    return Step(" ".join(data["quote"].split()), data["citation"], data.get("note", ""))


def _steps(data: Any, where: str, problems: list[str]) -> tuple[Step, ...]:
    if not isinstance(data, list):
        problems.append(f"{where}: expected a list of steps")
        return ()
    return tuple(_step(item, f"{where}[{i}]", problems) for i, item in enumerate(data))


def _row(data: Any, where: str, problems: list[str]) -> Row:
    missing = {"question_7", "c1a_form", "applies_when", "further_action", "code", "citations"} - set(
        data if isinstance(data, dict) else ()
    )
    if missing:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
        return Row("", "", (), (), "", ())
    if data["question_7"] not in QUESTION_7:
        problems.append(f"{where}: question_7 must be one of {QUESTION_7}, not {data['question_7']!r}")
    if data["code"] not in CODES:
        problems.append(f"{where}: unknown decision code {data['code']!r}")
    if not data["applies_when"]:
        problems.append(f"{where}: applies_when is empty")
    for condition in data["applies_when"]:
        for name, value in condition.items():
            if value not in FACT_VALUES.get(name, ()):
                problems.append(f"{where}: {name}: {value!r} is not a fact and value the pathway knows")
    return Row(
        question_7=data["question_7"],
        c1a_form=" ".join(data["c1a_form"].split()),
        applies_when=tuple(data["applies_when"]),
        further_action=tuple(data["further_action"]),
        code=data["code"],
        citations=tuple(data["citations"]),
    )


def _fixed(data: dict, where: str, code: str, problems: list[str]) -> Decision:
    if data.get("code") != code:
        problems.append(f"{where}: code must be {code}, found {data.get('code')!r}")
    steps = _steps(data.get("steps"), where, problems)
    return Decision(
        code,
        " ".join(str(data.get("headline", "")).split()),
        steps,
        unique([*data.get("citations", []), *(s.citation for s in steps)]),
    )


def parse_pathway(data: dict) -> Pathway:
    """The pathway described by the YAML document; PathwayDataError says everything wrong with it."""
    problems: list[str] = []
    rows = tuple(_row(row, f"rows[{i}]", problems) for i, row in enumerate(data.get("rows", [])))
    row_codes = set(row.code for row in rows)
    if row_codes | {"not_applicable_public_law"} != set(CODES):
        problems.append(f"rows must use the codes {CODES[:4]}, found {sorted(row_codes)}")
    for code in row_codes:
        actions = {row.further_action for row in rows if row.code == code}
        if len(actions) > 1:
            problems.append(f"rows with code {code} must share one list of further action")
    order = tuple(data.get("most_protective_first", []))
    if sorted(order) != sorted(row_codes):
        problems.append(f"most_protective_first must list each row code once, found {list(order)}")
    outcomes_data = data.get("outcomes", {})
    if set(outcomes_data) != row_codes:
        problems.append(f"outcomes must describe exactly the row codes, found {sorted(outcomes_data)}")
    outcomes = {
        code: Outcome(
            " ".join(str(entry.get("headline", "")).split()),
            _steps(entry.get("before"), f"outcomes.{code}.before", problems),
            _steps(entry.get("after"), f"outcomes.{code}.after", problems),
        )
        for code, entry in outcomes_data.items()
    }
    if any(not outcome.headline for outcome in outcomes.values()):
        problems.append("every outcome needs a headline")
    screening = _step(data.get("screening"), "screening", problems)
    no_row = _fixed(data.get("no_row", {}), "no_row", "no_action", problems)
    public_law = _fixed(data.get("public_law", {}), "public_law", "not_applicable_public_law", problems)
    if problems:
        raise PathwayDataError("s120_pathway.yml is not valid:\n- " + "\n- ".join(problems))
    no_row = Decision(
        no_row.code, no_row.headline, (*no_row.steps, screening), unique([*no_row.citations, screening.citation])
    )
    return Pathway(screening, order, rows, outcomes, no_row, public_law)


@lru_cache(maxsize=1)
def load_pathway(path: Path = PATHWAY) -> Pathway:
    """The validated Appendix III pathway."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PathwayDataError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise PathwayDataError(f"{path} must hold a mapping")
    return parse_pathway(data)


@cache
def _decide_known(facts: S120Facts) -> Decision:
    pathway = load_pathway()
    if facts.law == "public":
        return pathway.public_law
    codes = sorted(
        unique(row.code for row in pathway.rows if row.applies(facts)), key=pathway.most_protective_first.index
    )
    return pathway.combine(codes) if codes else pathway.no_row


def missing_facts(facts: S120Facts) -> list[str]:
    """The facts still needed for a decision, in asking order, given the ones known."""
    check_facts(facts, FACT_VALUES)
    return facts_still_needed(facts, FACT_VALUES, _decide_known)


def decide_s120(facts: S120Facts) -> Decision:
    """The Appendix III outcome; MissingFacts if an unknown fact could still change it.

    Where several rows apply, the most protective row's outcome leads and the others'
    further action follows it.
    """
    return decide_when_known(facts, FACT_VALUES, _decide_known)

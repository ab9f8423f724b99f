"""The section 120 pathway (Framework Appendix III): what to do with other agencies on receipt of a private law
application."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from knowledge.decision import (
    Decision,
    DecisionDataError,
    Step,
    check_facts,
    decide_when_known,
    facts_still_needed,
    load_decision_data,
    unique,
)
from knowledge.framework import load_framework

PATHWAY = Path(__file__).parent / "data" / "s120_pathway.yml"

CODES = (
    "no_action",
    "notify_court_c1a_missing",
    "s120_notification",
    "child_protection_referral",
    "not_applicable_public_law",
    "no_row_consult_service_manager",
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


STEPS = (
    "screening",
    "notify_court_c1a_missing",
    "provide_la_all_information",
    "provide_la_section_120_letter",
    "inform_court_of_notification",
    "refer_to_local_authority",
    "inform_court_of_referral",
    "inform_la_when_ended",
    "service_manager_first",
    "telephone_first",
    "notification_form",
    "not_an_investigation",
    "safety_assessment",
    "safety_assessment_question_7",
    "with_a_view_to_referral",
    "police_check_harm_raised",
    "service_manager_question_7",
    "private_law_pathway",
    "public_law_core",
    "public_law_shared_within",
    "public_law_new_allegation",
    "public_law_differentiate",
)
ROW_CODES = CODES[:4]
HEADLINES = (*ROW_CODES, "no_row", "not_applicable_public_law")
TABLES = ("most_protective_first", "rows", "outcomes", "no_row", "public_law")


@dataclass(frozen=True)
class Row:
    """One row of the Appendix III table."""

    question_7: str
    c1a_form: str
    applies_when: tuple[Mapping[str, Any], ...]
    further_action: tuple[Step, ...]
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
        return next(row for row in self.rows if row.code == code).further_action

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


def _named_steps(names: Any, steps: Mapping[str, Step], where: str, problems: list[str]) -> tuple[Step, ...]:
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        problems.append(f"{where}: expected a list of step names, found {names!r}")
        return ()
    for name in names:
        if name not in steps:
            problems.append(f"{where}: no step {name!r} under `steps`")
    return tuple(steps[name] for name in names if name in steps)


def _row(data: Any, where: str, steps: Mapping[str, Step], problems: list[str]) -> Row:
    missing = {"question_7", "c1a_form", "applies_when", "further_action", "code", "citations"} - set(
        data if isinstance(data, dict) else ()
    )
    if missing:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
        return Row("", "", (), (), "", ())
    if data["question_7"] not in QUESTION_7:
        problems.append(f"{where}: question_7 must be one of {QUESTION_7}, not {data['question_7']!r}")
    if data["code"] not in ROW_CODES:
        problems.append(f"{where}: unknown decision code {data['code']!r}")
    if not data["applies_when"]:
        problems.append(f"{where}: applies_when is empty")
    for condition in data["applies_when"]:
        for name, value in condition.items():
            if value not in FACT_VALUES.get(name, ()):
                problems.append(f"{where}: {name}: {value!r} is not a fact and value the pathway knows")
    c1a_form = " ".join(str(data["c1a_form"]).split())
    if not load_framework().quotes("Appendix III", c1a_form):
        problems.append(f"{where}: c1a_form is not word for word in Appendix III: {c1a_form[:70]!r}")
    return Row(
        question_7=data["question_7"],
        c1a_form=c1a_form,
        applies_when=tuple(data["applies_when"]),
        further_action=_named_steps(data["further_action"], steps, f"{where}.further_action", problems),
        code=data["code"],
        citations=tuple(data["citations"]),
    )


def _fixed(data: Any, where: str, code: str, headline: str, steps: Mapping[str, Step], problems: list[str]) -> Decision:
    data = data if isinstance(data, dict) else {}
    chosen = _named_steps(data.get("steps"), steps, f"{where}.steps", problems)
    return Decision(code, headline, chosen, unique([*data.get("citations", []), *(s.citation for s in chosen)]))


@lru_cache(maxsize=1)
def load_pathway(path: Path = PATHWAY) -> Pathway:
    """The Appendix III pathway, checked word for word against the Framework; DecisionDataError says what is wrong."""
    steps, headlines, tables = load_decision_data(path, STEPS, HEADLINES, TABLES)
    problems: list[str] = []
    rows_data = tables["rows"] if isinstance(tables["rows"], list) else []
    rows = tuple(_row(row, f"rows[{i}]", steps, problems) for i, row in enumerate(rows_data))
    row_codes = set(row.code for row in rows)
    if row_codes != set(ROW_CODES):
        problems.append(f"rows must use the codes {ROW_CODES}, found {sorted(row_codes)}")
    for code in row_codes:
        actions = {row.further_action for row in rows if row.code == code}
        if len(actions) > 1:
            problems.append(f"rows with code {code} must share one list of further action")
    order = tuple(tables["most_protective_first"] or ())
    if sorted(order) != sorted(row_codes):
        problems.append(f"most_protective_first must list each row code once, found {list(order)}")
    outcomes_data = tables["outcomes"] if isinstance(tables["outcomes"], dict) else {}
    if set(outcomes_data) != row_codes:
        problems.append(f"outcomes must describe exactly the row codes, found {sorted(outcomes_data)}")
    outcomes = {
        code: Outcome(
            headlines.get(code, ""),
            _named_steps(entry.get("before"), steps, f"outcomes.{code}.before", problems),
            _named_steps(entry.get("after"), steps, f"outcomes.{code}.after", problems),
        )
        for code, entry in outcomes_data.items()
    }
    screening = steps["screening"]
    no_row = _fixed(tables["no_row"], "no_row", "no_row_consult_service_manager", headlines["no_row"], steps, problems)
    public_law = _fixed(
        tables["public_law"],
        "public_law",
        "not_applicable_public_law",
        headlines["not_applicable_public_law"],
        steps,
        problems,
    )
    if problems:
        raise DecisionDataError(f"{path.name} is not valid:\n- " + "\n- ".join(problems))
    no_row = Decision(
        no_row.code, no_row.headline, (*no_row.steps, screening), unique([*no_row.citations, screening.citation])
    )
    return Pathway(screening, order, rows, outcomes, no_row, public_law)


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

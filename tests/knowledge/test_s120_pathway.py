"""The section 120 pathway against Appendix III, 2.77, 2.79 and 3.87, over every combination of facts."""

import copy
import json
import re
from dataclasses import replace
from functools import cache
from itertools import product

import pytest
import yaml

from knowledge.decision import REMINDER, DecisionDataError, MissingFacts
from knowledge.framework import load_framework
from knowledge.s120_pathway import CODES, PATHWAY, S120Facts, decide_s120, load_pathway, missing_facts
from tests.knowledge.conftest import assert_quoted, norm

# Appendix III's "Further action with other agencies" cells, copied by hand from the Framework.
REFERRAL = [
    "Refer to the Local Authority using the Cafcass Child Welfare (Protection) procedure (2.77)",
    "Inform the court of the referral",
    "Inform the LA when the Cafcass involvement has ended and the final outcome of the court case",
]
NOTIFICATION = [
    "Provide the LA with all available information using section 120 letter (Resource Pack VIII1)",
    "Inform the court of the notification",
    "Inform the LA when the Cafcass involvement has ended and the final outcome of the court case",
]
C1A_MISSING = [
    "Notify the court that C1A form has not been completed as required",
    "Provide the LA with all available information",
    "Inform the LA when the Cafcass involvement has ended and the final outcome of the court case",
]
ACTIONS = {
    "child_protection_referral": REFERRAL,
    "s120_notification": NOTIFICATION,
    "notify_court_c1a_missing": C1A_MISSING,
    "no_action": [],
    "no_row_consult_service_manager": [],
}
SCREENING = "SCREENING CHECKS MUST BE COMPLETED IN COMPLIANCE WITH SECTIONS 2.13 – 2.25 OF THIS FRAMEWORK"
CITED = {
    "child_protection_referral": {"2.79", "Appendix III"},
    "s120_notification": {"2.79", "3.87", "Appendix III"},
    "notify_court_c1a_missing": {"Appendix III"},
    "no_action": {"Appendix III"},
    "not_applicable_public_law": {"2.77", "Appendix III"},
    "no_row_consult_service_manager": {"Appendix III", "2.19", "2.24", "2.81"},
}

ASKING_ORDER = {
    "law": ("private", "public"),
    "question_7": ("yes", "no"),
    "c1a_completed": (True, False),
    "previously_at_risk_from_witnessing_harm": (True, False),
    "still_at_risk_from_witnessing_harm": (True, False),
    "other_types_of_harm": (True, False),
    "child_remains_at_risk": (True, False),
}


def expected_codes(f: S120Facts) -> tuple[str, ...]:
    """Appendix III read by hand, most protective outcome first, for facts that are all known."""
    if f.law == "public":
        return ("not_applicable_public_law",)
    codes = []
    referral = (
        f.still_at_risk_from_witnessing_harm
        or f.other_types_of_harm
        or (f.previously_at_risk_from_witnessing_harm and f.child_remains_at_risk)
    )
    if referral:
        codes.append("child_protection_referral")
    elif f.previously_at_risk_from_witnessing_harm:
        codes.append("s120_notification")
    if f.question_7 == "yes" and f.c1a_completed is False:
        codes.append("notify_court_c1a_missing")
    if codes:
        return tuple(codes)
    # Question 7 ticked yes, C1A completed, nothing suggested: no row of Appendix III matches.
    return ("no_row_consult_service_manager",) if f.question_7 == "yes" else ("no_action",)


def expected_outcome(f: S120Facts) -> tuple:
    return expected_codes(f)


@cache
def expected_missing(f: S120Facts) -> tuple[str, ...]:
    unknown = [name for name in ASKING_ORDER if getattr(f, name) is None]
    needed = []
    for name in unknown:
        others = [other for other in unknown if other != name]
        for values in product(*(ASKING_ORDER[other] for other in others)):
            base = replace(f, **dict(zip(others, values)))
            if len({expected_outcome(replace(base, **{name: v})) for v in ASKING_ORDER[name]}) > 1:
                needed.append(name)
                break
    return tuple(needed)


def a_completion(f: S120Facts) -> S120Facts:
    return replace(f, **{name: values[0] for name, values in ASKING_ORDER.items() if getattr(f, name) is None})


def every_facts():
    for values in product(*((None, *values) for values in ASKING_ORDER.values())):
        yield S120Facts(*values)


def test_every_combination_of_facts():
    checked = 0
    for facts in every_facts():
        missing = missing_facts(facts)
        assert tuple(missing) == expected_missing(facts), facts
        if missing:
            with pytest.raises(MissingFacts) as raised:
                decide_s120(facts)
            assert raised.value.missing == missing
            continue
        decision = decide_s120(facts)
        known = a_completion(facts)
        codes = expected_codes(known)
        assert decision.code == codes[0], facts
        assert CITED[decision.code] <= set(decision.citations), facts
        assert {step.citation for step in decision.steps} <= set(decision.citations)
        table = [step.quote for step in decision.steps if step.citation == "Appendix III"]
        if decision.code == "not_applicable_public_law":
            assert table == ["Pathway for action on receipt of private law applications"]
            assert any("issues that are new" in step.quote for step in decision.steps)
        else:
            actions = list(dict.fromkeys(a for code in codes for a in ACTIONS[code]))
            assert table == actions + [SCREENING], facts
        if codes[0] in ("child_protection_referral", "s120_notification"):
            assert decision.steps[0].citation == "2.81"
            assert "must first discuss this with their Service Manager" in decision.steps[0].quote
        if decision.code == "no_row_consult_service_manager":
            assert decision.headline.startswith("Appendix III has no row for this")
            assert "discuss the case with your Service Manager" in decision.headline
            assert "no further action" not in decision.headline
            assert [s.citation for s in decision.steps[:3]] == ["2.81", "2.19", "2.24"]
            assert "police check" in decision.steps[1].quote and "harm 'tick box'" in decision.steps[1].quote
        else:
            assert "no row" not in decision.headline
        if decision.code == "no_action":
            assert known.question_7 == "no"
        checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "facts, missing",
    [
        (S120Facts(), list(ASKING_ORDER)),
        (S120Facts(law="public"), []),
        (
            S120Facts(law="private", question_7="no"),
            [
                "previously_at_risk_from_witnessing_harm",
                "still_at_risk_from_witnessing_harm",
                "other_types_of_harm",
                "child_remains_at_risk",
            ],
        ),
        (
            S120Facts(law="private", question_7="yes", c1a_completed=False),
            [
                "previously_at_risk_from_witnessing_harm",
                "still_at_risk_from_witnessing_harm",
                "other_types_of_harm",
                "child_remains_at_risk",
            ],
        ),
        (S120Facts(law="private", question_7="yes", c1a_completed=True, still_at_risk_from_witnessing_harm=True), []),
        (S120Facts(law="private", question_7="yes", other_types_of_harm=True), ["c1a_completed"]),
        (
            S120Facts(
                law="private",
                question_7="no",
                previously_at_risk_from_witnessing_harm=True,
                still_at_risk_from_witnessing_harm=False,
                other_types_of_harm=False,
            ),
            ["child_remains_at_risk"],
        ),
    ],
)
def test_missing_facts_in_asking_order(facts, missing):
    assert missing_facts(facts) == missing


def test_dad_hit_mum_in_front_of_the_children_two_years_ago_separated_since():
    decision = decide_s120(
        S120Facts(
            law="private",
            question_7="yes",
            c1a_completed=True,
            previously_at_risk_from_witnessing_harm=True,
            still_at_risk_from_witnessing_harm=False,
            other_types_of_harm=False,
            child_remains_at_risk=False,
        )
    )
    assert decision.code == "s120_notification"
    assert "not a referral" in decision.headline
    assert decision.to_payload()["decision"] == "s120_notification"
    assert any("does not automatically trigger an investigation" in step.quote for step in decision.steps)


def test_c1a_missing_and_physical_harm_disclosed_gives_the_referral_first_then_the_c1a_steps():
    decision = decide_s120(
        S120Facts(
            law="private",
            question_7="yes",
            c1a_completed=False,
            previously_at_risk_from_witnessing_harm=False,
            still_at_risk_from_witnessing_harm=False,
            other_types_of_harm=True,
        )
    )
    table = [step.quote for step in decision.steps if step.citation == "Appendix III"]
    assert decision.code == "child_protection_referral"
    assert table == [*REFERRAL, *C1A_MISSING[:2], SCREENING]
    assert " Also: " in decision.headline


def test_yes_with_c1a_missing_and_nothing_else_on_the_forms_notifies_the_court():
    decision = decide_s120(
        S120Facts(
            law="private",
            question_7="yes",
            c1a_completed=False,
            previously_at_risk_from_witnessing_harm=False,
            still_at_risk_from_witnessing_harm=False,
            other_types_of_harm=False,
        )
    )
    assert decision.code == "notify_court_c1a_missing"
    assert [s.quote for s in decision.steps if s.citation == "Appendix III"] == [*C1A_MISSING, SCREENING]


def test_public_law_quotes_the_reason_from_2_77():
    decision = decide_s120(S120Facts(law="public"))
    assert decision.code == "not_applicable_public_law"
    assert decision.steps[1].citation == "2.77"
    assert decision.steps[1].quote.startswith("In public law cases, the question of significant harm is at the core")


def test_payload_is_the_json_contract():
    decision = decide_s120(S120Facts(law="public"))
    payload = json.loads(json.dumps(decision.to_payload()))
    assert set(payload) == {"decision", "citations", "steps"}
    assert payload["citations"] == list(decision.citations)
    assert all(isinstance(step, str) and "(Framework " in step for step in payload["steps"])


def test_where_appendix_iii_has_no_row_the_outcome_says_so_with_its_own_code():
    decision = decide_s120(S120Facts("private", "yes", True, False, False, False))
    assert decision.code == "no_row_consult_service_manager"
    assert decision.to_payload() != decide_s120(S120Facts("private", "no", True, False, False, False)).to_payload()
    assert {"2.19", "2.24", "2.81"} <= set(decision.citations)


def test_the_decision_codes_are_the_design_contract():
    design = (
        "no_action",
        "no_row_consult_service_manager",
        "notify_court_c1a_missing",
        "s120_notification",
        "child_protection_referral",
        "not_applicable_public_law",
    )
    assert set(CODES) == set(design)
    assert {decide_s120(S120Facts(*values)).code for values in product(*ASKING_ORDER.values())} == set(design)


def test_every_step_of_every_decision_quotes_the_cited_paragraph_verbatim():
    decisions = {decide_s120(S120Facts(*values)) for values in product(*ASKING_ORDER.values())}
    for decision in decisions:
        for step in decision.steps:
            assert_quoted(step)


def test_the_reminder_quotes_1_14_and_1_16():
    framework = load_framework()
    passages = norm(framework.text_of("1.14") + " " + framework.text_of("1.16"))
    quotes = re.findall(r"“(.+?)”", REMINDER)
    assert len(quotes) == 3
    assert all(norm(quote) in passages for quote in quotes)
    assert "(Framework 1.14)" in REMINDER and "(Framework 1.16)" in REMINDER


def test_the_table_rows_are_appendix_iii_verbatim():
    appendix = norm(load_framework().appendix("III").text)
    column = {"no": "Box ticked no", "yes": "Box ticked yes", "either": "Box ticked either yes or no"}
    rows = load_pathway().rows
    assert appendix.count("Box ticked") == len(rows) == 5
    for row in rows:
        actions = " ".join(f"{i}. {step.quote}" for i, step in enumerate(row.further_action, 1)) or "None"
        assert f"{column[row.question_7]} | {row.c1a_form} | {actions}" in appendix


def raw():
    return yaml.safe_load(PATHWAY.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["rows"][0].update(code="nothing"), "unknown decision code 'nothing'"),
        (lambda d: d["rows"][1].update(question_7=True), "question_7 must be one of"),
        (lambda d: d["rows"][1]["applies_when"][0].update(c1a_missing=True), "c1a_missing"),
        (lambda d: d["rows"][4]["further_action"].pop(), "rows with code child_protection_referral must share"),
        (lambda d: d["rows"][2].pop("further_action"), "rows[2]: missing further_action"),
        (lambda d: d["rows"][2]["further_action"].append("nowhere"), "no step 'nowhere' under `steps`"),
        (lambda d: d["rows"][3].update(c1a_form="Still at risk"), "rows[3]: c1a_form is not word for word"),
        (lambda d: d["most_protective_first"].pop(), "most_protective_first"),
        (lambda d: d["outcomes"].pop("s120_notification"), "outcomes must describe exactly the row codes"),
        (
            lambda d: d["steps"]["public_law_core"].pop("citation"),
            "steps.public_law_core: needs a quote and a citation",
        ),
        (
            lambda d: d["steps"]["screening"].update(quote="SCREENING CHECKS SHOULD BE COMPLETED"),
            "steps.screening: not word for word in Appendix III",
        ),
        (lambda d: d.pop("no_row"), "missing: no_row"),
    ],
)
def test_invalid_pathway_data_fails_loudly(change, message, tmp_path):
    data = copy.deepcopy(raw())
    change(data)
    path = tmp_path / "s120_pathway.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DecisionDataError, match=re.escape(message)):
        load_pathway.__wrapped__(path)


def test_unreadable_pathway_file_fails_loudly(tmp_path):
    with pytest.raises(DecisionDataError, match="cannot read"):
        load_pathway.__wrapped__(tmp_path / "absent.yml")


def test_unknown_fact_values_are_refused():
    with pytest.raises(ValueError, match="question_7"):
        missing_facts(S120Facts(question_7="ticked"))

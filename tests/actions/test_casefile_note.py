"""Recording a discussion from one pasted note: placed point by point, corrected by point, completeness named before
saving, the decision line kept, and the follow-ups set from point 10."""

from __future__ import annotations

from casefile import Identity
from tests.actions import test_casefile_actions as recording
from tests.actions.test_casefile_actions import CASE, JO, SAM, Conversation, buttons, texts

store = recording.store  # the same fixture: the case file the actions use, with four members of staff

NOTE = (
    f"Record my SM discussion on {CASE}. Spoke to Sam yesterday at 2. Mother alleges father pushed her down the "
    "stairs while she was holding the baby. Risk is recent, the incident was ten days ago. The baby is with mother at "
    "the maternal grandmother's address. We agreed a referral to children's social care is needed. The baby may be at "
    "risk of suffering significant harm. I will make the referral by phone today and confirm it in writing by "
    "tomorrow. Decision and why: refer, because the baby was in her arms."
)


def test_one_pasted_note_is_recorded_in_three_messages(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(NOTE, "record_discussion")
    assert talk.answers["case_reference"] == CASE
    assert talk.answers["other_party"] == str(store.staff.find_by_identity("telegram", "101").id)
    assert talk.answers["point_where_child_is_now"] == "The baby is with mother at the maternal grandmother's address."
    assert talk.answers["point_level_of_risk"] == "recent"
    assert talk.question == "concern_identified_at"  # the note does not say when the concern was identified
    talk.answer("yesterday 9am")
    summary = texts(talk.ask())
    assert "Under no point (about the discussion itself):\n    Record my SM discussion" in summary
    assert "Decision agreed and why (Framework 3.62):\n    refer, because the baby was in her arms." in summary
    assert "Follow-ups it will set" in summary and "(the practitioner, by 17:00 on" in summary
    assert "Not discussed:" not in summary
    replies = talk.answer("Save", message_id="m-save")
    assert "Saved, awaiting Sam Patel's agreement" in texts(replies)
    assert "points 4, 7, 8, 9, 11, 12 were not discussed" in texts(replies)
    [record] = store.find_records(Identity("telegram", "201"), case_reference=CASE)
    assert record.decision_reasons == "refer, because the baby was in her arms."
    assert record.point("referral_grounds").current == "significant_harm"
    [follow_up] = store.follow_ups.mine(Identity("telegram", "201"))
    assert follow_up.record_id == record.id


def test_a_point_is_corrected_by_its_number_and_missing_core_points_are_named(store, make_tracker):
    talk = Conversation(make_tracker, SAM)
    talk.start(
        f"record a discussion on {CASE}\nTalked to Jo yesterday at 3.\nDad has been drinking when he has the children."
        "\nMum knows we are discussing it.\nThe report will look at alcohol use.",
        "record_discussion",
    )
    assert talk.answers["other_party"] == str(store.staff.find_by_identity("telegram", "201").id)
    talk.answer("yesterday 10am")
    summary = talk.ask()
    assert (
        "Not discussed: 2 (the (immediate, recent or previous) level of risk identified), 3 (where the child is now)"
        in (texts(summary))
    )
    assert [b["title"] for b in buttons(summary)] == ["Save anyway", "Change a point", "Cancel"]
    talk.answer("point 3: with her grandmother")
    assert talk.answers["point_where_child_is_now"] == "with her grandmother"
    assert talk.question == "record_confirmation"
    assert "Point 2" in texts(talk.answer("2: somewhere between"))
    talk.answer("2: previous")
    assert talk.answers["point_level_of_risk"] == "previous"
    talk.answer("decision: no referral, because the concerns are historic")
    assert talk.answers["decision_reasons"] == "no referral, because the concerns are historic"
    assert "Saved" in texts(talk.answer("Save anyway", message_id="m-save-2"))
    [record] = store.find_records(Identity("telegram", "101"), case_reference=CASE)
    assert [p.key for p in record.not_discussed][:2] == ["referral_needed", "referral_grounds"]


def test_a_note_given_as_the_first_point_fills_the_draft_but_a_long_answer_does_not(store, make_tracker):
    talk = Conversation(make_tracker, JO)
    talk.start(f"record my SM discussion on {CASE}", "record_discussion")
    talk.answer("Sam Patel")
    talk.answer("yesterday 4pm")
    talk.answer("yesterday 9am")
    assert talk.question == "point_nature_of_concerns"
    assert "paste your whole note" in texts(talk.ask())
    talk.answer("Dad was drunk at handover. He shouted at mum. The child was upset and crying.")
    assert talk.answers["point_nature_of_concerns"].startswith("Dad was drunk at handover.")
    assert talk.question == "point_level_of_risk"

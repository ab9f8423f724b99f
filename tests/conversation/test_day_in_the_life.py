"""A day in the life, through the REST channel with the trained model: a practitioner records a discussion from one
pasted note in three messages, the manager is asked and agrees in two taps, a follow-up comes due and is reminded, and
the manager's overview shows it overdue until it is marked done."""

from __future__ import annotations

import re

import pytest

from bot.channels.notifications import release_due
from tests.conversation.test_casefile_conversation import fresh_case, payloads, texts

pytestmark = pytest.mark.conversation


def note(case: str, manager_first_name: str) -> str:
    return (
        f"Record my SM discussion on {case}. Spoke to {manager_first_name} yesterday at 2. Father says mother's new "
        "partner slapped their son at the park. Risk is recent. The boy is living with mum and her partner. We agreed "
        "a referral to children's social care is needed. He may be at risk of suffering significant harm. I will phone "
        "CSC by 4pm. SM to check the outcome within one working day. Decision and why: refer, because the partner is "
        "with the boy every day."
    )


def test_a_day_in_the_life(register, casefile):  # noqa: F811
    jo, manager = register("practitioner", "Jo"), register("service_manager", "Marguerite")
    case = fresh_case()

    # The practitioner: the whole note in one message, when the concern was identified, Save.
    messages = [note(case, "Marguerite"), "yesterday 9am"]
    replies = jo.says(messages[0])
    assert "When was the concern first identified" in texts(replies), replies
    draft = texts(jo.says(messages[1]))
    assert "3. Where the child is now:\n    The boy is living with mum and her partner." in draft
    assert f"Manager: {manager.name}" in draft
    assert "I will phone CSC by 4pm (the practitioner, by 16:00 on" in draft
    saved = texts(jo.says("Save"))
    messages.append("Save")
    assert len(messages) <= 3
    assert f"Saved, awaiting {manager.name}'s agreement (Framework 2.82)" in saved
    record_id = re.search(r"record (\d+) on", saved).group(1)

    # The manager is asked (the outbox), and agrees in two taps from what is waiting.
    staff = casefile.staff.find_by_identity("terminal", manager.sender)
    asked = [n for n in casefile.pending_notifications("terminal") if n.staff_id == staff.id]
    assert any(f"record {record_id}" in n.text for n in asked)
    waiting = manager.says("what's waiting for me")
    agree = f'/agree_record{{"record": "{record_id}"}}'
    assert agree in payloads(waiting), waiting
    choices = payloads(manager.says(agree))
    assert choices == ['/choose{"option": "agree"}', '/choose{"option": "amend"}', '/choose{"option": "not_now"}']
    assert f"Agreed by {manager.name}" in texts(manager.says(choices[0]))

    # The follow-up "by 4pm" yesterday has come due: it is reminded once, with the case reference and no names.
    release_due(casefile)
    practitioner = casefile.staff.find_by_identity("terminal", jo.sender)
    reminders = [n for n in casefile.pending_notifications("terminal") if n.staff_id == practitioner.id]
    reminders = [n for n in reminders if n.text.startswith("Reminder")]
    assert len(reminders) == 1 and case in reminders[0].text and "Jo" not in reminders[0].text
    follow_up_id = re.search(r"follow-up (\d+)", reminders[0].text).group(1)
    release_due(casefile)
    assert len([n for n in casefile.pending_notifications("terminal") if n.text == reminders[0].text]) == 1

    # The overview shows it overdue until it is marked done.
    overview = manager.says("team overview")
    assert re.search(rf"#{follow_up_id} · {case} · I will phone CSC by 4pm · {jo.name} · .* · OVERDUE", texts(overview))
    done = f'/follow_up_done{{"follow_up": "{follow_up_id}"}}'
    assert done in payloads(overview)
    assert f"Follow-up {follow_up_id} on {case} is marked done" in texts(jo.says(done))
    after = texts(manager.says("team overview"))
    # The manager's own "within one working day" comes due at the end of today's working day, so after 5pm it is
    # overdue too: the count goes down by the one marked done, whatever the time of day.
    overdue = [int(re.search(r"Follow-ups overdue: (\d+)", t).group(1)) for t in (texts(overview), after)]
    assert overdue[1] == overdue[0] - 1 and "I will phone CSC by 4pm" not in after

"""The case file's records, agreement, amendments, securing, retrieval and access rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from casefile import (
    AccessRefused,
    AlreadyAgreed,
    CaseFile,
    FileSecured,
    Identity,
    InvalidCaseReference,
    InvalidEntry,
    NotFound,
    UnknownStaff,
    discussion_key,
)
from casefile.models import (
    Agreement,
    Amendment,
    AuditEntry,
    Case,
    DiscussionRecord,
    LaterRecording,
    Notification,
    SecuredFile,
)
from knowledge.moments import LONDON
from tests.casefile.conftest import OPERATOR, START, count, rows

HOUR = timedelta(hours=1)
POINTS = {
    "nature_of_concerns": "Mother reports father hit her in front of the children last week.",
    "level_of_risk": "recent",
    "where_child_is_now": "With mother at maternal grandmother's address.",
    "what_family_told": "Mother told a referral will be considered today.",
    "referral_needed": "Yes: referral to LACSC by telephone today.",
    "referral_grounds": "significant_harm",
    "other_children": "Half-sibling aged 2 in the household.",
    "views_of_parties": "No: seeking father's views could place the child at risk.",
    "court_notification": "Letter to the court after the referral, copied to the parties' solicitors.",
    "action_and_timescale": "Jo to refer by 4pm today; Sam to check outcome tomorrow.",
    "information_shared": "Child told in age-appropriate terms that people will help keep her safe.",
    "future_work": "Joint visit with the allocated social worker before the next hearing.",
}
_keys = itertools.count(1)


def record(
    casefile,
    people,
    by="jo",
    case="ZW25P01234",
    practitioner="jo",
    manager="sam",
    points=None,
    discussed_at=None,
    identified_at=None,
    key=None,
):
    discussed_at = discussed_at or START - HOUR
    return casefile.record_discussion(
        people.id_of(by),
        case,
        POINTS if points is None else points,
        people[practitioner].id,
        people[manager].name,
        discussed_at,
        identified_at or discussed_at - 2 * HOUR,
        key or f"msg-{next(_keys)}",
    )


def audit(casefile, action=None):
    entries = rows(casefile, AuditEntry, AuditEntry.action.notin_(["staff_add"]))
    return [e for e in entries if action is None or e.action == action]


def test_record_then_agree_carries_both_names_and_times(casefile, people, clock):
    saved = record(
        casefile, people, case=" zw25p01234 ", discussed_at=START - 3 * HOUR, identified_at=START - 26 * HOUR
    )
    assert saved.status == "awaiting agreement" and not saved.agreed
    assert saved.case_reference == "ZW25P01234"
    assert (saved.practitioner.name, saved.manager.name, saved.recorded_by.name) == (
        "Jo Bloggs",
        "Sam Patel",
        "Jo Bloggs",
    )
    assert saved.recorded_at == START
    assert saved.discussed_at == START - 3 * HOUR and saved.concern_identified_at == START - 26 * HOUR
    assert {p.key: p.current for p in saved.points} == POINTS

    clock.now = START + 2 * HOUR
    agreed = casefile.agree(people.id_of("sam"), saved.id)
    assert agreed.status == "agreed"
    assert agreed.agreed_by.name == "Sam Patel" and agreed.agreed_at == START + 2 * HOUR
    assert agreed.recorded_by.name == "Jo Bloggs" and agreed.recorded_at == START
    assert agreed.team == "North"
    assert casefile.get_record(people.id_of("jo"), saved.id) == agreed


def test_naive_times_are_read_as_time_in_england(casefile, people):
    summer = datetime(2025, 6, 9, 14, 30)  # BST: 13:30 UTC
    saved = record(casefile, people, discussed_at=summer, identified_at=summer - HOUR)
    assert saved.discussed_at == datetime(2025, 6, 9, 13, 30, tzinfo=timezone.utc)


def test_the_other_party_is_asked_to_agree_through_the_outbox(casefile, people):
    saved = record(casefile, people)
    pending = casefile.pending_notifications("telegram")
    assert [(n.staff_name, n.external_id) for n in pending] == [("Sam Patel", "101")]
    assert pending[0].text == (
        f"Jo Bloggs asks you to agree the record of your discussion on ZW25P01234 (record {saved.id}; Framework 2.82)."
    )
    assert casefile.pending_notifications("teams") == []
    assert casefile.mark_delivered(pending[0].id) is True
    assert casefile.mark_delivered(pending[0].id) is False
    assert casefile.pending_notifications("telegram") == []


def test_agree_with_amendment_keeps_the_original(casefile, people, clock):
    saved = record(casefile, people)
    clock.now = START + HOUR
    agreed = casefile.agree(
        people.id_of("sam"),
        saved.id,
        {"action_and_timescale": "Jo to refer by 2pm today; Sam to check outcome tomorrow."},
    )
    point = agreed.point("action_and_timescale")
    assert point.original == POINTS["action_and_timescale"]
    assert point.current == "Jo to refer by 2pm today; Sam to check outcome tomorrow."
    [amendment] = point.amendments
    assert (amendment.amended_by.name, amendment.amended_at, amendment.on_agreement) == (
        "Sam Patel",
        START + HOUR,
        True,
    )
    assert agreed.agreed_by.name == "Sam Patel"
    with casefile.database.session() as session:
        stored = session.get(DiscussionRecord, saved.id)
        assert stored.action_and_timescale == POINTS["action_and_timescale"]


def test_amend_never_edits_in_place(casefile, people, clock):
    saved = record(casefile, people, points={"nature_of_concerns": "Bruise on arm", "level_of_risk": "immediate"})
    clock.now = START + HOUR
    casefile.amend(people.id_of("jo"), saved.id, "where_child_is_now", "At school", "left out by mistake")
    clock.now = START + 2 * HOUR
    casefile.agree(people.id_of("sam"), saved.id)
    clock.now = START + 3 * HOUR
    amended = casefile.amend(
        people.id_of("sam"), saved.id, "nature_of_concerns", "Bruise on left upper arm", "more precise"
    )
    nature = amended.point("nature_of_concerns")
    assert (nature.original, nature.current) == ("Bruise on arm", "Bruise on left upper arm")
    assert nature.amendments[0].reason == "more precise" and nature.amendments[0].after_agreement
    where = amended.point("where_child_is_now")
    assert (where.original, where.shown_original, where.current) == (None, "Not discussed", "At school")
    assert not where.amendments[0].after_agreement
    assert amended.point("other_children").shown == "Not discussed"
    assert count(casefile, Amendment) == 2
    with casefile.database.session() as session:
        assert session.get(DiscussionRecord, saved.id).nature_of_concerns == "Bruise on arm"
    notified = [n.text for n in casefile.pending_notifications("telegram")]
    assert (
        f"Sam Patel amended the record of your discussion on ZW25P01234 (record {saved.id}); it awaits Sam Patel's "
        "agreement again." in notified
    )
    assert not amended.agreed and [a.agreed_by.name for a in amended.earlier_agreements] == ["Sam Patel"]


def test_manager_records_and_practitioner_agrees(casefile, people, clock):
    saved = record(casefile, people, by="sam")
    assert saved.recorded_by.name == "Sam Patel" and saved.other_party.name == "Jo Bloggs"
    assert [n.staff_name for n in casefile.pending_notifications("telegram")] == ["Jo Bloggs"]
    with pytest.raises(AccessRefused, match="Jo Bloggs agrees it"):
        casefile.agree(people.id_of("sam"), saved.id)
    clock.now = START + HOUR
    agreed = casefile.agree(people.id_of("jo"), saved.id)
    assert (agreed.recorded_by.name, agreed.agreed_by.name, agreed.agreed_at) == (
        "Sam Patel",
        "Jo Bloggs",
        START + HOUR,
    )


def test_only_the_other_party_agrees_and_only_once(casefile, people):
    saved = record(casefile, people)
    with pytest.raises(AccessRefused, match="Sam Patel agrees it"):
        casefile.agree(people.id_of("jo"), saved.id)
    for outsider in ("ned", "sue", "ann"):
        with pytest.raises(AccessRefused):
            casefile.agree(people.id_of(outsider), saved.id)
    casefile.agree(people.id_of("sam"), saved.id)
    with pytest.raises(AlreadyAgreed, match="agreed by Sam Patel"):
        casefile.agree(people.id_of("sam"), saved.id)
    with pytest.raises(NotFound):
        casefile.agree(people.id_of("sam"), 9999)
    assert count(casefile, Agreement) == 1


def test_only_a_person_directly_involved_records_the_discussion(casefile, people):
    with pytest.raises(AccessRefused, match="2.95"):
        record(casefile, people, by="ned")
    with pytest.raises(InvalidEntry, match="2.81"):
        record(casefile, people, manager="ned", by="jo")  # a practitioner is not a manager
    with pytest.raises(InvalidEntry):
        record(casefile, people, practitioner="sue", by="sam")
    # Another Cafcass manager when the Service Manager is not available (2.81, 1.11): the record stays with the
    # practitioner's team.
    cover = record(casefile, people, manager="sid", by="jo")
    assert cover.team == "North" and cover.manager.team == "South"
    assert count(casefile, DiscussionRecord) == 1


def test_what_is_entered_is_checked(casefile, people, clock):
    cases = [
        ({"nature_of_concerns": None, "where_child_is_now": "  "}, {}, "None of the points"),
        ({"favourite_colour": "blue"}, {}, "Unknown points"),
        ({"level_of_risk": "high"}, {}, "immediate, recent, previous"),
        ({"referral_grounds": "because"}, {}, "services, significant_harm"),
        ({"nature_of_concerns": "x" * 10_001}, {}, "too long"),
        ({"nature_of_concerns": "bad\x00byte"}, {}, "control character"),
        (POINTS, {"discussed_at": START + HOUR}, "in the future"),
        (POINTS, {"discussed_at": START - HOUR, "identified_at": START}, "identified before"),
    ]
    for points, times, message in cases:
        with pytest.raises(InvalidEntry, match=message):
            record(casefile, people, points=points, **times)
    saved = record(
        casefile,
        people,
        points={
            "nature_of_concerns": "Neglect",
            "level_of_risk": "Previous",
            "referral_grounds": "Significant harm",
            "other_children": "Not discussed",
        },
    )
    assert saved.point("level_of_risk").current == "previous"
    assert saved.point("level_of_risk").shown == "Previous"
    assert saved.point("referral_grounds").shown == "The child is, or may be at risk of suffering significant harm"
    assert saved.point("other_children").current is None
    assert count(casefile, DiscussionRecord) == 1


def test_secured_file_takes_no_new_entries_but_a_dated_later_recording_kept_separate(casefile, people, clock):
    first = record(casefile, people)
    unagreed = record(casefile, people)
    casefile.agree(people.id_of("sam"), first.id)
    clock.now = START + 24 * HOUR
    with pytest.raises(AccessRefused, match="3.42"):
        casefile.secure_file(people.id_of("jo"), "ZW25P01234", "SCR notification received")
    secured = casefile.secure_file(people.id_of("sid"), "zw25p01234", "SCR notification received from the LSCB")
    assert (secured.secured_by.name, secured.secured_at) == ("Sid Rao", START + 24 * HOUR)
    notice = [n for n in casefile.pending_notifications("telegram") if "secured" in n.text]
    assert [n.staff_name for n in notice] == ["Jo Bloggs"]

    clock.now = START + 48 * HOUR
    refusals = [
        lambda: record(casefile, people),
        lambda: casefile.amend(people.id_of("jo"), first.id, "future_work", "More", "late"),
        lambda: casefile.agree(people.id_of("sam"), unagreed.id),
        lambda: casefile.secure_file(people.id_of("sam"), "ZW25P01234", "again"),
    ]
    for attempt in refusals:
        with pytest.raises(FileSecured, match="secured on 11 June 2025 10:00 BST by Sid Rao"):
            attempt()
    assert (count(casefile, DiscussionRecord), count(casefile, Amendment), count(casefile, Agreement)) == (2, 0, 1)

    with pytest.raises(InvalidEntry, match="3.45"):
        casefile.add_later_recording(people.id_of("jo"), "ZW25P01234", "Home visit", date(2025, 6, 12))
    with pytest.raises(AccessRefused):
        casefile.add_later_recording(people.id_of("pat"), "ZW25P01234", "Not my case", date(2025, 6, 9))
    later = casefile.add_later_recording(
        people.id_of("jo"), "ZW25P01234", "Phone call with school on 9 June.", date(2025, 6, 9)
    )
    assert (later.recorded_at, later.event_date, later.recorded_by.name) == (
        START + 48 * HOUR,
        date(2025, 6, 9),
        "Jo Bloggs",
    )
    assert count(casefile, LaterRecording) == 1
    view = casefile.case_file(people.id_of("sam"), "ZW25P01234")
    assert view.secured.secured_by.name == "Sid Rao"
    assert [r.id for r in view.records] == [first.id, unagreed.id]
    assert all("Phone call" not in (p.current or "") for r in view.records for p in r.points)
    assert [r.text for r in view.later_recordings] == ["Phone call with school on 9 June."]
    assert casefile.get_record(people.id_of("jo"), first.id).secured.reason == "SCR notification received from the LSCB"


def test_a_case_can_be_secured_before_anything_is_recorded_on_it(casefile, people):
    casefile.secure_file(people.id_of("ann"), "ZW25P09999", "Regional Director required the file secured (3.44)")
    with pytest.raises(FileSecured):
        record(casefile, people, case="ZW25P09999")
    record(casefile, people, case="ZW25P01111")
    with pytest.raises(InvalidEntry, match="not secured"):
        casefile.add_later_recording(people.id_of("jo"), "ZW25P01111", "Call", date(2025, 6, 1))
    assert count(casefile, SecuredFile) == 1


def test_retrieval_by_case_practitioner_awaiting_and_date_range(casefile, people):
    def at(day, hour, minute=0):
        return datetime(2025, 6, day, hour, minute, tzinfo=LONDON)

    a1 = record(casefile, people, case="ZW25P00001", discussed_at=at(1, 23, 30))  # 22:30 UTC on 1 June
    a2 = record(casefile, people, case="ZW25P00001", practitioner="ned", by="ned", discussed_at=at(2, 0, 30))
    b = record(casefile, people, case="ZW25P00002", by="sam", discussed_at=at(3, 10))
    c = record(casefile, people, case="ZW25P00003", practitioner="pat", manager="sue", by="pat", discussed_at=at(2, 11))
    d = record(casefile, people, case="ZW25P00004", practitioner="dee", manager="sid", by="dee", discussed_at=at(4, 9))
    casefile.agree(people.id_of("sam"), a1.id)

    def ids(who, **filters):
        return [r.id for r in casefile.find_records(people.id_of(who), **filters)]

    assert ids("sam", case_reference="zw25p00001") == [a1.id, a2.id]
    assert ids("sam", practitioner="jo bloggs") == [a1.id, b.id]
    assert ids("sam", practitioner=people["ned"].id) == [a2.id]
    assert ids("sam", awaiting_my_agreement=True) == [a2.id]
    assert ids("jo", awaiting_my_agreement=True) == [b.id]
    assert ids("sam", discussed_from=date(2025, 6, 1), discussed_to=date(2025, 6, 1)) == [a1.id]
    assert ids("sam", discussed_from=date(2025, 6, 2), discussed_to=date(2025, 6, 3)) == [a2.id, b.id]
    assert ids("sam") == [a1.id, a2.id, b.id, d.id]  # the North team's, including a duty officer's with a cover manager
    assert ids("sid") == [c.id, d.id]  # the South team's, and the discussion Sid took part in
    assert ids("sue") == [c.id]
    assert ids("jo") == [a1.id, b.id]
    assert ids("dee") == [d.id]
    assert ids("pat", case_reference="ZW25P00001") == []
    with pytest.raises(NotFound):
        ids("sam", practitioner="Nobody Here")
    with pytest.raises(InvalidEntry):
        ids("sam", discussed_from=datetime(2025, 6, 1, 9, 0))


def test_practitioners_cannot_read_another_teams_or_colleagues_records(casefile, people):
    north = record(casefile, people)
    for outsider in ("pat", "sue", "ned", "dee"):
        with pytest.raises(AccessRefused, match=f"record {north.id}"):
            casefile.get_record(people.id_of(outsider), north.id)
        with pytest.raises(AccessRefused):
            casefile.export(people.id_of(outsider), record_id=north.id)
        with pytest.raises(NotFound):
            casefile.case_file(people.id_of(outsider), "ZW25P01234")
        assert casefile.find_records(people.id_of(outsider), case_reference="ZW25P01234") == []
    with pytest.raises(AccessRefused):
        casefile.amend(people.id_of("pat"), north.id, "future_work", "x", "y")


def test_admin_manages_staff_but_reads_no_records(casefile, people):
    saved = record(casefile, people)
    admin = people.id_of("ann")
    for attempt in (
        lambda: casefile.get_record(admin, saved.id),
        lambda: casefile.find_records(admin),
        lambda: casefile.case_file(admin, "ZW25P01234"),
        lambda: casefile.export(admin, case_reference="ZW25P01234"),
    ):
        with pytest.raises(AccessRefused, match="Admins manage the staff directory"):
            attempt()


@pytest.mark.parametrize("who", ["unknown", "deactivated", "malformed", "unstorable"])
def test_unknown_and_deactivated_identities_are_refused_and_nothing_stored(casefile, people, who):
    if who == "deactivated":
        casefile.staff.deactivate(people["jo"].id, operator=OPERATOR)
        actor, expected = people.id_of("jo"), "has been deactivated"
    elif who == "unknown":
        actor, expected = Identity("telegram", "999"), r"administrator this id: 999 \(your Telegram id\)"
    elif who == "malformed":
        actor, expected = Identity("fax", "x" * 5000), "the id of the account you are writing from"
    else:
        actor, expected = Identity("telegram", "20\x00\ud8001"), "the id of the account you are writing from"
    before = len(audit(casefile))
    with pytest.raises(UnknownStaff, match=expected) as refusal:
        casefile.record_discussion(
            actor,
            "ZW25P01234",
            POINTS,
            people["jo"].id,
            people["sam"].id,
            START - HOUR,
            START - 2 * HOUR,
            "msg-unknown",
        )
    assert "python -m bot" not in str(refusal.value)  # a person is never shown an administrator's command
    for read in (lambda: casefile.find_records(actor), lambda: casefile.export(actor, case_reference="ZW25P01234")):
        with pytest.raises(UnknownStaff):
            read()
    assert [count(casefile, m) for m in (Case, DiscussionRecord, Notification)] == [0, 0, 0]
    entries = audit(casefile)[before:]
    assert [(e.action, e.allowed, e.staff_id) for e in entries] == [
        ("record_discussion", False, None),
        ("find_records", False, None),
        ("export", False, None),
    ]
    assert all(
        e.channel == actor.channel and e.external_id == actor.external_id[:200] for e in entries if who != "unstorable"
    )


def test_the_same_message_delivered_twice_saves_one_record(casefile, people):
    first = record(casefile, people, key="telegram:update:42")
    again = record(casefile, people, key="telegram:update:42")
    assert again == first
    assert count(casefile, DiscussionRecord) == 1 and count(casefile, Notification) == 1
    with pytest.raises(InvalidEntry, match="another record"):
        record(casefile, people, by="sam", key="telegram:update:42")


def test_a_draft_confirmed_again_by_the_same_person_has_the_same_key_and_saves_one_record(casefile, people):
    def draft(by="jo", **changes):
        arguments = {
            "actor": people.id_of(by),
            "case_reference": "ZW25P01234",
            "points": POINTS,
            "practitioner": people["jo"].id,
            "manager": people["sam"].name,
            "discussed_at": START - HOUR,
            "concern_identified_at": START - 3 * HOUR,
            **changes,
        }
        return arguments, discussion_key(**arguments)

    arguments, key = draft()
    assert key == draft()[1] == draft(points=dict(reversed(list(POINTS.items()))))[1]
    assert (
        len(
            {
                key,
                draft(by="sam")[1],
                draft(discussed_at=START - 2 * HOUR)[1],
                draft(points={**POINTS, "future_work": "Something else."})[1],
            }
        )
        == 4
    )
    first = casefile.record_discussion(**arguments, idempotency_key=key)
    assert casefile.record_discussion(**arguments, idempotency_key=draft()[1]) == first
    assert [count(casefile, m) for m in (Case, DiscussionRecord, Notification)] == [1, 1, 1]


def test_the_same_message_delivered_twice_at_once_saves_one_record(casefile, people):
    casefile.staff.list_staff()  # migrate before the race
    start = threading.Barrier(2)
    results = []

    def deliver():
        start.wait()
        results.append(record(casefile, people, key="telegram:update:43"))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2 and results[0] == results[1]
    assert [count(casefile, m) for m in (Case, DiscussionRecord, Notification)] == [1, 1, 1]


def test_a_crash_half_way_through_saving_leaves_nothing(casefile, people):
    def disk_full(*_):
        raise RuntimeError("disk full")

    event.listen(Notification, "before_insert", disk_full)  # the record row is already flushed by then
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            record(casefile, people, key="msg-crash")
    finally:
        event.remove(Notification, "before_insert", disk_full)
    assert [count(casefile, m) for m in (Case, DiscussionRecord, Notification)] == [0, 0, 0]
    assert audit(casefile, "record_discussion") == []
    saved = record(casefile, people, key="msg-crash")
    assert count(casefile, DiscussionRecord) == 1 and saved.point("nature_of_concerns").current


def test_every_read_write_export_and_refusal_is_audited(casefile, people, clock):
    saved = record(casefile, people)
    casefile.agree(people.id_of("sam"), saved.id)
    casefile.amend(people.id_of("jo"), saved.id, "future_work", "Review at next hearing", "agreed later")
    casefile.get_record(people.id_of("sam"), saved.id)
    casefile.find_records(people.id_of("sam"), case_reference="ZW25P01234")
    casefile.case_file(people.id_of("jo"), "ZW25P01234")
    casefile.export(people.id_of("sam"), record_id=saved.id, fmt="txt")
    with pytest.raises(AccessRefused):
        casefile.get_record(people.id_of("pat"), saved.id)
    casefile.secure_file(people.id_of("sid"), "ZW25P01234", "SCR")
    casefile.add_later_recording(people.id_of("jo"), "ZW25P01234", "Call", date(2025, 6, 9))
    with pytest.raises(InvalidCaseReference):
        casefile.find_records(people.id_of("sam"), case_reference="<b>ZW</b>")

    entries = audit(casefile)
    assert [(e.action, e.allowed) for e in entries] == [
        ("record_discussion", True),
        ("agree", True),
        ("amend", True),
        ("read", True),
        ("find_records", True),
        ("read_case", True),
        ("export", True),
        ("read", False),
        ("secure_file", True),
        ("add_later_recording", True),
        ("find_records", False),
    ]
    ids = {short: people[short].id for short in people}
    assert [e.staff_id for e in entries] == [
        ids[s] for s in ("jo", "sam", "jo", "sam", "sam", "jo", "sam", "pat", "sid", "jo", "sam")
    ]
    assert all(e.case_reference == "ZW25P01234" for e in entries[:-1]) and entries[-1].case_reference is None
    assert all(e.record_id == saved.id for e in entries[:8])
    assert all(e.reason and e.occurred_at == START for e in entries)
    assert entries[7].reason.startswith("You cannot see record")
    assert (entries[7].channel, entries[7].external_id) == ("telegram", "203")


MALFORMED = [
    "",
    "   ",
    "ZW25P0123",
    "ZW25P012345",
    "ZW25P01234 X",
    "Z W25P01234",
    "'; DROP TABLE cases; --",
    "ZW25P01234' OR '1'='1",
    "<script>alert(1)</script>",
    "ZW25P01234<b>",
    "A" * 10_240,
    "ZW25P0123\x00",
    "ZW\u0662\u0665P01234",
    "\uff3a\uff3725P01234",
    "ZW25\u0131\u00b901234",
    None,
    1234567890,
]


@pytest.mark.parametrize("reference", MALFORMED, ids=lambda r: repr(r)[:24])
def test_malformed_case_references_are_refused_and_nothing_stored(casefile, people, reference):
    with pytest.raises(InvalidCaseReference) as refusal:
        record(casefile, people, case=reference)
    message = str(refusal.value)
    assert "ZW25P01234" in message and "<" not in message and "DROP" not in message
    with pytest.raises(InvalidCaseReference):
        casefile.secure_file(people.id_of("sam"), reference, "SCR")
    if reference is not None:  # None there means "any case"
        with pytest.raises(InvalidCaseReference):
            casefile.find_records(people.id_of("sam"), case_reference=reference)
    assert [count(casefile, m) for m in (Case, DiscussionRecord, SecuredFile)] == [0, 0, 0]
    assert {(e.allowed, e.case_reference) for e in audit(casefile)} == {(False, None)}


def test_the_case_reference_pattern_is_configurable(database_url, clock):
    store = CaseFile(database_url, case_reference_pattern=r"^\d{8}$", clock=clock)
    try:
        sam = store.staff.add("Sam Patel", "service_manager", "North", {"telegram": "101"}, operator=OPERATOR)
        store.staff.add("Jo Bloggs", "practitioner", "North", {"telegram": "201"}, operator=OPERATOR)
        saved = store.record_discussion(
            ("telegram", "201"), " 12345678 ", POINTS, "Jo Bloggs", sam.id, START - HOUR, START - HOUR, "k"
        )
        assert saved.case_reference == "12345678"
        with pytest.raises(InvalidCaseReference, match=r"matches \^\\d\{8\}\$"):
            store.find_records(("telegram", "101"), case_reference="ZW25P01234")
    finally:
        store.database.dispose()

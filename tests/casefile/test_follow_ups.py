"""Follow-ups from a record's point 10 and a referral's deadlines, their reminders (once each, across servers), done
and more time, and the managers' oversight, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from casefile import AccessRefused, CaseFile, InvalidEntry
from casefile.follow_ups import actions_in, due_from, referral_deadlines
from casefile.models import AuditEntry, Notification, Reminder
from knowledge.moments import LONDON
from tests.casefile.conftest import START, count, rows
from tests.casefile.test_store import POINTS, record

HOUR = timedelta(hours=1)
# Tuesday 10 June 2025, 10:00 in London (BST).
AGREED = datetime(2025, 6, 10, 10, 0, tzinfo=LONDON)


def test_actions_are_read_with_whose_they_are_and_when_they_are_due():
    found = actions_in(
        "I will make the referral by 4pm; SM to check the outcome on Thursday. Kate is calling the school now.",
        AGREED,
        ("sam",),
    )
    assert [(a.owner, a.due_at.astimezone(LONDON)) for a in found] == [
        ("practitioner", datetime(2025, 6, 10, 16, 0, tzinfo=LONDON)),
        ("manager", datetime(2025, 6, 12, 17, 0, tzinfo=LONDON)),
        ("practitioner", datetime(2025, 6, 10, 11, 0, tzinfo=LONDON)),
    ]
    assert actions_in("Sam to review at 2.30", AGREED, ("sam",))[0].owner == "manager"
    assert due_from("Sam to review at 2.30", AGREED).astimezone(LONDON).hour == 14
    assert due_from("Keep in touch with the school", AGREED) is None


def test_working_days_and_bank_holidays_set_the_due_day():
    # Thursday 24 December 2026: one working day on is Tuesday 29 December (25, 26-27, 28 are not working days).
    said = datetime(2026, 12, 24, 15, 0, tzinfo=LONDON)
    assert due_from("I will confirm in writing within one working day", said).astimezone(LONDON).date() == date(
        2026, 12, 29
    )
    deadlines = dict(referral_deadlines(said))
    assert deadlines["Written confirmation to LACSC (2.103)"].astimezone(LONDON).date() == date(2026, 12, 29)
    assert deadlines["Followed up in writing within 24 hours (Appendix V)"] == said + timedelta(hours=24)
    assert "Service Manager has a copy of the written confirmation (2.108)" in deadlines


def _follow_up_record(casefile, people, action="Jo to refer by 4pm today; Sam to check outcome tomorrow."):
    return record(casefile, people, points={**POINTS, "action_and_timescale": action})


def test_a_record_makes_follow_ups_and_reminders_go_out_once(casefile, people, clock):
    saved = _follow_up_record(casefile, people)
    mine = casefile.follow_ups.mine(people.id_of("jo"))
    assert [(f.description, f.owner.name) for f in mine] == [("Jo to refer by 4pm today", "Jo Bloggs")]
    assert [f.owner.name for f in casefile.follow_ups.mine(people.id_of("sam"))] == ["Sam Patel"]
    assert mine[0].record_id == saved.id
    assert casefile.follow_ups.release_reminders() == 0  # nothing is due at 10:00
    clock.now = mine[0].due_at - timedelta(hours=2)
    assert casefile.follow_ups.release_reminders() == 1
    assert casefile.follow_ups.release_reminders() == 0
    clock.now = mine[0].due_at
    assert casefile.follow_ups.release_reminders() == 1
    texts = [n.text for n in rows(casefile, Notification, Notification.staff_id == people["jo"].id)]
    reminders = [t for t in texts if t.startswith("Reminder")]
    assert len(reminders) == 2
    assert all("ZW25P01234" in t and "Jo" not in t and "Sam" not in t for t in reminders)


def test_done_and_more_time_are_audited_and_stop_or_move_the_reminders(casefile, people, clock):
    _follow_up_record(casefile, people)
    first = casefile.follow_ups.mine(people.id_of("jo"))[0]
    with pytest.raises(InvalidEntry):
        casefile.follow_ups.more_time(people.id_of("jo"), first.id, first.due_at - HOUR, "no")
    later = first.due_at + timedelta(days=1)
    moved = casefile.follow_ups.more_time(people.id_of("jo"), first.id, later, "LA duty line closed")
    assert moved.due_at == later
    clock.now = first.due_at
    assert casefile.follow_ups.release_reminders() == 0  # the reminders of the earlier due time are void
    with pytest.raises(AccessRefused):
        casefile.follow_ups.mark_done(people.id_of("pat"), first.id)  # another team
    done = casefile.follow_ups.mark_done(people.id_of("jo"), first.id)
    assert done.done_by.name == "Jo Bloggs"
    clock.now = later
    casefile.follow_ups.release_reminders()
    assert not [n for n in rows(casefile, Notification) if f"follow-up {first.id} " in n.text and n.created_at > START]
    actions = [e.action for e in rows(casefile, AuditEntry) if e.allowed]
    assert "follow_up_more_time" in actions and "follow_up_done" in actions
    assert count(casefile, AuditEntry, AuditEntry.action == "follow_up_done", AuditEntry.allowed.is_(False)) == 1


def test_two_servers_releasing_at_once_send_each_reminder_once(database_url, casefile, people, clock):
    _follow_up_record(casefile, people)
    clock.now = START + timedelta(days=3)
    servers = [CaseFile(database_url, clock=clock) for _ in range(2)]
    for server in servers:
        server.staff.find_by_identity("telegram", "201")  # opened (and migrated) before the race, one at a time
    barrier = threading.Barrier(2)
    released = []

    def release(server):
        barrier.wait()
        released.append(server.follow_ups.release_reminders())

    threads = [threading.Thread(target=release, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for server in servers:
        server.database.dispose()
    total = count(casefile, Reminder)
    assert sum(released) == total
    assert count(casefile, Notification, Notification.text.like("Reminder%")) == total


def test_referral_deadlines_become_the_practitioners_follow_ups(casefile, people, clock):
    saved = record(casefile, people)
    made_at = START - HOUR
    made = casefile.follow_ups.add_referral_deadlines(people.id_of("sam"), saved.id, made_at)
    assert {f.kind for f in made} == {"referral_confirmation"}
    assert {f.owner.name for f in made} == {"Jo Bloggs"}
    assert any("(2.103)" in f.description for f in made)
    with pytest.raises(AccessRefused):
        casefile.follow_ups.add_referral_deadlines(people.id_of("ned"), saved.id, made_at)


def test_the_manager_sees_waiting_overdue_and_the_team_only(casefile, people, clock):
    saved = _follow_up_record(casefile, people)
    record(casefile, people, by="pat", practitioner="pat", manager="sue", case="ZW25P09999")
    waiting = casefile.oversight.waiting_for_me(people.id_of("sam"))
    assert [r.id for r in waiting.to_agree] == [saved.id] and waiting.overdue == ()
    clock.now = START + timedelta(days=3)
    overview = casefile.oversight.team_overview(people.id_of("sam"))
    assert [r.id for r in overview.awaiting_too_long] == [saved.id]
    assert len(overview.overdue) == 2 and all(f.case_reference == "ZW25P01234" for f in overview.overdue)
    jo_follow_up = casefile.follow_ups.mine(people.id_of("jo"))[0]
    casefile.follow_ups.mark_done(people.id_of("jo"), jo_follow_up.id)
    assert len(casefile.oversight.team_overview(people.id_of("sam")).overdue) == 1
    with pytest.raises(AccessRefused):
        casefile.oversight.team_overview(people.id_of("jo"))
    assert {e.action for e in rows(casefile, AuditEntry)} >= {"view_waiting", "view_team_overview"}


def test_queries_by_status_include_cases_without_an_agreed_record(casefile, people, clock):
    first = record(casefile, people)
    second = record(casefile, people, case="ZW25P05555")
    casefile.agree(people.id_of("sam"), first.id)
    sam = people.id_of("sam")
    assert [r.id for r in casefile.oversight.query(sam, status="without_agreed_record")] == [second.id]
    assert [r.id for r in casefile.oversight.query(sam, status="agreed")] == [first.id]
    assert [r.id for r in casefile.oversight.query(sam, case_reference="ZW25P05555")] == [second.id]
    assert len(casefile.oversight.query(sam, practitioner="Jo Bloggs", since=date(2025, 6, 1))) == 2
    assert casefile.oversight.query(sam, until=date(2025, 6, 1)) == []
    assert casefile.oversight.query(people.id_of("sue")) == []  # another team's manager sees none of them
    with pytest.raises(InvalidEntry):
        casefile.oversight.query(sam, status="lost")


def test_the_weekly_digest_goes_once_to_each_manager(casefile, people, clock):
    record(casefile, people)
    clock.now = datetime(2025, 6, 16, 7, 0, tzinfo=timezone.utc)  # Monday 08:00 in London
    assert casefile.oversight.release_digests(weekday=0, hour=9) == 0
    clock.now = datetime(2025, 6, 16, 8, 30, tzinfo=timezone.utc)
    assert casefile.oversight.release_digests(weekday=0, hour=9) == 3  # Sam, Sue and Sid
    assert casefile.oversight.release_digests(weekday=0, hour=9) == 0
    digest = next(n.text for n in rows(casefile, Notification) if n.text.startswith("Weekly digest for team North"))
    assert "1 record(s) awaiting agreement for more than one working day" in digest
    assert "1 discussion(s) recorded last week" in digest
    assert count(casefile, AuditEntry, AuditEntry.action == "weekly_digest") == 3

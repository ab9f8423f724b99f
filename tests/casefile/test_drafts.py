"""Drafts of case-file tasks: their owner's alone, emptied only when their record is saved, deleted when stopped,
purged when old; and an amendment to an agreed record asks for agreement again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from casefile import InvalidEntry, NotFound
from casefile.models import AuditEntry, Draft
from tests.casefile.conftest import OPERATOR, START, count, rows
from tests.casefile.test_store import HOUR, POINTS

ANSWERS = {"case_reference": "ZW25P01234", "point_nature_of_concerns": "Mother says father pushed her"}


def test_a_draft_is_read_and_changed_by_its_owner_only(casefile, people):
    jo, ned, sam = people.id_of("jo"), people.id_of("ned"), people.id_of("sam")
    draft_id = casefile.drafts.start(jo, "record", ANSWERS)
    assert len(draft_id) == 32 and draft_id != casefile.drafts.start(jo, "record")
    assert casefile.drafts.read(jo, draft_id).answers == ANSWERS
    answers = casefile.drafts.update(jo, draft_id, {"point_level_of_risk": "recent", "case_reference": None})
    assert answers == {"point_nature_of_concerns": ANSWERS["point_nature_of_concerns"], "point_level_of_risk": "recent"}
    for other in (ned, sam):
        with pytest.raises(NotFound) as someone_elses:
            casefile.drafts.read(other, draft_id)
        with pytest.raises(NotFound):
            casefile.drafts.update(other, draft_id, {"point_level_of_risk": "previous"})
        with pytest.raises(NotFound):
            casefile.drafts.discard(other, draft_id)
        with pytest.raises(NotFound) as missing:
            casefile.drafts.read(other, "0" * 32)
        assert str(someone_elses.value) == str(missing.value), "someone else's draft looks like a missing one"
    assert casefile.drafts.read(jo, draft_id).answers["point_level_of_risk"] == "recent"
    refused = rows(casefile, AuditEntry, AuditEntry.action.in_(["read_draft", "update_draft", "discard_draft"]))
    assert len(refused) == 6 and not any(e.allowed for e in refused)
    assert all(ANSWERS["point_nature_of_concerns"] not in e.reason for e in refused)
    assert casefile.drafts.discard(jo, draft_id) and not casefile.drafts.discard(jo, draft_id)
    with pytest.raises(NotFound):
        casefile.drafts.read(jo, draft_id)


def test_bad_answers_change_nothing(casefile, people):
    jo = people.id_of("jo")
    draft_id = casefile.drafts.start(jo, "record", ANSWERS)
    for bad in ({"x" * 41: "a"}, {"point_future_work": ["a list"]}, {"point_future_work": "x" * 20_001}):
        with pytest.raises(InvalidEntry):
            casefile.drafts.update(jo, draft_id, bad)
    assert casefile.drafts.read(jo, draft_id).answers == ANSWERS


def save(casefile, people, draft_id, key="msg-draft"):
    return casefile.record_discussion(
        people.id_of("jo"),
        "ZW25P01234",
        POINTS,
        people["jo"].id,
        people["sam"].id,
        START - HOUR,
        START - 3 * HOUR,
        key,
        draft_id=draft_id,
    )


def test_a_draft_survives_a_save_that_fails_and_keeps_no_answers_once_saved(casefile, people):
    jo = people.id_of("jo")
    draft_id = casefile.drafts.start(jo, "record", ANSWERS)

    def crash(session):
        raise ConnectionError("the database went away at commit")

    event.listen(Session, "before_commit", crash)
    try:
        with pytest.raises(ConnectionError):
            save(casefile, people, draft_id)
    finally:
        event.remove(Session, "before_commit", crash)
    assert casefile.find_records(jo) == []
    assert casefile.drafts.read(jo, draft_id).answers == ANSWERS, "nothing confirmed is lost"

    record = save(casefile, people, draft_id)
    saved = casefile.drafts.read(jo, draft_id)
    assert (saved.answers, saved.saved_record_id) == ({}, record.id)
    with pytest.raises(InvalidEntry):
        casefile.drafts.update(jo, draft_id, {"point_future_work": "more"})
    assert save(casefile, people, draft_id).id == record.id  # the same Save again: the first record
    assert not casefile.drafts.discard(jo, draft_id, keep_saved=True)
    assert casefile.drafts.discard(jo, draft_id)


def test_someone_elses_draft_is_not_touched_by_a_save(casefile, people):
    ned_draft = casefile.drafts.start(people.id_of("ned"), "record", ANSWERS)
    save(casefile, people, ned_draft)
    assert casefile.drafts.read(people.id_of("ned"), ned_draft).answers == ANSWERS


def test_drafts_older_than_the_retention_are_purged_and_the_purge_audited(casefile, people, clock):
    jo, sam = people.id_of("jo"), people.id_of("sam")
    old = casefile.drafts.start(jo, "record", ANSWERS)
    changed = casefile.drafts.start(jo, "record", ANSWERS)
    stale = casefile.drafts.start(sam, "agree", {"chosen_record": "1"})
    clock.now = START + timedelta(days=40)
    casefile.drafts.update(jo, changed, {"point_level_of_risk": "recent"})  # its age counts from its last change
    recent = casefile.drafts.start(sam, "amend", {"chosen_record": "1"})
    clock.now = START + timedelta(days=65)
    assert casefile.drafts.purge(OPERATOR, timedelta(days=30)) == 2
    assert {d.id for d in rows(casefile, Draft)} == {changed, recent}
    assert old != stale
    with pytest.raises(InvalidEntry):
        casefile.drafts.purge(OPERATOR, timedelta(0))
    [entry] = rows(casefile, AuditEntry, AuditEntry.action == "purge_drafts", AuditEntry.allowed.is_(True))
    assert entry.external_id == OPERATOR.external_id and entry.reason.startswith("purged 2 draft(s)")
    assert count(casefile, Draft) == 2


def test_an_amendment_to_an_agreed_record_asks_for_agreement_again(casefile, people, clock):
    jo, sam = people.id_of("jo"), people.id_of("sam")
    record = save(casefile, people, None)
    clock.now = START + HOUR
    agreed = casefile.agree(sam, record.id)
    assert agreed.agreed
    clock.now = START + 2 * HOUR
    amended = casefile.amend(jo, record.id, "where_child_is_now", "At school", "left out by mistake")
    assert not amended.agreed and amended.status == "awaiting agreement"
    [earlier] = amended.earlier_agreements
    assert (earlier.agreed_by.name, earlier.agreed_at, earlier.withdrawn_at) == (
        "Sam Patel",
        START + HOUR,
        START + 2 * HOUR,
    )
    assert amended.point("where_child_is_now").amendments[0].after_agreement
    notified = [n.text for n in casefile.pending_notifications("telegram") if n.staff_name == "Sam Patel"]
    assert notified[-1] == (
        f"Jo Bloggs amended the record of your discussion on ZW25P01234 (record {record.id}) after it was agreed, so "
        "it is no longer agreed: Jo Bloggs asks you to agree it again (Framework 2.82)."
    )
    assert [r.id for r in casefile.find_records(sam, awaiting_my_agreement=True)] == [record.id]
    clock.now = START + 3 * HOUR
    again = casefile.agree(sam, record.id)
    assert again.agreed and again.agreed_at == START + 3 * HOUR and len(again.earlier_agreements) == 1
    history = [
        (e.action, e.reason)
        for e in rows(casefile, AuditEntry, AuditEntry.record_id == record.id, AuditEntry.allowed.is_(True))
        if e.action in ("agree", "amend")
    ]
    assert [action for action, _ in history] == ["agree", "amend", "agree"]
    assert "withdrawn and Sam Patel asked to agree again" in history[1][1]
    assert history[2][1] == "agreed the record again, after its amendment"
    exported = casefile.export(jo, record_id=record.id, fmt="txt").content.decode()
    assert "Earlier agreement: Sam Patel" in exported and "no longer stands" in exported

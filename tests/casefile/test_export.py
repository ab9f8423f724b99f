"""Exports fit for the case file: DOCX that opens in python-docx and plain text, with every point, name and time."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import docx
import pytest

from casefile import InvalidEntry, NotFound
from casefile.export import summary
from casefile.points import POINTS as POINT_LABELS
from tests.casefile.conftest import START
from tests.casefile.test_store import HOUR, POINTS, record


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_docx_export_opens_and_holds_the_whole_record(casefile, people, clock):
    saved = record(
        casefile,
        people,
        points={**POINTS, "other_children": None},
        discussed_at=START - 2 * HOUR,
        identified_at=START - 30 * HOUR,
    )
    clock.now = START + HOUR
    casefile.agree(people.id_of("sam"), saved.id, {"where_child_is_now": "With maternal grandmother, Leeds."})
    document = casefile.export(people.id_of("sam"), record_id=saved.id)
    assert document.filename == f"ZW25P01234-record-{saved.id}.docx"
    assert document.media_type.endswith("wordprocessingml.document")
    text = docx_text(document.content)
    for expected in (
        "ZW25P01234",
        "Jo Bloggs (practitioner, North)",
        "Sam Patel (Service Manager, North)",
        "Discussion took place: 10 June 2025 08:00 BST",
        "Concern first identified: 9 June 2025 04:00 BST",
        "Recorded by: Jo Bloggs (practitioner, North) on 10 June 2025 10:00 BST",
        "Agreed by: Sam Patel (Service Manager, North) on 10 June 2025 11:00 BST",
        "Framework 2.81-2.82",
        "Status: Agreed",
    ):
        assert expected in text, expected
    for key, label in POINT_LABELS:
        assert f"{label}: " in text, key
    for key, answer in POINTS.items():
        if key not in ("level_of_risk", "referral_grounds", "other_children", "where_child_is_now"):
            assert answer in text, key
    assert "level of risk identified: Recent" in text
    assert (
        "Either because the child and family may be in need of services or because the child is, or may be at "
        "risk of suffering significant harm: The child is, or may be at risk of suffering significant harm"
    ) in text
    assert "possible need for referral: Not discussed" in text
    assert "Where the child is now: With maternal grandmother, Leeds." in text
    assert f"Originally recorded: {POINTS['where_child_is_now']}" in text
    assert "by Sam Patel (Service Manager, North) when agreeing the record" in text
    assert "SECURED" not in text
    assert "Exported on 10 June 2025 11:00 BST by Sam Patel (Service Manager, North)" in text


def test_text_export_of_a_secured_case_shows_the_banner_and_later_recordings_apart(casefile, people, clock):
    clock.now = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)  # GMT
    first = record(casefile, people, discussed_at=clock.now - HOUR)
    second = record(casefile, people, practitioner="ned", by="ned", discussed_at=clock.now - HOUR / 2)
    clock.now += timedelta(days=1)
    casefile.secure_file(people.id_of("sid"), "ZW25P01234", "SCR notification received")
    casefile.add_later_recording(people.id_of("jo"), "ZW25P01234", "Telephone call from school.", date(2025, 1, 14))
    document = casefile.export(people.id_of("sam"), case_reference="zw25p01234", fmt="txt")
    assert document.filename == "ZW25P01234-discussions.txt"
    text = document.content.decode()
    assert text.index("SECURED CASE FILE") < text.index(f"Record {first.id}") < text.index(f"Record {second.id}")
    assert "secured on 16 January 2025 12:00 GMT by Sid Rao (Senior Manager, South)" in text
    assert (
        '"The files and notes must be secured in the form in which they existed at the time of the notification '
        'of the review."'
    ) in text
    later = text.index("Later recordings (Framework 3.45)")
    assert later > text.index(f"Record {second.id}")
    assert "Date this recording was made: 16 January 2025 12:00 GMT" in text[later:]
    assert "Date of the events: 14 January 2025" in text[later:]
    assert "Telephone call from school." in text[later:]
    assert "Not yet agreed: awaiting Sam Patel (Service Manager, North)" in text
    docx_version = docx_text(casefile.export(people.id_of("sam"), case_reference="ZW25P01234").content)
    assert "SECURED CASE FILE" in docx_version and "Telephone call from school." in docx_version


def test_a_practitioner_exports_only_what_they_may_see(casefile, people):
    record(casefile, people)
    record(casefile, people, practitioner="ned", by="ned", points={"nature_of_concerns": "Ned's concern"})
    text = casefile.export(people.id_of("jo"), case_reference="ZW25P01234", fmt="txt").content.decode()
    assert POINTS["nature_of_concerns"] in text and "Ned's concern" not in text
    with pytest.raises(NotFound):
        casefile.export(people.id_of("pat"), case_reference="ZW25P01234")


def test_export_requests_are_checked(casefile, people):
    saved = record(casefile, people)
    for kwargs, message in (
        ({}, "either one record or one case"),
        ({"record_id": saved.id, "case_reference": "ZW25P01234"}, "either one record or one case"),
        ({"record_id": saved.id, "fmt": "pdf"}, "docx, txt"),
    ):
        with pytest.raises(InvalidEntry, match=message):
            casefile.export(people.id_of("sam"), **kwargs)


def test_summary_for_a_conversation(casefile, people):
    saved = record(casefile, people, points={"nature_of_concerns": "Bruising", "level_of_risk": "immediate"})
    text = summary(saved)
    assert text.startswith(f"Record {saved.id}: discussion on 10 June 2025 09:00 BST")
    assert "Status: Awaiting agreement" in text and "    Immediate" in text
    assert text.count("Not discussed") == len(POINT_LABELS) - 2

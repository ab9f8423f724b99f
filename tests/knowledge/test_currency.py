"""The "since then" notes: loaded and validated, found wherever a quote names a 2007 body, kept apart from quotes."""

import copy

import pytest
import yaml

from knowledge.answers import passages_answer
from knowledge.currency import CURRENCY, HEADING, load_currency, parse_currency, since_then, since_then_lines
from knowledge.framework import FrameworkDataError, load_framework
from knowledge.topics import topic_answer

# The bodies and processes of 2007 the notes must cover, with a passage of the Framework that names each.
NAMED_IN = {
    "gscc": "4.25",
    "child_protection_register": "2.85",
    "lscb": "2.68",
    "serious_case_review": "3.40",
    "crb": "4.27",
    "contactpoint": "3.62",
    "fax": "2.103",
    "working_together_2006": "2.70",
}
# What replaced each, and an authority with its date, as the notes must say.
REPLACED = {
    "gscc": ("Social Work England", "Children and Social Work Act 2017"),
    "child_protection_register": ("child protection plan", "1 April 2008"),
    "lscb": ("safeguarding partners", "Working Together to Safeguard Children 2018"),
    "serious_case_review": ("child safeguarding practice reviews", "Children and Social Work Act 2017"),
    "crb": ("Disclosure and Barring Service", "Protection of Freedoms Act 2012"),
    "contactpoint": ("decommissioned", "2010"),
    "fax": ("secure", "Working Together to Safeguard Children 2023"),
    "working_together_2006": ("Working Together to Safeguard Children 2023", "2023"),
}


def test_the_edition_is_march_2007():
    assert load_currency().edition == "Cafcass Safeguarding Framework, March 2007"


@pytest.mark.parametrize("name, ref", NAMED_IN.items())
def test_each_2007_body_has_a_sourced_note_found_where_the_framework_names_it(name, ref):
    notes = {note.name: note for note in load_currency().notes}
    note = notes[name]
    assert note.named_in(load_framework().text_of(ref))
    replaced, source = REPLACED[name]
    assert replaced in note.since_then or replaced in note.replaced_by
    assert any(source in s for s in note.sources) or source in note.since_then
    assert name in [n.name for n in since_then([load_framework().text_of(ref)])]


def test_text_naming_no_2007_body_gets_no_note():
    assert since_then(["The practitioner must keep a record of the telephone conversation."]) == []
    assert since_then_lines(["The practitioner must keep a record of the telephone conversation."]) == []


def test_the_note_stands_apart_from_the_quotes_under_its_own_heading():
    answer = passages_answer(["4.25"]).text
    quote, notes = answer.split(HEADING)
    assert "Where staff are registered with the General Social Care Council (GSCC)" in quote
    assert "Social Work England" not in quote and "Social Work England" in notes
    topic = topic_answer("allegations_against_staff").text
    assert topic.index(HEADING) > topic.index("GSCC")
    assert "Social Work England" not in topic[: topic.index(HEADING)]


def raw():
    return yaml.safe_load(CURRENCY.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["notes"]["gscc"].update(sources=["Children and Social Work Act"]), "with its date"),
        (lambda d: d["notes"]["crb"].update(mentions=["Vetting Agency"]), "crb: the Framework never names it"),
        (lambda d: d["notes"]["fax"].pop("since_then"), "fax: needs body"),
        (lambda d: d["notes"]["lscb"].update(mentions=["(LSCB"]), "lscb: bad pattern"),
        (lambda d: d.pop("edition"), "must give the edition"),
    ],
)
def test_invalid_notes_fail_loudly(change, message):
    data = copy.deepcopy(raw())
    change(data)
    with pytest.raises(FrameworkDataError, match=message):
        parse_currency(data)

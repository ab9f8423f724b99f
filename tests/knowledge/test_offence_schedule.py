"""Tests of the Appendix II offence schedule: parsed as printed, validated on load, and looked up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.offence_schedule import (
    ALIASES,
    DATA,
    SOURCE,
    OffenceScheduleError,
    load_aliases,
    load_schedule,
    lookup,
    parse_schedule,
    schedule_guidance,
)

ROOT = Path(__file__).resolve().parents[2]
OAPA = "Offences Against the Person Act 1861"
SOA56 = "Sexual Offences Act 1956"
SOA03 = "Sexual Offences Act 2003"
ROWS = load_schedule().rows


def key(section: str, act: str) -> str:
    return f"{section}, {act}"


def best_key(query: str) -> str | None:
    best = lookup(query).best
    return best.row.key if best else None


# --- Parsing Appendix II exactly as printed --------------------------------------------------


@pytest.fixture(scope="module")
def parsed() -> dict:
    return parse_schedule(SOURCE.read_text(encoding="utf-8"))


def test_the_table_has_the_118_rows_printed(parsed):
    # Counted by hand in the Framework: 6 Common Law rows and 112 statutory rows.
    assert len(parsed["rows"]) == parsed["expected_row_count"] == 118
    assert sum(r["section"] == "Common Law" for r in parsed["rows"]) == 6


def test_first_and_last_rows_are_as_printed(parsed):
    assert parsed["rows"][0] == {"offence": "Murder", "section": "Common Law", "act": None}
    assert parsed["rows"][-1] == {
        "offence": "Trafficking people for exploitation",
        "section": "Section 4",
        "act": "Asylum and Immigration (Treatment of Claimants, etc)",
    }


def test_a_row_split_across_lines_is_merged(parsed):
    assert {
        "offence": "Permitting defective to use premises for intercourse",
        "section": "Section 27",
        "act": SOA56,
    } in parsed["rows"]
    assert not any(r["offence"] in ("intercourse", "Permitting defective to use premises for") for r in parsed["rows"])


@pytest.mark.parametrize(
    "row",
    [
        {"offence": "Assault or battery", "section": "Common Law", "act": None},
        {"offence": "Indecent exposure", "section": "Section 4", "act": "Vagrancy Act 1824"},
        {"offence": "Indecent exposure", "section": "Section 28", "act": "Town Police Clauses Act 1847"},
        {
            "offence": "Wounding and causing grievous bodily harm: Wounding with intent",
            "section": "Section 18",
            "act": OAPA,
        },
        {"offence": "Buggery where the victim is under 16*", "section": "Section 12", "act": SOA56},
        {
            "offence": "Child sex offences committed by a children or young persons",
            "section": "Section 13",
            "act": SOA03,
        },
        {"offence": "Cruelty to children", "section": "Section 1", "act": "Children and Young Persons Act 1933"},
        {"offence": "Abuse of Trust", "section": "Section 3", "act": "Sexual Offences (Amendment) Act 2000"},
        {
            "offence": "Traffic in prostitution",
            "section": "Section 145",
            "act": "Nationality, Immigration and Asylum Act 2002",
        },
        {
            "offence": "Aiding, abetting, counselling or procuring the suicide of a child or young person.",
            "section": "Section 2",
            "act": "Suicide Act 1961",
        },
    ],
)
def test_rows_keep_the_schedule_wording(parsed, row):
    assert row in parsed["rows"]


def test_the_notes_are_verbatim(parsed):
    assert parsed["notes"] == [
        "A reference to an offence in this list includes: a reference to an attempt, conspiracy or incitement "
        "to commit that offence; and a reference to aiding, abetting, counselling or procuring the commission "
        "of that offence.",
        "Unless stated otherwise, the victim of the offences listed above will be under 18",
        "Cautions and discharges for the offences listed above will apply",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "The term ‘Risk to Children’ should be adopted for those persons who have been identified as posing an ongoing risk to a child.",
        "The term ‘Schedule 1 offender’ is no longer to be used within the context of assessing risks posed to children",
        "The revised list of offences, below, should not be deemed exhaustive, or used purely as a ‘trigger’ to denote risk.",
        "then the Child Welfare (Protection) procedure must be followed based on a careful assessment of the child’s position.",
        "Where there is any concern at all, a referral to the Local Authority Children’s Social Care should be made.",
    ],
)
def test_the_guidance_before_the_table_is_verbatim(parsed, sentence):
    assert any(sentence in paragraph for paragraph in parsed["guidance"])
    assert any(sentence in paragraph for paragraph in schedule_guidance()["guidance"])


def test_schedule_guidance_gives_notes_and_citation():
    guidance = schedule_guidance()
    assert guidance["citation"] == "Appendix II"
    assert guidance["title"] == "Adults who pose a risk to children"
    assert "Cautions and discharges for the offences listed above will apply" in guidance["notes"]


def test_the_json_on_disk_is_the_current_source_and_commit_ready(parsed):
    text = DATA.read_text(encoding="utf-8")
    data = json.loads(text)
    assert (
        data["rows"] == parsed["rows"] and data["notes"] == parsed["notes"] and data["guidance"] == parsed["guidance"]
    )
    assert text == json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def test_parse_fails_loudly_without_appendix_ii():
    with pytest.raises(OffenceScheduleError, match="cannot find Appendix II"):
        parse_schedule("Cafcass Safeguarding Framework\n2.1 Some paragraph.\n")


def test_parse_rejects_an_unexpected_section_cell():
    text = "Adults who pose a risk to children\nOffence\tSection\tAct\nMurder\tSect. 9\tSome Act\nNotes:\n- a note\n"
    with pytest.raises(OffenceScheduleError, match="unexpected Section cell"):
        parse_schedule(text)


# --- Loading fails loudly on bad data --------------------------------------------------------


def tampered(tmp_path: Path, change) -> Path:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "offence_schedule.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_fails_when_a_row_is_lost(tmp_path):
    path = tampered(tmp_path, lambda d: d["rows"].pop(40))
    with pytest.raises(ValueError, match="117 rows but the Framework's table has 118"):
        load_schedule(path)


def test_load_fails_when_a_row_is_added(tmp_path):
    path = tampered(
        tmp_path, lambda d: d["rows"].append({"offence": "Theft", "section": "Section 1", "act": "Theft Act 1968"})
    )
    with pytest.raises(ValueError, match="119 rows"):
        load_schedule(path)


def test_load_fails_on_an_empty_offence(tmp_path):
    path = tampered(tmp_path, lambda d: d["rows"][3].update(offence=" "))
    with pytest.raises(ValueError, match="row 4 has no offence"):
        load_schedule(path)


def test_load_fails_on_a_row_without_section(tmp_path):
    path = tampered(tmp_path, lambda d: d["rows"][10].update(section=""))
    with pytest.raises(ValueError, match=r"row 11 \(.*\) has no section"):
        load_schedule(path)


def test_load_fails_when_the_source_has_changed(tmp_path):
    path = tampered(tmp_path, lambda d: d.update(source_sha256="0" * 64))
    with pytest.raises(ValueError, match="stale"):
        load_schedule(path)


def test_aliases_must_name_real_rows(tmp_path):
    data = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))
    data["aliases"]["theft"] = ["Section 1, Theft Act 1968"]
    path = tmp_path / "aliases.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="'theft' names rows not in Appendix II"):
        load_aliases(load_schedule(), path)


def test_an_alias_must_say_something(tmp_path):
    data = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))
    data["aliases"]["the offence"] = ["Murder, Common Law"]
    path = tmp_path / "aliases.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="'the offence' has no words that tell offences apart"):
        load_aliases(load_schedule(), path)


def test_aliases_acts_must_be_printed_in_the_schedule(tmp_path):
    data = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))
    data["acts"]["Road Traffic Act 1988"] = ["RTA"]
    path = tmp_path / "aliases.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="'Road Traffic Act 1988' is not an Act the schedule prints"):
        load_aliases(load_schedule(), path)


def test_importing_builds_nothing():
    code = "import sys, knowledge.offence_schedule; print('spacy' in sys.modules, 'rapidfuzz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- Every row, by name and by statute reference ---------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=[r.key for r in ROWS])
def test_every_row_is_found_by_its_exact_name(row):
    result = lookup(row.offence)
    assert row in [m.row for m in result.candidates]
    assert all(m.row.citation == "Appendix II" for m in result.matches)


@pytest.mark.parametrize("row", ROWS, ids=[r.key for r in ROWS])
def test_every_row_is_found_by_its_statute_reference(row):
    if row.act is None:
        queries = [f"{row.offence} - Common Law"]
    else:
        number = row.section.split()[1]
        queries = [f"{row.section} {row.act}", f"s.{number} {row.act}", f"{row.act} s{number}"]
    for query in queries:
        result = lookup(query)
        assert result.best is not None and result.best.row == row, query
        assert not result.ambiguous, query


# --- Statute references in the forms police checks use ---------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("s47 OAPA", key("Section 47", OAPA)),
        ("s.47 OAPA 1861", key("Section 47", OAPA)),
        ("S 47 Offences Against the Person Act", key("Section 47", OAPA)),
        ("section 1 CYPA 1933", key("Section 1", "Children and Young Persons Act 1933")),
        (
            "section 1 of the Children and Young Persons Act 1933",
            key("Section 1", "Children and Young Persons Act 1933"),
        ),
        ("Sexual Offences Act 2003 s.9", key("Section 9", SOA03)),
        ("SOA 2003 s9", key("Section 9", SOA03)),
        ("S.O.A. 2003 s.9(1)(a)", key("Section 9", SOA03)),
        ("Sexual Offenses Act 2003 s.9", key("Section 9", SOA03)),
        ("SOA56 s5", key("Section 5", SOA56)),
        ("S.1 PCA 1978", key("Section 1", "Protection of Children Act 1978")),
        ("CJA 1988 s160", key("Section 160", "Criminal Justice Act 1988")),
        ("s.49 Children Act 1989", key("Section 49", "Children Act 1989")),
        (
            "Asylum and Immigration (Treatment of Claimants, etc.) Act 2004 s4",
            key("Section 4", "Asylum and Immigration (Treatment of Claimants, etc)"),
        ),
    ],
)
def test_statute_references(query, expected):
    result = lookup(query)
    assert result.best.row.key == expected
    assert not result.ambiguous


def test_a_section_of_an_act_not_on_the_schedule_is_no_match():
    assert not lookup("Possess controlled drug Class B - MDA 1971 s.5(2)").found
    assert not lookup("Theft Act 1968 s1").found


# --- Ambiguous queries list every candidate ---------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("rape", {key("Section 1", SOA56), key("Section 1", SOA03)}),
        ("section 47", {key("Section 47", OAPA), key("Section 47", SOA03)}),
        ("infanticide", {"Infanticide, Common Law", key("Section 1", "Infanticide Act 1938")}),
        (
            "indecent exposure",
            {key("Section 4", "Vagrancy Act 1824"), key("Section 28", "Town Police Clauses Act 1847")},
        ),
        ("GBH", {key("Section 18", OAPA), key("Section 20", OAPA)}),
        ("incest", {key("Section 10", SOA56), key("Section 11", SOA56)}),
    ],
)
def test_ambiguous_queries_list_all_candidates(query, expected):
    result = lookup(query)
    assert result.ambiguous
    assert {m.row.key for m in result.candidates} == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Rape - SOA 1956 s1 - 1994", key("Section 1", SOA56)),
        ("rape - Sexual Offences Act 2003", key("Section 1", SOA03)),
        ("indecent exposure, Vagrancy Act", key("Section 4", "Vagrancy Act 1824")),
    ],
)
def test_an_act_settles_an_ambiguous_name(query, expected):
    result = lookup(query)
    assert result.best.row.key == expected
    assert not result.ambiguous


# --- How people actually write offences -------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ABH", key("Section 47", OAPA)),
        ("assault occ abh", key("Section 47", OAPA)),
        ("GBH with intent", key("Section 18", OAPA)),
        ("GBH w/ intent", key("Section 18", OAPA)),
        ("s18 wounding", key("Section 18", OAPA)),
        ("s20 GBH", key("Section 20", OAPA)),
        ("unlawful wounding", key("Section 20", OAPA)),
        ("threatened to kill", key("Section 16", OAPA)),
        ("common assault", "Assault or battery, Common Law"),
        ("assault by beating", "Assault or battery, Common Law"),
        ("kidnap", "Kidnapping, Common Law"),
        ("falsely imprisoned", "False Imprisonment, Common Law"),
        ("child cruelty", key("Section 1", "Children and Young Persons Act 1933")),
        ("neglect", key("Section 1", "Children and Young Persons Act 1933")),
        ("indecent images", key("Section 1", "Protection of Children Act 1978")),
        ("IIOC", key("Section 1", "Protection of Children Act 1978")),
        ("possession of indecent images of children", key("Section 160", "Criminal Justice Act 1988")),
        ("grooming", key("Section 15", SOA03)),
        ("CSE", key("Section 47", SOA03)),
        ("child sexual exploitation", key("Section 47", SOA03)),
        ("child abduction by a parent", key("Section 1", "Child Abduction Act 1984")),
        ("kidnapping", "Kidnapping, Common Law"),
        ("sexual assault of a child under 13", key("Section 7", SOA03)),
        ("flashing", key("Section 66", SOA03)),
        ("voyeurism", key("Section 67", SOA03)),
        ("human trafficking", key("Section 4", "Asylum and Immigration (Treatment of Claimants, etc)")),
        ("threats to kill", key("Section 16", OAPA)),
        ("supplying drugs to a child", key("Section 4", "Misuse of Drugs Act 1971")),
        ("USI with girl under 13", key("Section 5", SOA56)),
        ("indecent assault on a female", key("Section 14", SOA56)),
        ("gross indecency with a child", key("Section 1", "Indecency with Children Act 1960")),
        ("abuse of trust", key("Section 3", "Sexual Offences (Amendment) Act 2000")),
        ("procuring a girl under 21", key("Section 23", SOA56)),
    ],
)
def test_colloquial_names_and_abbreviations(query, expected):
    assert best_key(query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("sexual activty with a chid", key("Section 9", SOA03)),
        ("sexaul assault", key("Section 3", SOA03)),
        ("manslaugter", "Manslaughter, Common Law"),
        ("voyuerism", key("Section 67", SOA03)),
        ("assault occassioning actual bodily harm", key("Section 47", OAPA)),
        ("posession of indecnet photographs of children", key("Section 160", "Criminal Justice Act 1988")),
    ],
)
def test_typos(query, expected):
    result = lookup(query)
    assert result.best.row.key == expected
    assert any("read “" in why for why in result.best.why)


@pytest.mark.parametrize(
    "query, expected",
    [
        (
            "12/03/2015 Leeds MC  ASSAULT OCCASIONING ACTUAL BODILY HARM - OAPA 1861 s.47 - Conditional discharge 12 months",
            key("Section 47", OAPA),
        ),
        (
            "Wounding with intent to do grievous bodily harm - s.18 OAPA 1861 - 6 yrs imprisonment",
            key("Section 18", OAPA),
        ),
        (
            "03/11/2009 Bradford CC SEXUAL ACTIVITY WITH A FEMALE CHILD UNDER 16 - SOA 2003 s.9(1) - 2 yrs imp",
            key("Section 9", SOA03),
        ),
        (
            "CAUTION 2012 - Possess indecent photograph/pseudo-photograph of child - CJA 1988 s.160",
            key("Section 160", "Criminal Justice Act 1988"),
        ),
    ],
)
def test_police_printout_lines(query, expected):
    result = lookup(query)
    assert result.best.row.key == expected
    assert result.best.score == 100
    assert any(why.startswith("cites Section") for why in result.best.why)


def test_a_printout_with_several_convictions_finds_each():
    printout = (
        "01/02/2005 ASSAULT OCCASIONING ACTUAL BODILY HARM - OAPA 1861 s.47\n"
        "14/06/2008 Theft (shoplifting) - Theft Act 1968 s.1\n"
        "22/09/2011 Threats to kill - OAPA 1861 s.16"
    )
    assert {m.row.key for m in lookup(printout).matches} == {key("Section 47", OAPA), key("Section 16", OAPA)}


def test_a_qualified_row_says_what_the_schedule_limits_it_to():
    best = lookup("burglary").best
    assert best.row.key == key("Section 9", "Theft Act 1968")
    assert any("with intent to rape a child" in why for why in best.why)


# --- Offences not on the schedule ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "theft",
        "shoplifting",
        "drink driving",
        "criminal damage",
        "possession of cannabis",
        "speeding",
        "fraud",
        "harassment",
        "Harassment - PHA 1997 s2",
        "Public Order Act 1986 s4",
        "stealing",
        "robbery",
        "affray",
        "breach of non-molestation order",
        "drunk and disorderly",
        "Fraud by false representation - 6 months imprisonment",
        "Theft Act 1968",
        "taking a vehicle without consent",
        "using threatening words or behaviour",
    ],
)
def test_offences_not_on_the_schedule_match_nothing(query):
    assert lookup(query).matches == ()


# --- Never raises, only returns schedule rows ---------------------------------------------------


AWKWARD = {
    "empty": "",
    "space": " ",
    "control characters": "\x00\x01\x1b[31m",
    "emoji": "🙂👶🚔",
    "section word alone": "s",
    "section alone": "section",
    "Act alone": "Act",
    "bidi and zero-width marks": "\u202e\u200bABH",
    "100 KB of one offence": "ABH " * 25_000,
    "100 KB word": "x" * 100_000,
    "100 KB of mixed text": ("Leeds MC 12/03/2015 sexual activty chid s.47 OAPA 🙂 \x07 theft (1)(a) " * 1_400)[
        :100_000
    ],
}


@pytest.mark.parametrize("query", AWKWARD.values(), ids=AWKWARD.keys())
def test_awkward_input(query):
    result = lookup(query)
    assert set(m.row for m in result.matches) <= set(ROWS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_lookup_never_raises_and_returns_only_schedule_rows(text):
    result = lookup(text)
    rows = [m.row for m in result.matches]
    assert set(rows) <= set(ROWS)
    assert len(rows) == len(set(rows))
    assert all(0 < m.score <= 100 and m.why for m in result.matches)
    assert list(result.matches) == sorted(result.matches, key=lambda m: -m.score)

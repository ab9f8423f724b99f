"""What to say when an offence is looked up against Appendix II: the rows, the Risk to Children guidance, what next."""

from __future__ import annotations

import re

from knowledge.answers import Answer, citation_line
from knowledge.framework import load_framework
from knowledge.offence_schedule import OffenceRow, lookup, rows_under_act, schedule_guidance

MAX_ROWS_SHOWN = 60
VICTIM_NOTE = "Unless stated otherwise, the victim of the offences listed above will be under 18"
_WHO = r"(?:his |her |their |a |an |the |my |your |dad's |mum's )?"
_DONE_TO = (
    r"\b(?:against|on|upon|towards|assault(?:ed|ing)?|attack(?:ed|ing)?|hit(?:ting)?|punch(?:ed|ing)?|kick(?:ed|ing)?)"
)
# An offence stated as done to an adult ("ABH against a partner", "assaulting a police officer").
ADULT_VICTIM = re.compile(
    _DONE_TO + r"\s+" + _WHO + r"(?:ex-?partner|partner|wife|husband|girlfriend|boyfriend|ex|adult|woman|man|"
    r"police ?officer|officer|pc|constable|neighbour|colleague|mother|father|mum|dad|stranger|member of the public|"
    r"emergency worker|another adult)\b"
    r"|\badult victim\b|\bvictim (?:was |is )?(?:an )?adult\b|\bvictim (?:was |is )?aged (?:1[89]|[2-9]\d)\b",
    re.IGNORECASE,
)
CHILD_VICTIM = re.compile(
    r"(?:"
    + _DONE_TO
    + r"|\band|&)\s+"
    + _WHO
    + r"(?:child|children|son|daughter|baby|boy|girl|kid|kids|stepson|stepdaughter|toddler|infant|minor|"
    r"\d{1,2} ?(?:yo|year old|-year-old))\b"
    r"|\bchild victim\b|\bvictim (?:was |is )?(?:a )?(?:child|minor)\b",
    re.IGNORECASE,
)
# Words asking whether an offence is on the schedule, or stating one as a conviction, caution or charge.
SCHEDULE_QUESTION = re.compile(
    r"\b(?:schedule(?:\s*(?:1|one|i))?|sch\.?\s*1|appendix\s*(?:ii|2)|on\s+the\s+list|listed|list\s+of\s+offences|"
    r"convict(?:ed|ions?)\s+(?:for|of)|caution(?:ed|s)?\s+(?:for|of)|charged\s+with|previous\s+for|pre-?cons?\s+for|"
    r"(?:is|was)\s+(?:it|that|this)\s+(?:a\s+)?(?:listed|scheduled|on)|does\s+(?:it|that|this)\s+count|"
    r"risk\s+to\s+children\s+offences?|what\s+offence|offences?\s+(?:is\s+that|under)|done\s+for|act\s+(?:18|19|20)\d\d)\b",
    re.IGNORECASE,
)
BARE_NAME_WORDS = 6  # a message this short that names an offence is asking about it
# Rows whose own words name a victim who may be an adult: they state otherwise.
OWN_VICTIM = re.compile(r"\b(?:woman|defective|mental disorder|under 21|any person)\b", re.IGNORECASE)


def row_line(row: OffenceRow) -> str:
    """The row exactly as Appendix II prints it: offence, section, Act (Common Law rows have no Act)."""
    return f"• {row.offence} | {row.section}" + (f" | {row.act}" if row.act else "")


def _guidance_sentences(starting: str, count: int) -> str:
    """`count` sentences of the guidance before the table, from the one that begins `starting`."""
    paragraph = next(p for p in schedule_guidance()["guidance"] if starting in p)
    sentences = paragraph[paragraph.index(starting) :].split(". ")
    return ". ".join(sentences[:count]).rstrip(".") + "."


def _notes() -> str:
    return "Notes to the list: " + " ".join(n.rstrip(".") + "." for n in schedule_guidance()["notes"])


def _next_steps() -> list[str]:
    fw = load_framework()
    p267 = fw.paragraph("2.67").text
    p281 = fw.paragraph("2.81").text
    return [
        "• " + p267[p267.index("Where significant harm") :].split(". ")[0] + ". (2.67)",
        "• " + p281.split(". ")[0] + ". (2.81)",
    ]


def victim_condition() -> str:
    """Appendix II's note on the victim's age, quoted: the first thing an answer about a listed offence says."""
    note = next(n for n in schedule_guidance()["notes"] if n.startswith(VICTIM_NOTE))
    return f"Appendix II lists offences against children: \u201c{note.rstrip('.')}\u201d (Appendix II, notes)."


def offence_named(text: str, asked_about: bool = False) -> bool:
    """Whether the message names an Appendix II offence to be looked up: on its own (a few words), with words that
    ask about the schedule or state a conviction, caution or charge, or when it is `asked_about` already (the
    classifier thought an offence look-up likely)."""
    if not text or text.lstrip().startswith("/"):
        return False
    short = len(re.findall(r"[A-Za-z0-9']+", text)) <= BARE_NAME_WORDS
    if not short and not asked_about and not SCHEDULE_QUESTION.search(text):
        return False
    return bool(lookup(text[:2000]).matches)


def adult_victim(text: str) -> bool:
    """Whether the message says the offence was against an adult, and names no child as its victim."""
    return bool(ADULT_VICTIM.search(text)) and not CHILD_VICTIM.search(text)


def _risk_factors() -> str:
    items = [line.strip("•- ").strip() for line in load_framework().paragraph("2.14").text.splitlines()]
    chosen = [i for i in items if i.startswith(("domestic violence", "presence of a person within the family"))]
    return "Still risk factors in their own right: " + " and ".join(f"\u201c{i}\u201d" for i in chosen) + " (2.14)."


def _against_an_adult(rows: list) -> Answer:
    stated = [m.row for m in rows if OWN_VICTIM.search(m.row.offence)]
    lines = [
        victim_condition(),
        "",
        "You describe the victim as an adult. The Appendix II listing is for offences against children, unless the "
        "row states otherwise. The offence as the schedule names it:",
        *(row_line(m.row) for m in rows),
    ]
    if stated:
        lines.append("That row names its own victim: check the conviction against the row's words.")
    else:
        lines.append("The row does not state otherwise: against an adult, this is not an offence Appendix II lists.")
    lines += [
        "",
        _risk_factors(),
        "\u201c" + _guidance_sentences("The revised list of offences", 2) + "\u201d",
        "",
        citation_line(["Appendix II", "2.14"]),
    ]
    return Answer(
        "\n".join(lines),
        ("Appendix II", "2.14"),
        (("Risk factors (2.14)", "/risk_identification"), ("SM discussion", "/service_manager_discussion")),
    )


def offence_answer(text: str) -> Answer:
    """The answer to "is X on the schedule?", "what's section 1 of the CYPA 1933?" or "list the SOA 2003 offences"."""
    listed = rows_under_act(text)
    if listed:
        lines = []
        for act, rows in listed.items():
            lines += [
                f"*{act}*: {len(rows)} offences on the Appendix II list",
                *map(row_line, rows[:MAX_ROWS_SHOWN]),
                "",
            ]
        lines += [_notes(), "", citation_line(["Appendix II"])]
        return Answer("\n".join(lines), ("Appendix II",), (("Check one offence", "/offence_lookup"),))
    if not text.strip() or text.strip().startswith("/"):
        return Answer(
            'Which offence? Type it as the police check gives it, e.g. "ABH", "s.47 OAPA 1861", '
            '"SOA 2003 s9", or paste the line.',
            (),
        )
    result = lookup(text)
    if not result.found:
        lines = [
            "Not on the schedule: I can't match that to any offence on the Appendix II list "
            "(Adults who pose a risk to children).",
            "That is no reassurance: \u201c" + _guidance_sentences("The revised list of offences", 2) + "\u201d",
            "",
            "Professional judgement and the risk factors still apply, including \u201cpresence of a person within "
            "the family / household who represents a risk to children (see appendix II)\u201d (2.14).",
            "",
            citation_line(["Appendix II", "2.14"]),
        ]
        return Answer("\n".join(lines), ("Appendix II", "2.14"), (("Risk factors (2.14)", "/risk_identification"),))
    rows = result.candidates if result.ambiguous else result.matches[:1]
    if adult_victim(text):
        return _against_an_adult(rows)
    if result.ambiguous:
        heading = "That could be any of these rows on the Appendix II list; check which one the police check means:"
    elif "(" in rows[0].row.offence:
        heading = (
            "On the Appendix II list only in the case the words in brackets describe; check the police check says so:"
        )
    else:
        heading = "Yes: this is on the Appendix II list (Adults who pose a risk to children):"
    lines = [victim_condition(), "", heading, *(row_line(m.row) for m in rows)]
    lines += [
        "",
        "\u201c" + _guidance_sentences("When Cafcass receives any information", 2) + "\u201d",
        "\u201c" + _guidance_sentences("All professionals should ensure", 1) + "\u201d",
        "",
        _notes(),
        "",
        "Next:",
        *_next_steps(),
        "",
        citation_line(["Appendix II", "2.67", "2.81"]),
    ]
    return Answer(
        "\n".join(lines),
        ("Appendix II", "2.67", "2.81"),
        (("SM discussion", "/service_manager_discussion"), ("Referral to LACSC", "/referral_to_lacsc")),
    )

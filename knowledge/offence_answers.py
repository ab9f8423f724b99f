"""What to say when an offence is looked up against Appendix II: the rows, the Risk to Children guidance, what next."""

from __future__ import annotations

from knowledge.answers import Answer, citation_line
from knowledge.framework import load_framework
from knowledge.offence_schedule import OffenceRow, lookup, rows_under_act, schedule_guidance

MAX_ROWS_SHOWN = 60


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
    if result.ambiguous:
        heading = "That could be any of these rows on the Appendix II list; check which one the police check means:"
    elif "(" in rows[0].row.offence:
        heading = (
            "On the Appendix II list only in the case the words in brackets describe; check the police check says so:"
        )
    else:
        heading = "Yes: this is on the Appendix II list (Adults who pose a risk to children):"
    lines = [heading, *(row_line(m.row) for m in rows)]
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

"""Turns what a member of staff may see of a case into a document fit for the case file, as DOCX or plain text."""

from __future__ import annotations

import io
from typing import NamedTuple

from docx import Document
from docx.shared import RGBColor

from casefile.views import CaseView, RecordView, StaffMember
from knowledge.moments import london

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SECURED_WORDS = (
    "The files and notes must be secured in the form in which they existed at the time of the "
    "notification of the review."
)


class Block(NamedTuple):
    """One piece of the document: style is title, banner, heading, subheading, field, point, amendment, text or note."""

    style: str
    text: str
    label: str = ""


def blocks(view: CaseView, exported_by: StaffMember, exported_at: str) -> list[Block]:
    """The document's content, in order, shared by the DOCX and the text export."""
    out = [
        Block("title", f"Case {view.reference}: record of discussion with the Service Manager (Framework 2.81-2.82)")
    ]
    if view.secured is not None:
        secured = view.secured
        out.append(
            Block(
                "banner",
                f"SECURED CASE FILE. It was secured on {london(secured.secured_at)} by {secured.secured_by.described}. "
                f'Reason: {secured.reason}. Framework 3.44: "{SECURED_WORDS}" Nothing has been added to it since, '
                "except later recordings, listed separately with the date each was made (3.45).",
            )
        )
    for record in view.records:
        out.extend(record_blocks(record))
    if view.later_recordings:
        out.append(
            Block(
                "heading",
                "Later recordings (Framework 3.45): made after the file was secured, kept "
                "separate from the original file",
            )
        )
        for later in view.later_recordings:
            out.append(Block("subheading", f"Later recording {later.id}"))
            out.append(Block("field", london(later.recorded_at), "Date this recording was made"))
            out.append(Block("field", f"{later.event_date.day} {later.event_date:%B %Y}", "Date of the events"))
            out.append(Block("field", later.recorded_by.described, "Recorded by"))
            out.append(Block("text", later.text))
    out.append(
        Block("note", f"Exported on {exported_at} by {exported_by.described}. Times are UK time (Europe/London).")
    )
    return out


def record_blocks(record: RecordView) -> list[Block]:
    """One record: who, when, its agreement, then every 2.81 point with its amendments."""
    if record.agreed:
        agreement = f"{record.agreed_by.described} on {london(record.agreed_at)}"
    else:
        agreement = f"Not yet agreed: awaiting {record.other_party.described}"
    out = [
        Block("heading", f"Record {record.id}: discussion on {london(record.discussed_at)}"),
        Block("field", record.case_reference, "Case reference"),
        Block("field", record.status.capitalize(), "Status"),
        Block("field", record.practitioner.described, "Practitioner"),
        Block("field", record.manager.described, "Manager"),
        Block("field", london(record.discussed_at), "Discussion took place"),
        Block("field", london(record.concern_identified_at), "Concern first identified"),
        Block("field", f"{record.recorded_by.described} on {london(record.recorded_at)}", "Recorded by"),
        Block("field", agreement, "Agreed by"),
    ]
    for earlier in record.earlier_agreements:
        out.append(
            Block(
                "field",
                f"{earlier.agreed_by.described} on {london(earlier.agreed_at)}; no longer stands, as the record "
                f"was amended on {london(earlier.withdrawn_at)} and agreement asked for again",
                "Earlier agreement",
            )
        )
    missing = [str(number) for number, point in enumerate(record.points, start=1) if point.current is None]
    if missing:
        out.append(Block("field", ", ".join(missing), "Points not discussed (Framework 2.81)"))
    if record.decision_reasons:
        out.append(Block("field", record.decision_reasons, "Decision agreed and why (Framework 3.62)"))
    for point in record.points:
        out.append(Block("point", point.shown, point.label))
        if point.amendments:
            out.append(Block("amendment", point.shown_original, "Originally recorded"))
        for amendment in point.amendments:
            when = (
                " when agreeing the record"
                if amendment.on_agreement
                else " after the record was agreed"
                if amendment.after_agreement
                else ""
            )
            reason = "" if amendment.on_agreement else f" (reason: {amendment.reason})"
            out.append(
                Block(
                    "amendment",
                    f"{amendment.text}{reason}",
                    f"Amended on {london(amendment.amended_at)} by {amendment.amended_by.described}{when}",
                )
            )
    return out


def text(content: list[Block]) -> str:
    lines: list[str] = []
    for block in content:
        if block.style == "title":
            lines += [block.text, "=" * len(block.text), ""]
        elif block.style == "banner":
            lines += ["*" * 60, block.text, "*" * 60, ""]
        elif block.style in ("heading", "subheading"):
            lines += ["", block.text, ("-" if block.style == "heading" else "~") * len(block.text)]
        elif block.style == "field":
            lines.append(f"{block.label}: {block.text}")
        elif block.style == "point":
            lines += ["", f"{block.label}:", f"    {block.text}"]
        elif block.style == "amendment":
            lines.append(f"    [{block.label}] {block.text}")
        else:
            lines += ["", block.text]
    return "\n".join(lines).strip("\n") + "\n"


def docx(content: list[Block]) -> bytes:
    document = Document()
    for block in content:
        if block.style == "title":
            document.add_heading(block.text, level=0)
        elif block.style == "banner":
            run = document.add_paragraph().add_run(block.text)
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        elif block.style in ("heading", "subheading"):
            document.add_heading(block.text, level=1 if block.style == "heading" else 2)
        elif block.style in ("field", "point", "amendment"):
            paragraph = document.add_paragraph(style="List Bullet" if block.style == "amendment" else None)
            paragraph.add_run(f"{block.label}: ").bold = True
            paragraph.add_run(block.text)
        elif block.style == "note":
            document.add_paragraph().add_run(block.text).italic = True
        else:
            document.add_paragraph(block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def summary(record: RecordView) -> str:
    """A record as plain text, for showing in a conversation."""
    return text(record_blocks(record))

"""Sending an export as a file in a Teams personal chat: the Bot Framework file-consent card, the upload to the address
Teams offers once the person accepts, and the card that confirms the file; the file is made again from the case file
on acceptance (and that export audited), so no case content waits anywhere outside the case file."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from botbuilder.schema import Activity, ActivityTypes, Attachment

log = logging.getLogger(__name__)

FILE_CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
FILE_CONSENT_INVOKE = "fileConsent/invoke"
DECLINED = "Not sent: you declined the file. Ask for the export again whenever you need it."
NOT_UPLOADED = "The file could not be put in your OneDrive just now. Ask for the export again in a few minutes."
NOT_EXPORTED = "The export could not be made again for the file, so nothing was sent."

# (Teams object id, what to export) -> (file name, content); raises when the case file refuses or fails.
Exporter = Callable[[str, dict[str, Any]], Awaitable[tuple[str, bytes]]]


def consent_card(json_message: dict[str, Any]) -> Attachment | None:
    """The file-consent card for an export reply ({"document": ..., "export": ...}); None for any other payload."""
    document = json_message.get("document")
    export = json_message.get("export")
    if not isinstance(document, dict) or not isinstance(export, dict):
        return None
    size = len(base64.b64decode(document.get("content_base64", "")))
    context = {k: export.get(k) for k in ("record_id", "case_reference")}
    return Attachment(
        content_type=FILE_CONSENT_CARD,
        name=document["filename"],
        content={
            "description": "The export of the case-file record(s) you asked for, as a Word document.",
            "sizeInBytes": size,
            "acceptContext": context,
            "declineContext": context,
        },
    )


async def case_file_export(external_id: str, context: dict[str, Any]) -> tuple[str, bytes]:
    """The Word export from the case file, as this Teams user may see it (checked and audited by the case file)."""
    from bot.settings import case_file
    from casefile import Identity

    record_id = context.get("record_id")
    document = await asyncio.to_thread(
        case_file().export,
        Identity("teams", external_id),
        record_id=int(record_id) if record_id is not None else None,
        case_reference=context.get("case_reference") if record_id is None else None,
        fmt="docx",
    )
    return document.filename, document.content


async def upload(session: aiohttp.ClientSession, upload_url: str, content: bytes) -> None:
    """Put the whole file at the upload address Teams gave, in one range; DeliveryError-like ValueError if refused."""
    headers = {"Content-Length": str(len(content)), "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}"}
    async with session.put(upload_url, data=content, headers=headers) as answer:
        if answer.status >= 300:
            raise ValueError(f"the upload address answered HTTP {answer.status}")


def file_info(upload_info: dict[str, Any], name: str) -> Attachment:
    """The card that shows the uploaded file in the chat."""
    return Attachment(
        content_type=FILE_INFO_CARD,
        content_url=upload_info.get("contentUrl"),
        name=upload_info.get("name") or name,
        content={"uniqueId": upload_info.get("uniqueId"), "fileType": upload_info.get("fileType") or "docx"},
    )


async def answer_consent(
    activity: Activity,
    external_id: str,
    session: aiohttp.ClientSession,
    send: Callable[[Activity], Awaitable[None]],
    export: Exporter = case_file_export,
) -> None:
    """Accepted: the file is made again, uploaded and confirmed with its card. Declined: the person is told."""
    value = activity.value if isinstance(activity.value, dict) else {}
    if value.get("action") != "accept":
        await send(Activity(type=ActivityTypes.message, text=DECLINED))
        return
    context = value.get("context") if isinstance(value.get("context"), dict) else {}
    upload_info = value.get("uploadInfo") if isinstance(value.get("uploadInfo"), dict) else {}
    try:
        name, content = await export(external_id, context)
    except Exception as error:  # a refusal (access, not found) or an outage: the person is told, nothing is sent
        log.warning("A Teams file export was not made again: %s", type(error).__name__)
        await send(Activity(type=ActivityTypes.message, text=f"{NOT_EXPORTED} {error}".strip()))
        return
    try:
        await upload(session, str(upload_info.get("uploadUrl", "")), content)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        log.warning("A Teams file upload failed: %s", error)
        await send(Activity(type=ActivityTypes.message, text=NOT_UPLOADED))
        return
    await send(Activity(type=ActivityTypes.message, text=f"Sent: {name}", attachments=[file_info(upload_info, name)]))

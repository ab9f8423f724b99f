"""The case file as the Rasa server reaches it: through the action server's /casefile/ calls, carrying the Rasa
server's secret, so that the Rasa server process holds no case-file database credentials (the action server and the
command line do). Only what the Rasa server's own channels need is offered: a staff look-up, the outbox and a Teams
file export."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Collection
from datetime import datetime
from typing import Any

from casefile import errors
from casefile.views import ExportedDocument, Identity, PendingNotification, StaffMember

TOKEN_HEADER = "X-FA-Action-Token"  # as bot.action_server names it (not imported: that module starts rasa-sdk)
TIMEOUT_SECONDS = 30


class CaseFileUnavailable(Exception):
    """The action server did not answer a case-file call, or answered something unexpected."""


def _error(kind: str, message: str) -> errors.CaseFileError:
    """The case file's own refusal, as the action server named it (any other name: the base class)."""
    error_class = getattr(errors, kind, None)
    if isinstance(error_class, type) and issubclass(error_class, errors.CaseFileError):
        return error_class(message)
    return errors.CaseFileError(message)


class RemoteCaseFile:
    """Offers the few case-file operations of the Rasa server's channels, each one call to the action server."""

    def __init__(self, base_url: str, token: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.staff = _Staff(self)
        self.follow_ups = _FollowUps(self)
        self.oversight = _Oversight(self)

    def call(self, operation: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}/casefile/{operation}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", TOKEN_HEADER: self.token},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return json.loads(answer.read())["result"]
        except urllib.error.HTTPError as failure:
            try:
                said = json.loads(failure.read())
            except ValueError:
                said = None
            if failure.code == 422 and isinstance(said, dict) and isinstance(said.get("refusal"), str):
                raise _error(str(said.get("kind")), said["refusal"]) from None
            raise CaseFileUnavailable(f"case-file call {operation} answered HTTP {failure.code}") from None
        except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as failure:
            raise CaseFileUnavailable(f"case-file call {operation}: {failure!r}") from None

    def claim_notification(self, channel: str, skip: Collection[int] = ()) -> PendingNotification | None:
        found = self.call("claim_notification", {"channel": channel, "skip": sorted(skip)})
        if found is None:
            return None
        return PendingNotification(**{**found, "created_at": datetime.fromisoformat(found["created_at"])})

    def release_notification(self, notification_id: int) -> None:
        self.call("release_notification", {"id": notification_id})

    def mark_delivered(self, notification_id: int) -> bool:
        return bool(self.call("mark_delivered", {"id": notification_id}))

    def export(
        self, actor: Identity, *, record_id: int | None = None, case_reference: str | None = None, fmt: str = "docx"
    ) -> ExportedDocument:
        channel, external_id = actor
        document = self.call(
            "export",
            {
                "channel": channel,
                "external_id": external_id,
                "record_id": record_id,
                "case_reference": case_reference,
                "format": fmt,
            },
        )
        return ExportedDocument(document["filename"], document["media_type"], base64.b64decode(document["content"]))


class _Staff:
    def __init__(self, remote: RemoteCaseFile) -> None:
        self._remote = remote

    def find_by_identity(self, channel: str, external_id: str) -> StaffMember | None:
        found = self._remote.call("find_staff", {"channel": channel, "external_id": external_id})
        return StaffMember(**found) if found is not None else None


class _FollowUps:
    def __init__(self, remote: RemoteCaseFile) -> None:
        self._remote = remote

    def release_reminders(self) -> int:
        return int(self._remote.call("release_reminders", {}))


class _Oversight:
    def __init__(self, remote: RemoteCaseFile) -> None:
        self._remote = remote

    def release_digests(self, weekday: int, hour: int) -> int:
        return int(self._remote.call("release_digests", {"weekday": weekday, "hour": hour}))

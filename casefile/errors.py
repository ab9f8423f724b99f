"""Why the case file refused a request; every message is plain, names no one else's data and is safe to show the
user."""

from __future__ import annotations


class CaseFileError(Exception):
    """A request the case file refused; str(error) is the message for the user."""


class UnknownStaff(CaseFileError):
    """The identity is not registered, or its member of staff has been deactivated."""


class AccessRefused(CaseFileError):
    """The member of staff may not do this, or may not see this record."""


class InvalidCaseReference(CaseFileError):
    """The case reference does not have the configured form."""


class InvalidEntry(CaseFileError):
    """Something entered is missing, unknown, too long or inconsistent."""


class NotFound(CaseFileError):
    """No record, case or member of staff with that number or name."""


class AlreadyAgreed(CaseFileError):
    """The record was agreed already; change it with an amendment."""


class FileSecured(CaseFileError):
    """The case file is secured (Framework 3.42-3.45): no new records, agreements or amendments."""


class ImportRejected(CaseFileError):
    """A staff CSV had bad rows; nothing was imported. `problems` lists them by line number."""

    def __init__(self, problems: list[str]):
        super().__init__("Nothing was imported. Fix these rows and import the file again:\n" + "\n".join(problems))
        self.problems = problems

"""The case file: agreed records of practitioners' discussions with their Service Manager (Framework 2.81-2.82), the
staff directory, access rules, audit and export."""

from casefile.errors import (
    AccessRefused,
    AlreadyAgreed,
    CaseFileError,
    FileSecured,
    ImportRejected,
    InvalidCaseReference,
    InvalidEntry,
    NotFound,
    UnknownStaff,
)
from casefile.points import CHOICES, NOT_DISCUSSED, POINTS
from casefile.store import CaseFile, discussion_key
from casefile.views import Identity

__all__ = [
    "AccessRefused",
    "AlreadyAgreed",
    "CaseFile",
    "CaseFileError",
    "CHOICES",
    "discussion_key",
    "FileSecured",
    "Identity",
    "ImportRejected",
    "InvalidCaseReference",
    "InvalidEntry",
    "NOT_DISCUSSED",
    "NotFound",
    "POINTS",
    "UnknownStaff",
]

"""Checks and normalises case references against the configured pattern before anything is stored or looked up."""

from __future__ import annotations

import re
from functools import lru_cache

from casefile.errors import InvalidCaseReference

DEFAULT_CASE_REFERENCE_PATTERN = r"^[A-Z]{2}\d{2}[A-Z]\d{5}$"  # family court numbers such as ZW25P01234

MAX_REFERENCE_CHARS = 64


@lru_cache(maxsize=8)
def compiled(pattern: str) -> re.Pattern[str]:
    """The pattern compiled; a broken pattern fails loudly."""
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(
            f"FA_CASE_REFERENCE_PATTERN is not a valid regular expression ({error}): {pattern!r}"
        ) from None


def normalise_case_reference(text: object, pattern: str = DEFAULT_CASE_REFERENCE_PATTERN) -> str:
    """The reference stripped and upper-cased, or InvalidCaseReference if it does not match the whole pattern."""
    regex = compiled(pattern)
    stripped = text.strip() if isinstance(text, str) else ""
    # Only ASCII is accepted, checked before upper-casing: "ı".upper() is "I", and \d matches "٢" (Arabic-Indic two).
    candidate = stripped.upper() if stripped.isascii() else ""
    if not (candidate and len(candidate) <= MAX_REFERENCE_CHARS and regex.fullmatch(candidate)):
        if pattern == DEFAULT_CASE_REFERENCE_PATTERN:
            raise InvalidCaseReference(
                "That is not a case reference. Give the family court case number: two letters, two digits, "
                "a letter and five digits, for example ZW25P01234."
            )
        raise InvalidCaseReference(f"That is not a case reference. A case reference matches {pattern}.")
    return candidate


def case_references(text: str, pattern: str = DEFAULT_CASE_REFERENCE_PATTERN) -> list[str]:
    """Every valid case reference in a message, normalised, in order."""
    found = []
    for token in text.split():
        try:
            reference = normalise_case_reference(token.strip(".,;:()[]'\"!?"), pattern)
        except InvalidCaseReference:
            continue
        if reference not in found:
            found.append(reference)
    return found

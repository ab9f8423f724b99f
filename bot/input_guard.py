"""Checks every incoming message before Rasa sees it: text only, no control characters, and a size limit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from knowledge.urgent import urgent_guidance, urgent_signals

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Verdict:
    """Either the cleaned text to pass on, or the reply that refuses it (and nothing is processed)."""

    text: str | None = None
    refusal: str | None = None


def check_message(message: Any, max_chars: int) -> Verdict:
    if not isinstance(message, str):
        return Verdict(refusal="I can only read text messages. Type your question, or 'help'.")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", message)).strip()
    if not text:
        return Verdict(refusal="I didn't get any text. Type your question, or 'help' to see what I can do.")
    if len(text) > max_chars:
        note = (
            f"That message is {len(text):,} characters long; I read up to {max_chars:,}. "
            "Please send the part you need help with."
        )
        situations = [s.situation for s in urgent_signals(text[:max_chars])]
        if situations:
            return Verdict(refusal=urgent_guidance(situations=situations).text + "\n\n" + note)
        return Verdict(refusal=note)
    return Verdict(text=text)

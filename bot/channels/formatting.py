"""The assistant's light Markdown (*bold*, "• " bullets, blank lines between paragraphs) as channel HTML, cut to a
channel's length limit."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import partial

_BOLD = re.compile(r"\*(?=\S)([^*\n]+?)(?<=\S)\*")

# Where a text too long for one message may be cut, most preferred first: between paragraphs,
# between lines, between words.
_SEPARATORS = ("\n\n", "\n", " ")

TELEGRAM_LIMIT = 4096  # characters per message (UTF-16 code units), Telegram Bot API sendMessage
TEAMS_LIMIT = 12000  # well inside Teams' 40 KB per activity, which counts UTF-16 and the whole payload


def utf16_length(text: str) -> int:
    """Length as Telegram and Teams count it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def to_html(text: str, bold: str = "b", line_break: str = "\n") -> str:
    """Escape &, < and >, turn *bold* into <bold>…</bold> and line ends into line_break."""
    escaped = _BOLD.sub(rf"<{bold}>\1</{bold}>", html.escape(text, quote=False))
    return escaped.replace("\n", line_break)


telegram_html = to_html
teams_html = partial(to_html, bold="strong", line_break="<br>")


def split_message(text: str, limit: int, render: Callable[[str], str] = telegram_html) -> list[str]:
    """The text rendered as messages of at most `limit` UTF-16 units each.

    Cuts fall between paragraphs where possible, else between lines, else between words; each
    piece is rendered on its own, so no cut falls inside a tag or an escaped character.
    """
    return [render(piece) for piece in _pieces(text.strip(), limit, render, 0)]


def _fits(text: str, limit: int, render: Callable[[str], str]) -> bool:
    return utf16_length(render(text)) <= limit


def _pieces(text: str, limit: int, render: Callable[[str], str], level: int) -> list[str]:
    if _fits(text, limit, render):
        return [text] if text.strip() else []
    if level == len(_SEPARATORS):
        return _cut_word(text, limit, render)
    separator = _SEPARATORS[level]
    pieces: list[str] = []
    current = ""
    for part in text.split(separator):
        candidate = f"{current}{separator}{part}" if current else part
        if _fits(candidate, limit, render):
            current = candidate
            continue
        if current.strip():
            pieces.append(current.strip())
        if _fits(part, limit, render):
            current = part
        else:
            pieces.extend(_pieces(part, limit, render, level + 1))
            current = ""
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _cut_word(word: str, limit: int, render: Callable[[str], str]) -> list[str]:
    """A single word longer than a whole message (a pasted link, say): cut where it must be."""
    pieces = []
    while word:
        end = min(len(word), limit)  # rendering never shortens text, so no more than `limit` characters fit
        while not _fits(word[:end], limit, render):
            end -= 1
        pieces.append(word[:end])
        word = word[end:]
    return pieces

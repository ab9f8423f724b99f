"""What every action shares: reading the latest message (intent, text, entities) and making buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

BUTTON_TITLE = 40  # characters a button's title shows at most


def button(title: str, payload: str | None = None) -> dict[str, str]:
    """A button showing at most BUTTON_TITLE characters; by default it sends its full title as words."""
    shown_title = title if len(title) <= BUTTON_TITLE else title[: BUTTON_TITLE - 1].rstrip() + "…"
    return {"title": shown_title, "payload": payload if payload is not None else title}


def intent_of(tracker: Tracker) -> str | None:
    """The intent of the latest message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def ranking_of(tracker: Tracker) -> list[dict[str, Any]]:
    """The latest message's intents, likeliest first, each with its confidence."""
    return tracker.latest_message.get("intent_ranking") or []


def intents_of(tracker: Tracker) -> list[tuple[str, float]]:
    """The latest message's intents with their confidences, likeliest first: the prior of the passage ranking."""
    return [(str(r.get("name")), float(r.get("confidence") or 0.0)) for r in ranking_of(tracker)]


def text_of(tracker: Tracker) -> str:
    """The latest message's text, stripped (a button's payload when a button was pressed)."""
    return (tracker.latest_message.get("text") or "").strip()


def entities_of(tracker: Tracker) -> list[dict[str, Any]]:
    """The entities of the latest message (those a button's payload sets among them)."""
    return tracker.latest_message.get("entities") or []


def entity_values(tracker: Tracker, entity: str) -> list[Any]:
    """The values the latest message gives an entity, in order."""
    return [e.get("value") for e in entities_of(tracker) if e.get("entity") == entity]

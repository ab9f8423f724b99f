"""What the conversation tests share: registering members of staff in the servers' own case file."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.cli import send
from bot.settings import load_settings
from casefile import CaseFile, Identity

OPERATOR = Identity("terminal", "conversation-tests")


@dataclass(frozen=True)
class Person:
    sender: str
    name: str
    settings: object

    def says(self, message: str) -> list[dict]:
        return send(self.settings, self.sender, message)


@pytest.fixture
def casefile(servers):
    """The servers' own case file (sqlite:///<FA_VAR_DIR>/casefile.db unless CASEFILE_DATABASE_URL is set)."""
    store = CaseFile(load_settings().casefile_database_url)
    yield store
    store.database.dispose()


def registrar(store: CaseFile, servers) -> Callable[[str, str], Person]:
    """Registers members of staff of one fresh team, each under a fresh terminal user (the terminal chat sends
    "terminal:<user>")."""
    team = f"Team {uuid.uuid4().hex[:6]}"

    def add(role: str, first_name: str) -> Person:
        sender = f"staff-{uuid.uuid4().hex[:8]}"
        name = f"{first_name} {uuid.uuid4().hex[:6].capitalize()}"
        store.staff.add(name, role, team, {"terminal": sender}, operator=OPERATOR)
        return Person(sender, name, servers)

    return add


@pytest.fixture
def register(servers, casefile):
    """Registers a member of staff under a fresh terminal user."""
    return registrar(casefile, servers)

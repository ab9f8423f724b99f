"""The domain declares exactly what the walkthrough knowledge asks, so a new fact cannot be silently dropped."""

from __future__ import annotations

import yaml
from rasa_sdk.executor import ActionExecutor

from actions.walkthroughs import all_facts
from bot.settings import ROOT


def test_every_walkthrough_fact_has_a_slot_an_ask_action_and_a_place_in_the_form():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    facts = all_facts()
    assert set(facts) <= set(domain["slots"])
    assert domain["forms"]["walkthrough_form"]["required_slots"] == facts
    assert {f"action_ask_{f}" for f in facts} <= set(domain["actions"])
    for fact in facts:
        assert domain["slots"][fact]["mappings"] == [{"type": "custom"}], f"{fact} must not be settable from a payload"


def test_the_action_server_registers_every_action_the_domain_names():
    """What `create_app("actions")` finds by walking the package, so a module it cannot import shows up here."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(domain["actions"]) <= set(executor.actions)

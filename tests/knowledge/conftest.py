"""Checks the knowledge tests share: the Framework's text as the tests compare it, and that a decision's quoted steps
stand word for word in it."""

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from knowledge.decision import Step
from knowledge.framework import load_framework

SOURCE = Path(__file__).resolve().parents[2] / "knowledge" / "source" / "framework.txt"


def norm(text: str) -> str:
    """Text as compared with the Framework: no emphasis marks, straight apostrophes, one space between words."""
    return " ".join(text.replace("*", "").replace("\u2019", "'").split())


@lru_cache(maxsize=1)
def source_text() -> str:
    """The whole of framework.txt, normalised."""
    return norm(SOURCE.read_text(encoding="utf-8"))


def assert_quoted(step: Step) -> None:
    """Every passage of the step stands word for word in the paragraph it cites (heading included) and in the source."""
    passage = norm(" ".join(f"{p.title} {p.text}" for p in load_framework().passages(step.citation)))
    assert passage, f"nothing is cited as {step.citation}"
    for fragment in step.fragments:
        assert norm(fragment) in passage, f"not verbatim in {step.citation}: {fragment!r}"
        assert norm(fragment) in source_text(), f"not in framework.txt: {fragment!r}"


def assert_all_quoted(steps: Iterable[Step]) -> None:
    """assert_quoted for each step."""
    for step in steps:
        assert_quoted(step)

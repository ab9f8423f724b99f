"""Measures how the forms bend: scripted conversations with a digression inside every form, through the real servers.

Run: .venv/bin/python -m bench.digressions   (needs the trained model: .venv/bin/python -m bot train)

Each conversation goes through one form (the six walkthroughs; recording, agreeing, amending and exporting
case-file records) and, at one point, digresses: a question, a term, a paragraph, an offence, urgent danger or a
correction. A conversation counts as a success when the digression is answered as the same message is answered
outside any form (or, for a correction, the given fact is revised), the form then asks its pending question
again in one line ("Back to ..."), and the conversation ends with the right outcome. A digression that also states
facts of the case has them used: the walkthrough's pending question is then the first one they leave open, and
the expected outcome counts them (read by the walkthrough's own reader of facts, knowledge.walkthroughs). The
walkthroughs' paths and outcomes come from knowledge/ (the pure decision functions), so the bench follows the
decision data as it changes.
Prints the share of successes, by form and by kind, and each failure.

With `--heldout FILE` (bench/data/digressions_heldout.yml, written separately from this script's own messages), each
digression of the file is made once, in its form, instead of the messages below.
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from knowledge.walkthroughs import JUST_NOW, Walkthrough, load_walkthroughs

ROOT = Path(__file__).resolve().parent.parent


LONDON = ZoneInfo("Europe/London")
# Digressions of each kind: what is said, answered inside a form as outside it.
DIGRESSIONS = {
    "question": [
        "what should go in the SM discussion?",
        "how quickly do I have to refer to children's social care?",
        "do I need consent for a s17 referral?",
        "what is my role at a strategy discussion?",
    ],
    "term": ["what is a LADO?", "what does FJC stand for?", "what's MARAC?", "what does LACSC mean?"],
    "paragraph": ["show me 2.81", "what does paragraph 2.87 say?", "read me 3.45", "show me 2.19"],
    "offence": [
        "is ABH on the schedule?",
        "is a caution for common assault a schedule one offence?",
        "is cruelty to a child on the list?",
        "is harassment a schedule 1 offence?",
    ],
    "urgent": [
        "sorry, the child has just been left home alone and mum isn't answering",
        "dad has just turned up drunk at the school and is trying to take the kids",
    ],
}
# The one message the next digression uses instead of DIGRESSIONS (a held-out digression), if set.
HELD_OUT: list[str] = []
MAX_TURNS = 40  # a conversation that has not ended by then is going round in circles
KINDS = ["question", "term", "paragraph", "offence", "urgent", "correction"]
POINT = re.compile(r"Point (\d+) of 12 \(Framework 2\.81\)")


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def titles(replies: list[dict]) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons") or []]


@dataclass
class Result:
    form: str
    kind: str
    where: str
    failures: list[str] = field(default_factory=list)
    record_id: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures

    def __post_init__(self) -> None:
        print(".", end="", file=sys.stderr, flush=True)


class Chat:
    """One conversation through the REST channel."""

    def __init__(self, send: Callable[[str, str], list[dict]], sender: str | None = None):
        self.send, self.sender = send, sender or f"bench-{uuid.uuid4().hex[:10]}"

    def say(self, message: str) -> list[dict]:
        return self.send(self.sender, message)


class Bench:
    def __init__(self, send: Callable[[str, str], list[dict]]):
        self.send = send
        self._outside: dict[str, str] = {}

    def outside(self, message: str) -> list[str]:
        """What the assistant says to this message outside any form, message by message."""
        if message not in self._outside:
            replies = self.send(f"bench-outside-{uuid.uuid4().hex[:8]}", message)
            self._outside[message] = [r.get("text") or "" for r in replies if r.get("text")]
        return self._outside[message]

    def digression_answered(
        self, message: str, replies: list[dict], result: Result, walkthrough: Walkthrough | None = None
    ) -> None:
        """Whether the replies inside the form hold the answer the message gets outside any form: its first message,
        or, where outside it starts the very walkthrough the conversation is in, what it says besides that
        walkthrough's opening and questions (the answer to what was asked), else the opening (the walkthrough
        going on is the answer)."""
        said = self.outside(message)
        expected = said[0] if said else ""
        if walkthrough is not None and expected.startswith(f"*{walkthrough.title}*."):
            questions = [walkthrough.question(f).text for f in walkthrough.facts]
            besides = [t for t in said[1:] if not any(q in t for q in questions)]
            expected = besides[0] if besides else expected
        if not expected or expected not in texts(replies):
            result.failures.append(f"{message!r} not answered as outside the form: {texts(replies)[:300]!r}")


# -- the walkthroughs ------------------------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(LONDON)


def pick(walkthrough: Walkthrough, fact: str, choice: int) -> tuple[str, Any]:
    """The button title to press for a fact, and the value it gives."""
    options = walkthrough.question(fact).options
    option = options[min(choice, len(options) - 1)]
    value = now().isoformat(timespec="minutes") if option.value == JUST_NOW else option.value
    return option.title, value


def digression_message(kind: str, n: int) -> str:
    """The held-out message set for this conversation, else the n-th of this kind."""
    return HELD_OUT[0] if HELD_OUT else DIGRESSIONS[kind][n % len(DIGRESSIONS[kind])]


def walkthrough_path(walkthrough: Walkthrough, choice: int) -> int:
    """How many questions the walkthrough asks when every answer is the button at `choice`."""
    known: dict[str, Any] = {}
    while next_fact := next(iter(walkthrough.next_facts(known, now())), None):
        known[next_fact] = pick(walkthrough, next_fact, choice)[1]
    return len(known)


def run_walkthrough(bench: Bench, walkthrough: Walkthrough, choice: int, kind: str, at: int, n: int) -> Result:
    """Answers every question with the button at `choice`, digressing before answering question `at`."""
    result = Result(walkthrough.name, kind, f"question {at + 1}")
    chat = Chat(bench.send)
    replies = chat.say(f'/start_walkthrough{{"walkthrough": "{walkthrough.name}"}}')
    known: dict[str, Any] = {}
    step = 0
    digressed = False
    for _ in range(MAX_TURNS):
        needed = walkthrough.next_facts(known, now())
        if not needed:
            break
        fact = needed[0]
        question = walkthrough.question(fact)
        if question.text not in texts(replies):
            result.failures.append(f"expected the question {question.text!r}, got {texts(replies)[:300]!r}")
            return result
        if step == at and not digressed:
            digressed = True
            replies = digress(bench, chat, walkthrough, known, fact, kind, n, result)
            if result.failures:
                return result
            continue
        title, value = pick(walkthrough, fact, choice)
        known[fact] = value
        replies = chat.say(title)
        step += 1
    else:
        result.failures.append(f"no outcome after {MAX_TURNS} turns")
        return result
    decision = next((r["custom"] for r in replies if "custom" in r), None)
    expected = walkthrough.decide(known, now()).code
    if not decision or decision.get("decision") != expected:
        result.failures.append(f"outcome {decision and decision.get('decision')!r}, expected {expected!r}")
    return result


def digress(
    bench: Bench, chat: Chat, walkthrough: Walkthrough, known: dict, fact: str, kind: str, n: int, result: Result
) -> list[dict]:
    """The digression, and its check; `known` is revised by a correction. The replies that follow it."""
    if kind == "correction":
        return correct(chat, walkthrough, known, fact, n, result)
    message = digression_message(kind, n)
    replies = chat.say(message)
    bench.digression_answered(message, replies, result, walkthrough)
    # A digression that also states facts of the case ("it came in as a complaint") has them used, as any message
    # in a walkthrough does: the walkthrough comes back to the first question they leave open.
    known.update(walkthrough.extract(message, now()))
    needed = walkthrough.next_facts(known, now())
    if not needed:
        return replies
    question = walkthrough.question(needed[0])
    back = f"Back to {walkthrough.called}: {question.text}"
    if not replies or replies[-1].get("text") != back:
        result.failures.append(f"did not resume with {back!r}: {texts(replies)[-300:]!r}")
    elif [o.title for o in question.options] != titles(replies[-1:])[: len(question.options)]:
        result.failures.append(f"the question came back without its buttons: {titles(replies[-1:])}")
    return replies


def correct(chat: Chat, walkthrough: Walkthrough, known: dict, fact: str, n: int, result: Result) -> list[dict]:
    """A correction: "actually it's public law" where law was given, else "go back" or "change the ... answer"."""
    given = [f for f in walkthrough.facts if f in known]
    if known.get("law") == "private" and n % 2 == 0:
        replies = chat.say("actually it's public law, sorry")
        known["law"] = "public"
        if "Changed: Proceedings: public law" not in texts(replies):
            result.failures.append(f"the change of law was not confirmed: {texts(replies)[:300]!r}")
        return replies
    previous = given[-1]
    label = walkthrough.describe({previous: known[previous]})[0].split(":")[0]
    message = "go back" if n % 2 else f"change my answer about the {label}"
    replies = chat.say(message)
    if walkthrough.question(previous).text not in texts(replies):
        result.failures.append(f"{message!r} did not ask {walkthrough.question(previous).text!r} again")
    del known[previous]
    return replies


def walkthrough_conversations(bench: Bench) -> list[Result]:
    results = []
    n = 0
    for walkthrough in load_walkthroughs().values():
        for choice in (0, 1):
            length = walkthrough_path(walkthrough, choice)
            for index, kind in enumerate(KINDS):
                at = (index + choice) % length
                if kind == "correction" and at == 0:
                    at = min(1, length - 1)
                    if at == 0:
                        continue
                results.append(run_walkthrough(bench, walkthrough, choice, kind, at, n))
                n += 1
    return results


# -- the case file ---------------------------------------------------------------------------------------------------


def case_reference() -> str:
    return f"ZW{random.randint(20, 29)}P{random.randint(0, 99999):05d}"


def back_in_one_line(replies: list[dict], words: str, result: Result) -> None:
    last = texts(replies[-1:])
    if words not in last or len(last) > 400:
        result.failures.append(f"did not come back in one line with {words!r}: {last[:300]!r}")


def record(bench: Bench, practitioner: Chat, manager_name: str, case: str, kind: str, at: int, n: int) -> Result:
    """Records a discussion, digressing at one question (the case reference, point 1, point 3 or Save)."""
    result = Result("record a discussion", kind, ["case reference", "point 1", "point 3", "Save"][at])
    answers = {1: "Mother says father pushed her during handover last week.", 2: "Recent"}
    replies = practitioner.say("record my SM discussion")
    steps: list[tuple[str, str]] = [("Which case?", case), ("Which manager", manager_name)]
    steps += [("When did the discussion", "just now"), ("When was the concern", "yesterday 4pm")]
    steps += [(f"Point {i} of 12", answers.get(i, "Not discussed")) for i in range(1, 13)]
    steps += [("Please check the record", '/choose{"option": "save"}')]
    digress_at = {0: 0, 1: 4, 2: 6, 3: len(steps) - 1}[at]
    for index, (asked, answer) in enumerate(steps):
        if index == digress_at and kind == "correction":
            before, answered = steps[index - 1]
            said = practitioner.say("go back")
            if "Going back one question" not in texts(said) or before not in texts(said):
                result.failures.append(f"'go back' did not ask {before!r} again: {texts(said)[:300]!r}")
                return result
            replies = practitioner.say(answered)
        elif index == digress_at:
            replies = casefile_digression(bench, practitioner, kind, n, asked, result)
            if result.failures:
                return result
        if asked not in texts(replies) and not (
            asked == "Please check the record" and "not saved yet" in texts(replies)
        ):
            result.failures.append(f"expected {asked!r}, got {texts(replies)[:300]!r}")
            return result
        replies = practitioner.say(answer)
    saved = re.search(r"It is record (\d+) on", texts(replies))
    if not saved:
        result.failures.append(f"not saved: {texts(replies)[:300]!r}")
        return result
    result.record_id = saved.group(1)
    again = practitioner.say('/choose{"option": "save"}')
    if f"Already saved as record {result.record_id} on {case}" not in texts(again):
        result.failures.append(f"a second Save did not give the state: {texts(again)[:300]!r}")
    return result


def casefile_digression(bench: Bench, chat: Chat, kind: str, n: int, asked: str, result: Result) -> list[dict]:
    """A question, term, paragraph, offence or urgent message inside a case-file task; the replies to it."""
    message = digression_message(kind, n)
    said = chat.say(message)
    bench.digression_answered(message, said, result)
    if asked == "Please check the record":
        back_in_one_line(said, "not saved yet", result)
    elif asked == "Do you agree":
        back_in_one_line(said, "awaiting your agreement", result)
    elif not any((r.get("text") or "").startswith("Back to ") and asked in r["text"] for r in said):
        result.failures.append(f"did not resume with 'Back to ... {asked}': {texts(said)[-300:]!r}")
    return said


def agree(bench: Bench, manager: Chat, record_id: str, kind: str, n: int) -> Result:
    result = Result("agree a record", kind, "the agreement")
    replies = manager.say(f'/agree_record{{"record": "{record_id}"}}')
    if "Do you agree this record?" not in texts(replies):
        result.failures.append(f"the record was not put for agreement: {texts(replies)[:300]!r}")
        return result
    if kind == "correction":
        replies = manager.say("go back")
        if "Which one?" not in texts(replies) and "awaiting your agreement" not in texts(replies):
            result.failures.append(f"'go back' did not ask which record: {texts(replies)[:300]!r}")
            return result
        replies = manager.say(f"Record {record_id}")
    else:
        replies = casefile_digression(bench, manager, kind, n, "Do you agree", result)
        if "Show the record" in titles(replies):
            shown = manager.say("/list_records")
            if "Case reference:" not in texts(shown):
                result.failures.append(f"'Show the record' did not show it: {texts(shown)[:300]!r}")
    replies = manager.say('/choose{"option": "agree"}')
    if "Agreed by" not in texts(replies):
        result.failures.append(f"not agreed: {texts(replies)[:300]!r}")
        return result
    again = manager.say('/choose{"option": "agree"}')
    if f"Record {record_id} on" not in texts(again) or "agreed by" not in texts(again):
        result.failures.append(f"a second Agree did not give the state: {texts(again)[:300]!r}")
    return result


def amend(bench: Bench, practitioner: Chat, record_id: str, kind: str, n: int) -> Result:
    result = Result("amend a record", kind, "the new text")
    replies = practitioner.say(f'/amend_record{{"record": "{record_id}"}}')
    replies = practitioner.say("Point 12")
    if "What should it say?" not in texts(replies):
        result.failures.append(f"expected 'What should it say?', got {texts(replies)[:300]!r}")
        return result
    if kind == "correction":
        replies = practitioner.say("go back")
        if "Which point do you want to amend?" not in texts(replies):
            result.failures.append(f"'go back' did not ask which point again: {texts(replies)[:300]!r}")
            return result
        replies = practitioner.say("Point 12")
    else:
        replies = casefile_digression(bench, practitioner, kind, n, "What should it say?", result)
    replies = practitioner.say("Review at the next hearing.")
    replies = practitioner.say("It was left out by mistake.")
    if "Amendment saved on record" not in texts(replies):
        result.failures.append(f"not amended: {texts(replies)[:300]!r}")
    return result


def export(bench: Bench, practitioner: Chat, case: str, kind: str, n: int) -> Result:
    result = Result("export records", kind, "the case reference")
    replies = practitioner.say("export the records")
    if kind == "correction":
        replies = practitioner.say("go back")
        if "no earlier answer" not in texts(replies):
            result.failures.append(f"'go back' at the first question: {texts(replies)[:300]!r}")
    else:
        replies = casefile_digression(bench, practitioner, kind, n, "Which case?", result)
    replies = practitioner.say(case)
    if not any("document" in (r.get("custom") or {}) for r in replies):
        result.failures.append(f"no export: {texts(replies)[:300]!r}")
    return result


def casefile_conversations(bench: Bench, register: Callable[[str, str], tuple[Chat, str]]) -> list[Result]:
    results = []
    manager, manager_name = register("service_manager", "Sam")
    n = 0
    for at in range(4):
        for kind in KINDS:
            if kind == "correction" and at == 0:
                continue
            # Each conversation its own practitioner, so that one going wrong leaves no task open for the next.
            practitioner, _ = register("practitioner", "Jo")
            results.append(record(bench, practitioner, manager_name, case_reference(), kind, at, n))
            n += 1
    for kind in KINDS:
        case = case_reference()
        practitioner, _ = register("practitioner", "Jo")
        done = record(bench, practitioner, manager_name, case, kind, 1, n)
        if not done.ok:
            results.append(Result("agree a record", kind, "setting up", [f"could not record one: {done.failures}"]))
            continue
        results.append(agree(bench, manager, done.record_id, kind, n))
        results.append(amend(bench, practitioner, done.record_id, kind, n))
        results.append(export(bench, practitioner, case, kind, n))
        n += 1
    return results


def heldout_conversations(bench: Bench, register: Callable[[str, str], tuple[Chat, str]], path: Path) -> list[Result]:
    """One conversation for each held-out digression, in its form, at its second question (or its first)."""
    import yaml

    walkthroughs = load_walkthroughs()
    manager, manager_name = register("service_manager", "Sam")
    results = []
    for n, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))["digressions"]):
        form, kind, message = entry["form"], entry["kind"], entry["message"]
        practitioner, _ = register("practitioner", "Jo")
        case = case_reference()
        if form in walkthroughs:
            at = min(1, walkthrough_path(walkthroughs[form], 0) - 1)
            HELD_OUT[:] = [message]
            results.append(run_walkthrough(bench, walkthroughs[form], 0, kind, at, n))
        elif form == "record":
            HELD_OUT[:] = [message]
            results.append(record(bench, practitioner, manager_name, case, kind, 1, n))
        else:
            done = record(bench, practitioner, manager_name, case, "question", 1, n)
            if not done.ok:
                results.append(Result(form, kind, "setting up", [f"could not record one: {done.failures}"]))
                continue
            HELD_OUT[:] = [message]
            if form == "agree":
                results.append(agree(bench, manager, done.record_id, kind, n))
            elif form == "amend":
                results.append(amend(bench, practitioner, done.record_id, kind, n))
            else:
                results.append(export(bench, practitioner, case, kind, n))
        HELD_OUT.clear()
    return results


# -- running ---------------------------------------------------------------------------------------------------------


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, help="a file of held-out digressions to make instead of our own")
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ["FA_VAR_DIR"] = tempfile.mkdtemp(prefix="fa-bench-digressions-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CASEFILE_DATABASE_URL", None)
    import socket

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    os.environ["FA_RASA_PORT"], os.environ["FA_ACTION_PORT"] = str(free_port()), str(free_port())
    from bot.cli import model_path, send, start_servers, stop_servers
    from bot.settings import load_settings
    from casefile import CaseFile, Identity

    settings = load_settings()
    model = model_path(settings)
    if not model.exists():
        print(f"No trained model for the current data ({model.name}): run .venv/bin/python -m bot train")
        return 2
    processes = start_servers(settings, model)
    store = CaseFile(settings.casefile_database_url)
    team = f"Bench {uuid.uuid4().hex[:6]}"

    def register(role: str, first_name: str) -> tuple[Chat, str]:
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        name = f"{first_name} {uuid.uuid4().hex[:6].capitalize()}"
        store.staff.add(name, role, team, {"terminal": sender}, operator=Identity("terminal", "bench"))
        return Chat(lambda who, message: send(settings, who, message), sender), name

    started = time.monotonic()
    try:
        bench = Bench(lambda who, message: send(settings, who, message))
        if args.heldout:
            results = heldout_conversations(bench, register, args.heldout)
        else:
            results = walkthrough_conversations(bench) + casefile_conversations(bench, register)
    finally:
        stop_servers(processes)
        store.database.dispose()
    report(results, time.monotonic() - started)
    return 0


def report(results: list[Result], seconds: float) -> None:
    passed = sum(r.ok for r in results)
    print(f"Digressions inside forms: {passed}/{len(results)} conversations ({100 * passed / len(results):.1f}%)")
    print(f"answered as outside the form, resumed in one line, right outcome; {seconds:.0f} s")
    by_form, by_kind = Counter(), Counter()
    ok_form, ok_kind = Counter(), Counter()
    for r in results:
        by_form[r.form] += 1
        by_kind[r.kind] += 1
        ok_form[r.form] += r.ok
        ok_kind[r.kind] += r.ok
    print("\nby form:")
    for form, total in by_form.items():
        print(f"  {form:<28} {ok_form[form]}/{total}")
    print("by kind:")
    for kind, total in by_kind.items():
        print(f"  {kind:<28} {ok_kind[kind]}/{total}")
    failed = [r for r in results if not r.ok]
    if failed:
        print("\nfailures:")
        for r in failed:
            print(f"- {r.form}, {r.kind} at {r.where}: {r.failures[0]}")


if __name__ == "__main__":
    sys.exit(main())

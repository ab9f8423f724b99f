"""Learning the Framework in conversation: guided paths, practice cases with feedback, the learner's progress, its
export for supervision and sharing it with a manager."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.casefile_turn import ANONYMOUS, call, case_file, identity, is_manager, log_failure
from actions.common import button, entity_values, text_of
from bot.learning_progress import LearningInputError, LearningProgress, Review, scorecard_line
from bot.settings import learning_progress, load_settings
from casefile.staff import your_id
from casefile.views import StaffMember
from knowledge.learning_paths import GuidedPath, PathStep, areas, load_paths, mark, path_for
from knowledge.moments import london
from knowledge.practice_cases import Vignette, feedback, load_templates, practice_case, vignette
from knowledge.walkthroughs import load_walkthroughs

PENDING = "learning_question"  # the slot holding the question last asked, so that a typed answer finds it
UNREACHABLE = "I couldn't reach your learning record just now, so nothing was saved. Please try again in a few minutes."
NOT_REGISTERED = (
    "Learning the Framework keeps a record of your progress, so it is for registered staff. To be registered, give "
    "your Service Manager or administrator this id: {id}."
)
ANONYMOUS_REFUSED = (
    "Learning the Framework keeps your progress, so it is reached only from Microsoft Teams, Telegram or the terminal "
    "chat, where you are known. Nothing was saved."
)
# Telegram is not end-to-end encrypted: it is sent no staff names (the case file's rule, bot/case_content.py), so
# sharing and the manager's view, which name people, happen elsewhere, and the export there names no one.
TELEGRAM = "telegram"
NAMES_NOT_ON_TELEGRAM = (
    "Telegram is not end-to-end encrypted, so it is sent no staff names: share your progress, or see what was "
    "shared with you, from Microsoft Teams or the terminal chat."
)
YOURS = "The decision stays yours, with your Service Manager (Framework 1.14-1.16)."
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "a": 0, "b": 1, "c": 2, "d": 3}
PROGRESS_BUTTON = button("How am I doing?", "/learning_progress")
PRACTICE_BUTTON = button("Give me a practice case", "/practice_case")


def store() -> LearningProgress:
    return learning_progress()


async def admitted(dispatcher: CollectingDispatcher, tracker: Tracker) -> tuple[str, StaffMember | None] | None:
    """The learner and their staff entry, if they may learn here; otherwise say why not and None.

    Registered staff learn as "staff:<number>", so that their progress is one record whichever channel they use;
    unregistered learners (where allowed) as the channel's identity, "telegram:<id>"."""
    actor = identity(tracker)
    if actor == ANONYMOUS:
        dispatcher.utter_message(text=ANONYMOUS_REFUSED)
        return None
    try:
        me = await call(case_file().staff.find_by_identity, actor.channel, actor.external_id)
    except Exception:
        log_failure("The staff directory could not tell whether a learner is registered")
        dispatcher.utter_message(text=UNREACHABLE)
        return None
    if me is not None:
        return f"staff:{me.id}", me
    if not load_settings().allow_unregistered_learners:
        dispatcher.utter_message(text=NOT_REGISTERED.format(id=your_id(actor)))
        return None
    return f"{actor.channel}:{actor.external_id}", None


async def stored(dispatcher: CollectingDispatcher, method, *args: Any) -> tuple[bool, Any]:
    """The store's answer, or (False, None) after telling the learner it could not be reached or refused."""
    try:
        return True, await call(method, *args)
    except LearningInputError as error:
        dispatcher.utter_message(text=str(error))
    except Exception:
        log_failure("The learning progress store failed during %s", getattr(method, "__name__", method))
        dispatcher.utter_message(text=UNREACHABLE)
    return False, None


# -- what is asked -----------------------------------------------------------------------------------------------------


def area_title(area: str) -> str:
    return areas().get(area, area.replace("_", " ").capitalize())


def step_item(path: GuidedPath, index: int) -> str:
    """A path step's key in the learner's record: "screening.2" for the second step of the screening path."""
    return f"{path.key}.{index + 1}"


def find_step(item: str) -> tuple[GuidedPath, int] | None:
    key, _, number = item.rpartition(".")
    path = load_paths().get(key)
    if path is None or not number.isdigit() or not 1 <= int(number) <= len(path.steps):
        return None
    return path, int(number) - 1


def find_vignette(item: str) -> Vignette | None:
    try:
        return vignette(item)
    except ValueError:
        return None


def describe(item: str) -> str:
    """How an item is named in the learner's export, beside its area: a path's step, or a practice case."""
    step = find_step(item)
    if step is not None:
        path, index = step
        named = "guided path" if path.title == area_title(path.area) else f"guided path {path.title}"
        return f"{named}, step {index + 1} (Framework {path.steps[index].cite})"
    case = find_vignette(item)
    if case is not None:
        return f"practice case {item} ({load_walkthroughs()[case.walkthrough].title})"
    return item


def answer_payload(item: str, choice: str) -> str:
    return "/learning_answer" + json.dumps({"learning_item": item, "learning_choice": choice})


def quoted(cite: str, quote: str) -> str:
    return f"\u201c{quote}\u201d (Framework {cite})"


def ask_step(dispatcher: CollectingDispatcher, path: GuidedPath, index: int, revisit: bool = False) -> list[EventType]:
    """A step: its passage word for word with its number, the note in plain words, and its check as buttons; coming
    back to a step asks its check alone, since the passage is what it tests."""
    step = path.steps[index]
    item = step_item(path, index)
    if revisit:
        text = f"Back to *{path.title}*, step {index + 1}: {step.check.prompt}"
    else:
        lines = [f"*{path.title}*: step {index + 1} of {len(path.steps)}", quoted(step.cite, step.quote)]
        if step.note:
            lines.append(f"In plain words: {step.note}")
        lines.append(f"Check: {step.check.prompt}")
        text = "\n".join(lines)
    buttons = [button(option, answer_payload(item, str(i))) for i, option in enumerate(step.check.options)]
    dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet(PENDING, item)]


def ask_case(dispatcher: CollectingDispatcher, case: Vignette, revisit: bool = False) -> list[EventType]:
    """A practice case in practitioners' words, with its outcomes as buttons."""
    title = load_walkthroughs()[case.walkthrough].title
    lead = "Back to a practice case from earlier" if revisit else "Practice case"
    text = f"{lead} ({title}):\n{case.text}\n\nWhat does the Framework require?"
    buttons = [button(choice.title, answer_payload(case.id, choice.code)) for choice in case.choices]
    dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet(PENDING, case.id)]


def ask_again(dispatcher: CollectingDispatcher, review: Review) -> list[EventType] | None:
    """A queued item asked again; None if it no longer exists (the paths or practice cases changed since)."""
    step = find_step(review.item)
    if step is not None:
        return ask_step(dispatcher, *step, revisit=True)
    case = find_vignette(review.item)
    return ask_case(dispatcher, case, revisit=True) if case is not None else None


async def offer_due(dispatcher: CollectingDispatcher, learner: str) -> list[EventType] | None:
    """The first item due again, asked; None when nothing is due (or nothing due still exists)."""
    ok, due = await stored(dispatcher, store().due, learner)
    if not ok:
        return []
    for review in due:
        events = ask_again(dispatcher, review)
        if events is not None:
            return events
    return None


# -- reading an answer -------------------------------------------------------------------------------------------------


def chosen(text: str, options: list[tuple[str, str]]) -> str | None:
    """The value of the option a typed answer picks: by number, "the second one", or the option's own words."""
    said = " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
    for value, words in options:
        if said == " ".join(re.sub(r"[^\w\s]", " ", words.lower()).split()):
            return value
    for word in said.split():
        if word.isdigit() and 1 <= int(word) <= len(options):
            return options[int(word) - 1][0]
    for word, index in ORDINALS.items():
        if len(word) > 1 and re.search(rf"\b{word}\b", said) and index < len(options):
            return options[index][0]
    match = re.search(r"\boption\s+([a-d])\b", said)
    if match and ORDINALS[match.group(1)] < len(options):
        return options[ORDINALS[match.group(1)]][0]
    found = [value for value, words in options if words.lower() in text.lower()]
    return found[0] if len(found) == 1 else None


def options_of(item: str) -> list[tuple[str, str]]:
    step = find_step(item)
    if step is not None:
        path, index = step
        return [(str(i), option) for i, option in enumerate(path.steps[index].check.options)]
    case = find_vignette(item)
    return [(c.code, c.title) for c in case.choices] if case is not None else []


# -- the actions -------------------------------------------------------------------------------------------------------


class ActionStartLearningPath(Action):
    """Starts the guided path a message asks for ("teach me screening"), or offers them all as buttons."""

    def name(self) -> str:
        return "action_start_learning_path"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if await admitted(dispatcher, tracker) is None:
            return []
        named = next(iter(entity_values(tracker, "learning_path")), None)
        path = load_paths().get(named) if isinstance(named, str) else None
        text = text_of(tracker)
        path = path or (path_for(text) if not text.startswith("/") else None)
        if path is None:
            dispatcher.utter_message(
                text="Which area would you like to learn? Each path is a few passages of the Framework, each with a "
                "short check.",
                buttons=[
                    button(p.title, "/learn_path" + json.dumps({"learning_path": p.key})) for p in load_paths().values()
                ],
            )
            return []
        return ask_step(dispatcher, path, 0)


class ActionPracticeCase(Action):
    """What is due again comes first; otherwise a new practice case, on the area the message names if any."""

    def name(self) -> str:
        return "action_practice_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        learner = await admitted(dispatcher, tracker)
        if learner is None:
            return []
        events = await offer_due(dispatcher, learner[0])
        if events is not None:
            return events
        templates = load_templates()
        text = text_of(tracker)
        said = " ".join(text.lower().replace("_", " ").split())
        named = [w for w in entity_values(tracker, "walkthrough") if w in templates]
        named = named or [name for name in templates if not text.startswith("/") and name.replace("_", " ") in said]
        path = path_for(text) if not text.startswith("/") else None
        if not named and path is not None:
            named = [t.name for t in templates.values() if t.area == path.area]
            if not named:
                dispatcher.utter_message(
                    text=f"The practice cases cover {practice_areas()}. For {path.title}, the guided path has its "
                    "own checks.",
                    buttons=[button(f"Learn {path.title}", "/learn_path" + json.dumps({"learning_path": path.key}))],
                )
                return []
        return ask_case(dispatcher, practice_case(random.Random(), random.choice(named) if named else None))


def practice_areas() -> str:
    titles = list(dict.fromkeys(area_title(t.area) for t in load_templates().values()))
    return ", ".join(titles[:-1]) + " and " + titles[-1] if len(titles) > 1 else "".join(titles)


class ActionLearningAnswer(Action):
    """Marks the answer to a check or a practice case, keeps it, and goes on: the next step, or what is due next."""

    def name(self) -> str:
        return "action_learning_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        admitted_as = await admitted(dispatcher, tracker)
        if admitted_as is None:
            return []
        learner = admitted_as[0]
        item = next(iter(entity_values(tracker, "learning_item")), None) or tracker.get_slot(PENDING)
        options = options_of(item) if isinstance(item, str) else []
        if not options:
            dispatcher.utter_message(
                text="I don't have a question waiting for that answer. Start a guided path or a practice case.",
                buttons=[button("Choose a guided path", "/learn_path"), PRACTICE_BUTTON],
            )
            return [SlotSet(PENDING, None)]
        choice = next(iter(entity_values(tracker, "learning_choice")), None)
        if choice not in {value for value, _ in options}:
            choice = chosen(text_of(tracker), options)
        if choice is None:
            dispatcher.utter_message(
                text="I couldn't tell which answer you chose. Please pick one of these:",
                buttons=[button(words, answer_payload(item, value)) for value, words in options],
            )
            return []
        ok, due = await stored(dispatcher, store().due, learner)
        if not ok:
            return []
        revisiting = any(review.item == item for review in due)
        step = find_step(item)
        if step is not None:
            path, index = step
            text, area = step_feedback(path.steps[index], int(choice)), path.area
            correct = mark(path.steps[index], int(choice)).correct
        else:
            case = vignette(item)
            text, area = case_feedback(case, choice), case.area
            correct = feedback(case, choice).correct
        ok, review = await stored(dispatcher, store().record, learner, item, area, correct)
        if not ok:
            return []
        if review is not None:
            text += f"\nThis comes back on {london(review.due_at)}."
        elif revisiting:
            text += "\nThat one has now left your queue."
        if step is not None and not revisiting and index + 1 < len(path.steps):
            dispatcher.utter_message(text=text)
            return ask_step(dispatcher, path, index + 1)
        if revisiting:
            dispatcher.utter_message(text=text)
            events = await offer_due(dispatcher, learner)
            if events is not None:
                return events
            dispatcher.utter_message(text="That is everything due for now.", buttons=[PRACTICE_BUTTON, PROGRESS_BUTTON])
            return [SlotSet(PENDING, None)]
        if step is not None:
            text += f"\nThat is the end of *{path.title}*."
        more = button("Another practice case", "/practice_case") if step is None else PRACTICE_BUTTON
        dispatcher.utter_message(text=text, buttons=[more, PROGRESS_BUTTON])
        return [SlotSet(PENDING, None)]


def step_feedback(step: PathStep, choice: int) -> str:
    """Right, or the right answer and the passage that decides it, word for word with its number."""
    marked = mark(step, choice)
    if marked.correct:
        return f"Right: {step.check.options[step.check.answer]} (Framework {marked.cite})."
    return (
        f"Not quite. The answer is: {step.check.options[step.check.answer]}. The passage that decides it:\n"
        + quoted(marked.cite, marked.quote)
    )


def case_feedback(case: Vignette, choice: str) -> str:
    """The Framework's answer, its rule word for word, why each other outcome is wrong here, and any judgement."""
    given = feedback(case, choice)
    lines = ["Right." if given.correct else "Not this time."]
    lines.append(f"The Framework's answer: {given.framework_answer}")
    lines += [quoted(cite, quote) for cite, quote in given.rule]
    if given.why_not:
        lines.append("Why not the others:")
        order = sorted(given.why_not, key=lambda code: code != choice)
        lines += [f"\u2022 {given.why_not[code]}" for code in order]
    if given.judgement:
        lines.append(given.judgement)
    lines.append(YOURS)
    return "\n".join(lines)


class ActionLearningProgress(Action):
    """ "How am I doing?": per area, answers, right answers and what comes back when."""

    def name(self) -> str:
        return "action_learning_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        admitted_as = await admitted(dispatcher, tracker)
        if admitted_as is None:
            return []
        ok, scores = await stored(dispatcher, store().scorecard, admitted_as[0])
        if not ok:
            return []
        if not scores:
            dispatcher.utter_message(
                text='Nothing answered yet. Try "teach me screening" or "give me a practice case".',
                buttons=[button("Choose a guided path", "/learn_path"), PRACTICE_BUTTON],
            )
            return []
        lines = ["Your learning so far:"] + [f"\u2022 {scorecard_line(titled(score))}" for score in scores]
        due = sum(score.due_now for score in scores)
        buttons = [button(f"Revisit {due} due now", "/practice_case")] if due else [PRACTICE_BUTTON]
        lines.append("Only you see this, unless you share it with your manager.")
        dispatcher.utter_message(
            text="\n".join(lines), buttons=[*buttons, button("Export my learning record", "/export_learning_record")]
        )
        return []


def titled(score):
    return dataclasses.replace(score, area=area_title(score.area))


class ActionExportLearningRecord(Action):
    """The learner's own record as plain text, for supervision: no case content, since there is none."""

    def name(self) -> str:
        return "action_export_learning_record"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        admitted_as = await admitted(dispatcher, tracker)
        if admitted_as is None:
            return []
        learner, me = admitted_as
        actor = identity(tracker)
        named = me is not None and actor.channel != TELEGRAM
        who = f"{me.name}, {me.team}" if named else your_id(actor)
        ok, export = await stored(dispatcher, export_record, learner, f"Learning record of {who}", named)
        if ok:
            dispatcher.utter_message(text=export)
        return []


def export_record(learner: str, heading: str, named: bool) -> str:
    """The export, and who it is shared with: by name, or (where no names may go) how many."""
    progress = store()
    text = progress.export(learner, heading, describe=describe, name_area=area_title)
    shared = progress.shared_with(learner)
    if not shared:
        return text + "\n\nNot shared with any manager."
    if not named:
        return text + f"\n\nShared with {len(shared)} manager{'s' if len(shared) > 1 else ''}."
    managers = {s.id: s.name for s in (e.staff for e in case_file().staff.list_staff(include_inactive=True))}
    return text + "\n\nShared with: " + ", ".join(managers.get(i, f"staff {i}") for i in shared)


class ActionShareLearningProgress(Action):
    """Shares the learner's progress with the manager they name (or tap), or stops sharing it."""

    def name(self) -> str:
        return "action_share_learning_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        admitted_as = await admitted(dispatcher, tracker)
        if admitted_as is None:
            return []
        learner, me = admitted_as
        if identity(tracker).channel == TELEGRAM:
            dispatcher.utter_message(text=NAMES_NOT_ON_TELEGRAM)
            return []
        if me is None:
            dispatcher.utter_message(
                text="Only registered staff can share their progress, since a manager is found in the staff "
                f"directory. To be registered, give your Service Manager this id: {your_id(identity(tracker))}."
            )
            return []
        try:
            staff = [e.staff for e in await call(case_file().staff.list_staff)]
        except Exception:
            log_failure("The staff directory could not list managers for sharing learning progress")
            dispatcher.utter_message(text=UNREACHABLE)
            return []
        managers = [s for s in staff if is_manager(s) and s.id != me.id]
        named = next(iter(entity_values(tracker, "learning_manager")), None)
        if named == "none":
            ok, stopped = await stored(dispatcher, store().stop_sharing, learner)
            if ok:
                dispatcher.utter_message(
                    text="No manager sees your progress now." if stopped else "You were not sharing it with anyone."
                )
            return []
        manager = next((m for m in managers if str(m.id) == str(named)), None)
        said = " ".join(text_of(tracker).lower().split())
        manager = manager or next((m for m in managers if m.name.lower() in said), None)
        if manager is None:
            ok, shared = await stored(dispatcher, store().shared_with, learner)
            if not ok:
                return []
            mine = [m for m in managers if m.team == me.team] or managers
            buttons = [
                button(m.name, "/share_learning_progress" + json.dumps({"learning_manager": str(m.id)})) for m in mine
            ]
            if shared:
                buttons.append(button("Stop sharing", '/share_learning_progress{"learning_manager": "none"}'))
            dispatcher.utter_message(
                text="Which manager should see your progress? They will see your scorecard (areas, answers, what "
                "comes back when), nothing else, until you stop sharing it."
                if mine
                else "There is no manager in the staff directory to share your progress with.",
                buttons=buttons or None,
            )
            return []
        ok, _new = await stored(dispatcher, store().share, learner, manager.id)
        if ok:
            dispatcher.utter_message(
                text=f"{manager.name} can now see your learning scorecard when they ask for their team's learning. "
                'Say "share my progress" again to stop sharing.'
            )
        return []


class ActionSharedLearning(Action):
    """A manager's view of the scorecards learners chose to share with them, and nothing else."""

    def name(self) -> str:
        return "action_shared_learning"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        admitted_as = await admitted(dispatcher, tracker)
        if admitted_as is None:
            return []
        me = admitted_as[1]
        if identity(tracker).channel == TELEGRAM:
            dispatcher.utter_message(text=NAMES_NOT_ON_TELEGRAM)
            return []
        if me is None or not is_manager(me):
            dispatcher.utter_message(
                text="Learners share their progress with their managers; only a manager sees what was shared with "
                'them. For your own progress, say "how am I doing?".',
                buttons=[PROGRESS_BUTTON],
            )
            return []
        ok, lines = await stored(dispatcher, shared_scorecards, me.id)
        if ok:
            dispatcher.utter_message(text="\n".join(lines))
        return []


def shared_scorecards(manager_id: int) -> list[str]:
    progress = store()
    learners = progress.learners_sharing_with(manager_id)
    if not learners:
        return ["No one has shared their learning progress with you."]
    names = {
        f"staff:{entry.staff.id}": entry.staff.name for entry in case_file().staff.list_staff(include_inactive=True)
    }
    lines = ["Learning progress shared with you:"]
    for learner in learners:
        scores = progress.scorecard(learner)
        lines.append(f"{names.get(learner, learner)}:")
        lines += [f"  \u2022 {scorecard_line(titled(s))}" for s in scores] or ["  nothing answered yet"]
    return lines

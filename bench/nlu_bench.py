"""Benchmark on the held-out questions: intent macro-F1, whether the reply leads with a passage that answers, and BM25.

Usage: .venv/bin/python -m bench.nlu_bench [--show-errors] [--heldout FILE ...] [--model FILE]
The held-out sets (bench/data/heldout_*.yml) are never trained on. The model is the one
`make train` built for the current data unless --model names another. Each question lists the passages that answer
it (`passages`, best first, or `cites`) and may name its intent (`intent`) and a key phrase (`key_phrase`).
For each set it prints: the reply's lead passage is correct (top-1); a correct passage is among the first two quoted;
any passage the reply cites is correct; the area overview would cite a correct one (the figure before passages were
ranked); the key phrase is in the reply; BM25's top passage alone; the mean reply length; and the time to parse the
message and rank the passages (p95).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
from collections import Counter
from pathlib import Path

import yaml
from rasa.utils.log_utils import configure_structlog

from knowledge.answers import Answer, define, nearest_answer, passages_answer, question_answer, undefined_term_answer
from knowledge.facts import rule_in_play
from knowledge.framework import load_framework, normalise
from knowledge.offence_answers import offence_answer
from knowledge.passages import passage_ranker
from knowledge.search import framework_index
from knowledge.topics import topic_answer, topic_for_intent
from knowledge.urgent import urgent_guidance

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("LOG_LEVEL", "WARNING")


HELDOUT = sorted((ROOT / "bench" / "data").glob("heldout_*.yml"))


def cited_by_assistant(intent: str, text: str) -> set[str]:
    """The passages the assistant's answer to this message would cite, given the predicted intent."""
    fw = load_framework()
    topic = topic_for_intent(intent)
    if topic:
        cites = topic_answer(topic).citations
    elif intent == "urgent_danger":
        cites = urgent_guidance().citations
    elif intent == "show_paragraph":
        cites = tuple(fw.references_in(text))
    elif intent == "define_term":
        answer = define(text)
        cites = answer.citations if answer else ()
    elif intent == "offence_lookup":
        cites = ("Appendix II",)
    else:
        cites = ()
    return {c.removeprefix("box:") for c in cites}


def macro_f1(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    labels = sorted({gold for gold, _ in pairs})
    scores = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return sum(scores.values()) / len(scores), scores


def reply_for(intent: str, ranking: list[tuple[str, float]], text: str) -> Answer | None:
    """The answer the assistant gives this message for the predicted intent (as actions/guidance.py composes it, and
    for a decision question the walkthrough's opening)."""
    fw = load_framework()
    if intent.startswith("decide_"):  # a decision question starts its walkthrough, which opens with the rule in play
        rule = rule_in_play(intent.removeprefix("decide_"), text, ranking)
        return Answer(f"{rule.quote} ({rule.cite})", (rule.cite,)) if rule else None
    if topic_for_intent(intent):
        return question_answer(text, ranking) or topic_answer(topic_for_intent(intent))
    if intent == "urgent_danger":
        urgent = urgent_guidance()
        also = ranking[1] if len(ranking) > 1 else None
        answer = (
            question_answer(text, ranking[1:], already=urgent.citations)
            if also and also[1] >= 0.5 and topic_for_intent(also[0])
            else None
        )
        cites = urgent.citations + (answer.citations if answer else ())
        return Answer(urgent.text + ("\n\n" + answer.text if answer else ""), cites)
    if intent == "show_paragraph":
        refs = fw.references_in(text)
        return passages_answer(refs) if refs else None
    if intent == "define_term":
        return define(text) or undefined_term_answer(text, ranking)
    if intent == "offence_lookup":
        return offence_answer(text)
    if intent == "nlu_fallback":
        return nearest_answer(text, ranking)
    return None


async def predict(model: Path, texts: list[str]) -> tuple[list[list[tuple[str, float]]], list[float]]:
    """Each message's intent ranking, and the milliseconds parsing and ranking took (the model loaded and warmed)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    await agent.parse_message("hello")
    ranker = passage_ranker()
    rankings, times = [], []
    for text in texts:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        ranking = [(r["name"], r["confidence"]) for r in parsed.get("intent_ranking") or [parsed["intent"]]]
        ranker.rank(text, ranking)
        times.append((time.perf_counter() - started) * 1000)
        rankings.append(ranking)
    return rankings, times


def gold_passages(question: dict) -> list[str]:
    return [str(p).removeprefix("box:") for p in question.get("passages") or question.get("cites") or []]


def gold_intent(question: dict) -> str | None:
    """The intent a question is labelled with; set 4's `area` names question areas in its writers' words, not
    intents, so it is not scored as one."""
    return question.get("intent")


def share(count: int, total: int) -> str:
    return f"{count / total:10.1%}" if total else f"{'-':>10}"


def report(
    heldout: Path, questions: list[dict], rankings: list[list[tuple[str, float]]], times: list[float], show: bool
) -> None:
    predicted = [r[0][0] if r else "nlu_fallback" for r in rankings]
    pairs = [(gold_intent(q), p) for q, p in zip(questions, predicted) if gold_intent(q)]
    index = framework_index()
    scored = [(q, r, p) for q, r, p in zip(questions, rankings, predicted) if gold_passages(q)]
    lead = first_two = any_cited = overview = bm25 = keyed = key_found = choices = 0
    lengths = []
    misses = []
    for q, ranking, intent in scored:
        gold = set(gold_passages(q))
        reply = reply_for(intent, ranking, q["text"])
        cites = [c.removeprefix("box:") for c in (reply.citations if reply else ())]
        lead += bool(cites) and cites[0] in gold
        first_two += bool(gold & set(cites[:2]))
        any_cited += bool(gold & set(cites))
        overview += bool(cited_by_assistant(intent, q["text"]) & gold)
        hits = index.search(q["text"], limit=1)
        bm25 += bool(hits and hits[0].passage.ref.removeprefix("box:") in gold)
        lengths.append(len(reply.text) if reply else 0)
        choices += intent == "nlu_fallback" and reply is None
        if q.get("key_phrase"):
            keyed += 1
            key_found += bool(reply) and normalise(q["key_phrase"]).lower() in normalise(reply.text).lower()
        if not (cites and cites[0] in gold):
            misses.append((q["text"], sorted(gold), cites[:2], intent))
    n = len(scored)
    print(f"\nHeld-out questions: {len(questions)} ({n} with passages), {heldout.relative_to(ROOT)}")
    if pairs:
        f1, per_intent = macro_f1(pairs)
        accuracy = sum(g == p for g, p in pairs) / len(pairs)
        print(f"{'intent macro-F1 / accuracy':44}{f1:10.3f}{accuracy:10.3f}")
    print(f"{'lead passage correct (top-1)':44}{share(lead, n)}")
    print(f"{'a correct passage among the first two':44}{share(first_two, n)}")
    print(f"{'any passage the reply cites correct':44}{share(any_cited, n)}")
    print(f"{'area overview cites a correct one (before)':44}{share(overview, n)}")
    print(f"{'key phrase in the reply':44}{share(key_found, keyed)}  ({keyed} with a key phrase)")
    print(f"{'BM25 top passage correct':44}{share(bm25, n)}")
    print(f"{'mean reply length (characters)':44}{statistics.mean(lengths) if lengths else 0:10.0f}")
    print(f"{'classifier unsure':44}{share(Counter(predicted)['nlu_fallback'], len(questions))}")
    print(f"{'  of which offered choices, not a passage':44}{share(choices, n)}")
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0
    print(f"NLU and ranking: mean {statistics.mean(times) if times else 0:.1f} ms, p95 {p95:.1f} ms a message")
    if pairs:
        weakest = sorted(per_intent.items(), key=lambda kv: kv[1])[:8]
        print("weakest intents (F1): " + ", ".join(f"{k} {v:.2f}" for k, v in weakest))
    if show:
        for text, gold, got, intent in misses:
            print(f"  {intent:>26} {','.join(gold):>20} -> {','.join(got):<20} {text}")


def main() -> None:
    from bot.cli import model_path
    from bot.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--heldout", type=Path, nargs="+", default=HELDOUT)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    configure_structlog(logging.WARNING)  # Rasa logs each parse through structlog, unfiltered unless configured
    model = args.model or model_path(load_settings())
    print(f"Model: {model.name}")
    for heldout in args.heldout:
        questions = yaml.safe_load(heldout.resolve().read_text(encoding="utf-8"))["questions"]
        rankings, times = asyncio.run(predict(model, [q["text"] for q in questions]))
        report(heldout.resolve(), questions, rankings, times, args.show_errors)


if __name__ == "__main__":
    main()

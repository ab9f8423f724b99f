"""Framework Appendix II ("Adults who pose a risk to children") as data, and a lookup that finds
an offence on its schedule however a police check or a practitioner writes it.

`python -m knowledge.offence_schedule` rewrites knowledge/data/offence_schedule.json from
knowledge/source/framework.txt. Other names of the offences and Acts live in
knowledge/data/offence_aliases.yml.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent
SOURCE = HERE / "source" / "framework.txt"
DATA = HERE / "data" / "offence_schedule.json"
ALIASES = HERE / "data" / "offence_aliases.yml"

CITATION = "Appendix II"
TITLE = "Adults who pose a risk to children"
HEADER = ("Offence", "Section", "Act")
COMMON_LAW = "Common Law"
SECTION_CELL = re.compile(r"^Section (\d+)$")
# A table line that carries a Section cell: counted straight from the source so the loader can
# tell whether any row was lost or invented on the way.
TABLE_ROW_LINE = re.compile(r"\t(?:Section \d+|Common Law)\t")

# Scores run from 0 to 100. A statute reference (Act and section) or the offence's name alone
# reaches 90; both together reach 100.
STATUTE_SCORE = 90
SECTION_ONLY_SCORE = 60
NAME_BASE, NAME_RECALL, NAME_PRECISION = 40, 25, 25
AGREEMENT_BONUS = 10
ACT_NAMED_BONUS = 5
ORDER_PENALTY = 2  # a name's words found apart or out of order rank below the name written whole
AMBIGUITY_MARGIN = 5
# How many words may stand between a section number and its Act ("section 1 of the CYPA").
SECTION_ACT_GAP = 4

SECTION_WORDS = ("s", "ss", "sec", "sect", "section", "sections")
# Words that say nothing about which offence is meant: grammar, and the words of police
# printouts and questions around an offence (disposals, courts, "is it on the list").
STOPWORDS = frozenset(
    """a an and or the of to on in at by for from with as is was are were be been being has have had
    having his her him he she they them their its it this that these those such any etc who whom what
    which whether does do did i me my we our you your can could should would will there here about
    under aged age old year years yr yrs month months week weeks day days s ss sec sect section
    sections contrary offence offences conviction convictions convicted caution cautions cautioned
    charged reprimand warning final court mc cc magistrates crown sentence sentenced discharge
    conditional absolute fine fined custody suspended community order imp list listed schedule
    appendix ii offender previous previously history record got dad mum father mother stepfather
    stepmother partner ex""".split()
)
# Police printouts cut subsections off with brackets: s.9(1)(a).
_SUBSECTION = re.compile(r"(?<=\d)(?:\s*\((?:\d+[a-z]?|[a-z]{1,4})\))+")
_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_DOTTED = re.compile(r"\b[a-z](?:\.[a-z])+\.?(?![a-z0-9])")
_POSSESSIVE = re.compile(r"['’]s\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_SEGMENT_BREAK = re.compile(r"[\n\r;|•]+|(?<=[a-z]{3})(?<!etc)\.\s+(?=[A-Z])|(?<=\d{4})\.\s+(?=[A-Z])")
_PARENTHESIS = re.compile(r"\s*\(([^)]*)\)")
_SUFFIXES = ("ings", "ing", "ments", "ment", "ations", "ation", "ions", "ion", "edly", "ed", "ly", "es", "s", "e")


class OffenceScheduleError(ValueError):
    """The offence schedule or its aliases are missing, stale or inconsistent with the Framework."""


# --- The schedule as data ------------------------------------------------------------------


def parse_schedule(framework_text: str) -> dict:
    """Appendix II as printed: the guidance before the table, its rows and the notes beneath it."""
    lines = framework_text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == TITLE)
        header = next(i for i in range(start, len(lines)) if tuple(c.strip() for c in lines[i].split("\t")) == HEADER)
        notes_at = next(i for i in range(header, len(lines)) if lines[i].strip() == "Notes:")
    except StopIteration:
        raise OffenceScheduleError(
            f"cannot find Appendix II in the Framework text: expected a line '{TITLE}', then the table "
            "header 'Offence<TAB>Section<TAB>Act', then a line 'Notes:'"
        ) from None
    rows: list[dict] = []
    for number, line in enumerate(lines[header + 1 : notes_at], start=header + 2):
        if not line.strip():
            continue
        offence, section, act = ([c.strip() for c in line.split("\t")] + ["", ""])[:3]
        if section:
            if section != COMMON_LAW and not SECTION_CELL.match(section):
                raise OffenceScheduleError(f"framework line {number}: unexpected Section cell {section!r}")
            rows.append({"offence": offence, "section": section, "act": act or None})
        elif rows:
            # The source splits this row across lines: the rest of the previous row's cells.
            rows[-1]["offence"] = f"{rows[-1]['offence']} {offence}".strip()
            if act:
                rows[-1]["act"] = f"{rows[-1]['act'] or ''} {act}".strip()
        else:
            raise OffenceScheduleError(f"framework line {number}: table text before the first row: {line!r}")
    notes = []
    for line in lines[notes_at + 1 :]:
        text = line.strip()
        if not text:
            continue
        if not text.startswith("- "):
            break
        notes.append(text[2:].strip())
    return {
        "appendix": "II",
        "citation": CITATION,
        "title": TITLE,
        "guidance": [line.strip() for line in lines[start + 1 : header] if line.strip()],
        "columns": list(HEADER),
        "rows": rows,
        "notes": notes,
        "expected_row_count": sum(1 for line in lines[header + 1 : notes_at] if TABLE_ROW_LINE.search(line)),
    }


def write_schedule(source: Path = SOURCE, output: Path = DATA) -> dict:
    """Parse the Framework's Appendix II and write it, validated, as commit-ready JSON."""
    text = source.read_text(encoding="utf-8")
    data = parse_schedule(text)
    data["source_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    _raise_if(_schedule_problems(data), "the offence schedule parsed from the Framework is not valid")
    output.write_text(json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


@dataclass(frozen=True)
class OffenceRow:
    """One row of the Appendix II table, exactly as printed."""

    offence: str
    section: str
    act: str | None
    citation: str = CITATION

    @property
    def key(self) -> str:
        """How data files name the row: "Section 47, <Act>", or "<Offence>, Common Law"."""
        return f"{self.offence}, {COMMON_LAW}" if self.act is None else f"{self.section}, {self.act}"


@dataclass(frozen=True)
class Schedule:
    """Appendix II: the guidance before the table, the table's rows and the notes beneath it."""

    title: str
    guidance: tuple[str, ...]
    rows: tuple[OffenceRow, ...]
    notes: tuple[str, ...]
    citation: str = CITATION

    def row(self, key: str) -> OffenceRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(f"no row {key!r} in {CITATION}")


def _raise_if(problems: list[str], what: str) -> None:
    if problems:
        raise OffenceScheduleError(f"{what}:\n- " + "\n- ".join(problems))


def _schedule_problems(data: dict) -> list[str]:
    problems = []
    rows = data.get("rows")
    if not isinstance(rows, list) or not rows:
        return ["there are no rows"]
    expected = data.get("expected_row_count")
    if expected != len(rows):
        problems.append(f"the table has {len(rows)} rows but the Framework's table has {expected}")
    keys: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(f"row {number} is not an offence, section and act")
            continue
        offence = row.get("offence") if isinstance(row.get("offence"), str) else ""
        section = row.get("section") if isinstance(row.get("section"), str) else ""
        act = row.get("act")
        name = offence.strip() or "?"
        if not offence.strip():
            problems.append(f"row {number} has no offence")
        if not section.strip():
            problems.append(f"row {number} ({name}) has no section")
        elif section != COMMON_LAW and not SECTION_CELL.match(section):
            problems.append(f"row {number} ({name}) has section {section!r}, not 'Section N' or '{COMMON_LAW}'")
        elif section == COMMON_LAW and act is not None:
            problems.append(f"row {number} ({name}) is Common Law but names an Act")
        elif section != COMMON_LAW and not (isinstance(act, str) and act.strip()):
            problems.append(f"row {number} ({name}) has no Act")
        key = f"{offence}, {COMMON_LAW}" if section == COMMON_LAW else f"{section}, {act}"
        if key in keys:
            problems.append(f"row {number} repeats {key!r}")
        keys.add(key)
    for part in ("guidance", "notes"):
        texts = data.get(part)
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            problems.append(f"the {part} are missing or empty")
    return problems


@lru_cache(maxsize=4)
def load_schedule(path: Path = DATA, source: Path = SOURCE) -> Schedule:
    """The validated schedule; raises OffenceScheduleError naming what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise OffenceScheduleError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise OffenceScheduleError(f"{path} does not hold the offence schedule")
    problems = _schedule_problems(data)
    if Path(source).exists():
        digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
        if digest != data.get("source_sha256"):
            problems.append(f"{path} is stale: re-run `python -m knowledge.offence_schedule`")
    _raise_if(problems, f"{path} is not a valid offence schedule")
    return Schedule(
        title=data["title"],
        guidance=tuple(data["guidance"]),
        rows=tuple(OffenceRow(r["offence"], r["section"], r["act"]) for r in data["rows"]),
        notes=tuple(data["notes"]),
    )


def schedule_guidance() -> dict:
    """The words around the table, verbatim: the guidance before it and the notes beneath it."""
    schedule = load_schedule()
    return {
        "citation": schedule.citation,
        "title": schedule.title,
        "guidance": schedule.guidance,
        "notes": schedule.notes,
    }


# --- Other names of offences and Acts ------------------------------------------------------


@dataclass(frozen=True)
class Aliases:
    """Validated offence_aliases.yml: other names of Acts, words, and offences."""

    acts: dict[str, tuple[str, ...]]
    words: dict[str, str]
    offences: dict[str, tuple[OffenceRow, ...]]


def load_aliases(schedule: Schedule, path: Path = ALIASES) -> Aliases:
    """The aliases, every one checked against the schedule; raises OffenceScheduleError if not."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise OffenceScheduleError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict) or set(data) != {"acts", "words", "aliases"}:
        raise OffenceScheduleError(f"{path} must have exactly the sections acts, words and aliases")
    problems = []
    printed_acts = {row.act for row in schedule.rows if row.act}
    acts: dict[str, tuple[str, ...]] = {}
    for act, names in (data["acts"] or {}).items():
        if act not in printed_acts:
            problems.append(f"acts: {act!r} is not an Act the schedule prints")
        elif not isinstance(names, list) or not all(isinstance(n, str) and _words(n) for n in names):
            problems.append(f"acts: {act!r} needs a list of names")
        else:
            acts[act] = tuple(names)
    words: dict[str, str] = {}
    for word, meaning in (data["words"] or {}).items():
        if not (isinstance(word, str) and _words(word) == [word]) or not (isinstance(meaning, str) and _words(meaning)):
            problems.append(f"words: {word!r} must be one lower-case word standing for some words")
        else:
            words[word] = meaning
    by_key = {row.key: row for row in schedule.rows}
    offences: dict[str, tuple[OffenceRow, ...]] = {}
    for alias, targets in (data["aliases"] or {}).items():
        if not isinstance(alias, str) or all(w in STOPWORDS for w in _words(alias)):
            problems.append(f"aliases: {alias!r} has no words that tell offences apart")
        elif not isinstance(targets, list) or not targets:
            problems.append(f"aliases: {alias!r} names no rows")
        else:
            missing = [t for t in targets if t not in by_key]
            if missing:
                problems.append(f"aliases: {alias!r} names rows not in {CITATION}: {missing}")
            else:
                offences[alias] = tuple(by_key[t] for t in targets)
    _raise_if(problems, f"{path} is not valid")
    return Aliases(acts, words, offences)


# --- Reading what people write -------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Lower-case words and numbers: dates and subsection brackets dropped, "s47" read as "s 47"."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DATE.sub(" ", text)
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    text = _SUBSECTION.sub(" ", text)
    text = _POSSESSIVE.sub("", text)
    text = _NON_WORD.sub(" ", text)
    return _LETTER_DIGIT.sub(" ", text).split()


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A word without its inflection, so "assaulted", "assaults" and "assault" compare equal."""
    if not word.isalpha():
        return word
    while len(word) > 3:
        if word.endswith(("ies", "ied")) and len(word) > 5:
            word = word[:-3] + "y"
            continue
        for suffix in _SUFFIXES:
            stem = word[: -len(suffix)]
            if not word.endswith(suffix) or len(stem) < 3 or (suffix == "s" and stem[-1] in "siu"):
                continue
            if suffix in ("ing", "ings", "ed") and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] in "bdgmnprt":
                stem = stem[:-1]
            word = stem
            break
        else:
            return word
    return word


def _close_enough(size: int, shared: int, precision: float) -> bool:
    """Whether a name's words, found out of order or apart, still name it.

    Names of one or two words must be written whole. Longer names may have all their words
    in any order; or miss one word when little else is said (precision 0.8); or, from five
    words on, miss a quarter of them; or be shortened to half their words when nothing else
    is said.
    """
    missing = size - shared
    if size < 3:
        return False
    if missing == 0 or (missing == 1 and precision >= 0.8) or (size >= 5 and missing <= size // 4):
        return True
    # A shortened name: at least three words, half the name, and nothing said that is not in it.
    return precision == 1 and shared >= 3 and 2 * shared >= size


@dataclass(frozen=True)
class _Variant:
    """One way of naming one or more rows: the offence name, its short name, or an alias."""

    rows: tuple[int, ...]  # indexes into the schedule's rows, most likely first
    label: str
    kind: str  # "name", "short name" or "alias"
    tokens: frozenset[str]
    qualifier: str = ""


@dataclass(frozen=True)
class Match:
    """A schedule row that a query names, how sure the lookup is (0-100) and why."""

    row: OffenceRow
    score: float
    why: tuple[str, ...]


@dataclass(frozen=True)
class LookupResult:
    """Every schedule row a query names, best first; empty when the offence is not on the schedule."""

    query: str
    matches: tuple[Match, ...]

    @property
    def found(self) -> bool:
        return bool(self.matches)

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    @property
    def candidates(self) -> tuple[Match, ...]:
        """The matches about as good as the best one: more than one means the query is ambiguous."""
        if not self.matches:
            return ()
        return tuple(m for m in self.matches if m.score > self.matches[0].score - AMBIGUITY_MARGIN)

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


class _OffenceMatcher:
    """The spaCy pipeline and word lists that lookup() uses, built once from the schedule and aliases."""

    def __init__(self, schedule: Schedule, aliases: Aliases):
        import spacy
        from rapidfuzz import process
        from rapidfuzz.distance import OSA
        from spacy.matcher import PhraseMatcher

        self._extract, self._distance = process.extractOne, OSA.distance
        self._readings: dict[str, tuple[tuple[str, str, str], ...]] = {}
        self.meanings = aliases.words
        self.rows = schedule.rows
        # "IIOC" -> "indecent images of children" -> "indecent photograph of child"
        self.expansions = {
            word: tuple(w for part in _words(meaning) for w in _words(aliases.words.get(part, part)))
            for word, meaning in aliases.words.items()
        }
        self.by_statute = {(row.section, row.act): i for i, row in enumerate(self.rows) if row.act}
        self.by_section: dict[str, list[int]] = {}
        for i, row in enumerate(self.rows):
            self.by_section.setdefault(row.section, []).append(i)

        act_names = self._act_names(schedule, aliases)
        vocabulary = {w for row in self.rows for w in _words(row.offence)}
        vocabulary |= {w for alias in aliases.offences for w in _words(alias)}
        vocabulary |= {w for names in act_names.values() for name in names for w in _words(name)}
        vocabulary |= set(self.expansions) | {w for ws in self.expansions.values() for w in ws}
        # Every word of the schedule a misspelling may be corrected to ("Offenses" -> "offences").
        vocabulary = {w for w in vocabulary if w.isalpha() and len(w) >= 3}
        self.known_words = vocabulary | STOPWORDS
        self.known_stems = {_stem(w) for w in vocabulary}
        self.spellings: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            self.spellings.setdefault(word[0], []).append(word)

        self.nlp = spacy.blank("en")
        ruler = self.nlp.add_pipe("entity_ruler")
        self.act_groups: list[tuple[str, ...]] = []
        patterns = []
        for phrase, acts in act_names.items():
            self.act_groups.append(acts)
            pattern = [{"NORM": norm} for _, _, norm in self._tokens(phrase)]
            patterns.append({"label": "ACT", "pattern": pattern, "id": str(len(self.act_groups) - 1)})
        for section in self.by_section:
            if section == COMMON_LAW:
                pattern = [{"LOWER": "common"}, {"LOWER": "law"}]
            else:
                pattern = [{"LOWER": {"IN": list(SECTION_WORDS)}}, {"LOWER": SECTION_CELL.match(section).group(1)}]
            patterns.append({"label": "SECTION", "pattern": pattern, "id": section})
        ruler.add_patterns(patterns)

        self.variants = self._variants(aliases)
        self.row_words = [frozenset() for _ in self.rows]
        for variant in self.variants:
            if variant.kind != "alias":
                self.row_words[variant.rows[0]] |= variant.tokens
        # Numbers that are part of offence names ("under 13"); any other number says nothing.
        self.numbers = {t for v in self.variants for t in v.tokens if t.isdigit()}
        self.phrases = PhraseMatcher(self.nlp.vocab)
        self.by_token: dict[str, set[int]] = {}
        for index, variant in enumerate(self.variants):
            self.phrases.add(str(index), [self._doc(self._key_words(variant.label))])
            for token in variant.tokens:
                self.by_token.setdefault(token, set()).add(index)

    def acts_listed(self, text: str) -> tuple[str, ...]:
        """The Acts a message names without naming a section ("list the SOA 2003 offences")."""
        tokens = self._tokens(text)
        doc = self._parse(tokens)
        if not tokens or any(ent.label_ == "SECTION" for ent in doc.ents):
            return ()
        groups = [self.act_groups[int(ent.ent_id_)] for ent in doc.ents if ent.label_ == "ACT"]
        return tuple(dict.fromkeys(act for acts in groups if len(acts) == 1 for act in acts))

    @staticmethod
    def _act_names(schedule: Schedule, aliases: Aliases) -> dict[str, tuple[str, ...]]:
        """Every way of writing each Act -> the Acts it may mean ("SOA" may mean three)."""
        names: dict[str, list[str]] = {}

        def add(name: str, act: str) -> None:
            phrase = " ".join(_words(name))
            if act not in names.setdefault(phrase, []):
                names[phrase].append(act)

        for act in dict.fromkeys(row.act for row in schedule.rows if row.act):
            found = re.match(r"^(.*\S)\s+((?:18|19|20)\d\d)$", act)
            base, year = (found.group(1), found.group(2)) if found else (act, "")
            years = [f" {year}", f" {year[2:]}"] if year else [""]
            add(act, act)
            add(base, act)
            if base.endswith(" Act"):
                words = re.findall(r"[A-Za-z]+", base)
                initials = "".join(w[0] for w in words if w.lower() not in ("of", "the", "and", "with"))
                for y in years:
                    add(initials + y, act)
                if len(initials) > 2:
                    add(initials, act)
            for other in aliases.acts.get(act, ()):
                add(other, act)
                if not re.search(r"\d{4}$", other):
                    for y in years:
                        add(other + y, act)
        return {phrase: tuple(acts) for phrase, acts in names.items()}

    def _variants(self, aliases: Aliases) -> list[_Variant]:
        index = {row.key: i for i, row in enumerate(self.rows)}
        variants = []
        for i, row in enumerate(self.rows):
            variants.append(_Variant((i,), row.offence, "name", self._content(row.offence)))
            qualifiers = _PARENTHESIS.findall(row.offence)
            if qualifiers:
                short = _PARENTHESIS.sub("", row.offence).strip()
                variants.append(_Variant((i,), short, "short name", self._content(short), "; ".join(qualifiers)))
        for alias, rows in aliases.offences.items():
            variants.append(_Variant(tuple(index[r.key] for r in rows), alias, "alias", self._content(alias)))
        return variants

    def _parse(self, tokens: list[tuple[str, str, str]]):
        """The tokens as a spaCy Doc with their normal forms, run through the Act and section patterns."""
        doc = self._doc([word for _, word, _ in tokens])
        for token, (_, _, norm) in zip(doc, tokens):
            token.norm_ = norm
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        return doc

    def _doc(self, words: list[str]):
        from spacy.tokens import Doc

        return Doc(self.nlp.vocab, words=words)

    def _key_words(self, name: str) -> list[str]:
        """The normal forms of a name's words that tell offences apart, in order."""
        return [norm for _, word, norm in self._tokens(name) if word not in STOPWORDS]

    def _content(self, name: str) -> frozenset[str]:
        return frozenset(self._key_words(name))

    def _read(self, word: str) -> tuple[tuple[str, str, str], ...]:
        """One written word as (written, meant, normal form) triples: expanded, spelling corrected, stemmed."""
        if word not in self._readings:
            meant = self.expansions.get(word, (word,))
            if len(meant) == 1 and self._unknown(meant[0]):
                corrected = self._correct(meant[0])
                if corrected:
                    meant = self.expansions.get(corrected, (corrected,))
            if len(self._readings) > 50_000:
                self._readings.clear()
            self._readings[word] = tuple((word, m, _stem(m)) for m in meant)
        return self._readings[word]

    def _unknown(self, word: str) -> bool:
        if not word.isalpha() or len(word) < 4:
            return False
        return word not in self.known_words and _stem(word) not in self.known_stems

    def _correct(self, word: str) -> str | None:
        """The schedule's word that this is a misspelling of: same first letter, one slip (two in long words)."""
        limit = 1 if len(word) <= 8 else 2
        found = self._extract(word, self.spellings.get(word[0], []), scorer=self._distance, score_cutoff=limit)
        return found[0] if found else None

    def _tokens(self, text: str) -> list[tuple[str, str, str]]:
        return [triple for word in _words(text) for triple in self._read(word)]

    def lookup(self, query: str) -> LookupResult:
        found: dict[int, tuple[float, int, list[str]]] = {}
        for segment in _SEGMENT_BREAK.split(query):
            for i, (score, priority, why) in self._segment(segment).items():
                if i not in found or score > found[i][0]:
                    found[i] = (score, priority, why)
        order = sorted(found.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
        matches = tuple(Match(self.rows[i], round(score, 1), tuple(why)) for i, (score, _, why) in order)
        return LookupResult(query, matches)

    def _segment(self, text: str) -> dict[int, tuple[float, int, list[str]]]:
        tokens = self._tokens(text)
        if not tokens:
            return {}
        doc = self._parse(tokens)
        in_entity = {t for ent in doc.ents for t in range(ent.start, ent.end)}
        content = [
            (i, norm)
            for i, (_, word, norm) in enumerate(tokens)
            if i not in in_entity and word not in STOPWORDS and (norm.isalpha() or norm in self.numbers)
        ]
        statute, bare, acts_named = self._statute_references(doc)
        names, explained, corrections = self._names(content, tokens)

        results: dict[int, tuple[float, int, list[str]]] = {}
        for i, (score, priority, why) in names.items():
            row = self.rows[i]
            if i in statute:
                score, why = min(100, max(score, STATUTE_SCORE) + AGREEMENT_BONUS), [self._cites(row)] + why
            elif row.act in acts_named:
                score, why = score + ACT_NAMED_BONUS, why + [f"names the {row.act}"]
            results[i] = (score, priority, why + corrections)
        for i in statute - set(names):
            results[i] = (STATUTE_SCORE, 0, [self._cites(self.rows[i])])
        unexplained = {norm for _, norm in content} - explained
        if bare and not unexplained:
            agreeing = {i for i in bare if i in results}
            for i in agreeing or bare:
                row = self.rows[i]
                why = [f"cites {row.section}" + ("" if row.act is None else " (no Act given)")]
                if i in results:
                    score, priority, named = results[i]
                    results[i] = (min(100, max(score, SECTION_ONLY_SCORE) + AGREEMENT_BONUS), priority, why + named)
                else:
                    results[i] = (SECTION_ONLY_SCORE, 0, why)
        return results

    @staticmethod
    def _cites(row: OffenceRow) -> str:
        return f"cites {row.section} of the {row.act}"

    def _statute_references(self, doc) -> tuple[set[int], set[int], set[str]]:
        """Rows cited by Act and section, rows cited by a section alone, and the Acts named."""
        acts = [e for e in doc.ents if e.label_ == "ACT"]
        sections = [e for e in doc.ents if e.label_ == "SECTION"]
        named = {act for e in acts for act in self.act_groups[int(e.ent_id_)]}
        statute: set[int] = set()
        bare: set[int] = set()
        for n, section in enumerate(sections):
            low = sections[n - 1].end if n else 0
            high = sections[n + 1].start if n + 1 < len(sections) else len(doc)
            options = [(section.start - a.end, 0, a) for a in acts if low <= a.start and a.end <= section.start]
            options += [(a.start - section.end, 1, a) for a in acts if section.end <= a.start and a.end <= high]
            options = sorted(o for o in options if o[0] <= SECTION_ACT_GAP and section.ent_id_ != COMMON_LAW)
            if not options:
                bare.update(self.by_section[section.ent_id_])
                continue
            for _, _, act in options:
                rows = {self.by_statute.get((section.ent_id_, a)) for a in self.act_groups[int(act.ent_id_)]} - {None}
                if rows:
                    statute.update(rows)
                    break
        return statute, bare, named

    def _names(self, content, tokens):
        """Rows whose name, short name or alias the words name, with the words they account for."""
        norms = [norm for _, norm in content]
        query = set(norms)
        found = self.phrases(self._doc(norms)) if norms else []
        spans = [(int(self.nlp.vocab.strings[key]), s, e) for key, s, e in found]
        # A name found only inside a longer name ("assault" in "sexual assault") is not what was meant.
        covered, reach = set(), -1
        for start, end in sorted({(s, e) for _, s, e in spans}, key=lambda span: (span[0], -span[1])):
            if reach >= end:
                covered.add((start, end))
            reach = max(reach, end)
        whole = {v for v, s, e in spans if (s, e) not in covered}
        inside = {v for v, _, _ in spans} - whole
        candidates = set().union(*(self.by_token.get(t, set()) for t in query)) if query else set()
        names: dict[int, tuple[float, int, list[str]]] = {}
        explained: set[str] = set()
        for v in candidates - inside:
            variant = self.variants[v]
            shared = variant.tokens & query
            recall, precision = len(shared) / len(variant.tokens), len(shared) / len(query)
            if v not in whole and not _close_enough(len(variant.tokens), len(shared), precision):
                continue
            if v in whole:
                recall = 1.0
            for priority, i in enumerate(variant.rows):
                # An alias may fit several rows: the rest of what was written, read against each
                # row's own name, tells them apart ("abduction of a girl under 16").
                said = shared | (self.row_words[i] & query if variant.kind == "alias" else set())
                explained |= said
                score = NAME_BASE + NAME_RECALL * recall + NAME_PRECISION * len(said) / len(query)
                score -= 0 if v in whole else ORDER_PENALTY
                if i not in names or score > names[i][0]:
                    names[i] = (score, priority, [self._reason(variant, v in whole, len(shared))])
        readings = {}
        for word, meant, _ in tokens:
            if word in self.meanings and len(self.expansions[word]) > 1:
                readings[word] = self.meanings[word]
            elif word != meant and word not in self.expansions:
                readings[word] = meant
        corrections = [f"read “{w}” as “{m}”" for w, m in readings.items()] if names else []
        return names, explained, corrections

    @staticmethod
    def _reason(variant: _Variant, whole: bool, shared: int) -> str:
        if variant.kind == "alias":
            said = f"“{variant.label}”, a name for this offence"
        else:
            said = f"the offence name “{variant.label}”"
        if not whole:
            size = len(variant.tokens)
            said = f"all the key words of {said}" if shared == size else f"{shared} of the {size} key words of {said}"
        if variant.qualifier:
            said += f"; the schedule lists it only ({variant.qualifier})"
        return "matches " + said


@lru_cache(maxsize=1)
def _offence_matcher() -> _OffenceMatcher:
    schedule = load_schedule()
    return _OffenceMatcher(schedule, load_aliases(schedule))


def rows_under_act(query: str) -> dict[str, tuple[OffenceRow, ...]]:
    """Every row of each Act a query names without a section, in the schedule's order."""
    if not isinstance(query, str) or not query.strip():
        return {}
    matcher = _offence_matcher()
    return {act: tuple(r for r in matcher.rows if r.act == act) for act in matcher.acts_listed(query[:2000])}


def lookup(query: str) -> LookupResult:
    """Every Appendix II row that a query names (offence, statute reference, alias), best first."""
    return _offence_matcher().lookup(query if isinstance(query, str) else "")


if __name__ == "__main__":
    written = write_schedule()
    print(f"wrote {DATA} ({len(written['rows'])} rows of {CITATION})")

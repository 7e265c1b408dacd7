"""`wego-bot faq eval`: how well free text is understood, per language, on an evaluation set.

Each item says what the message should be understood as: an FAQ entry id, "smalltalk", a live question
("live:workshop", ...) or null (the program documents do not answer it: it must be declined). Per language:
right (the top answer, given confidently, is the expected one), wrong confident answers (an answer given, and
not the expected one: the figure that matters most, over all inputs), small talk understood, out-of-scope
declined, and latency.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import ContentError, Problem, read_yaml
from bot.faq.index import FaqIndex
from bot.faq.text import MAX_READ
from bot.faq.understand import SMALLTALK, understand, warm
from bot.places.gazetteer import Gazetteer

LONG_MESSAGE = 4000


@dataclass(frozen=True, slots=True)
class EvalItem:
    lang: str
    question: str
    expect: str | None


@dataclass
class Tally:
    inputs: int = 0
    in_scope: int = 0  # program questions and small talk
    right: int = 0
    wrong: int = 0  # a confident answer that is not the expected one (out-of-scope items included)
    smalltalk: int = 0
    smalltalk_right: int = 0
    out_of_scope: int = 0
    declined: int = 0
    latencies: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the thread's CPU time: what a loaded machine does not add

    def share(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def accuracy(self) -> float:
        return self.share(self.right, self.in_scope)

    @property
    def wrong_share(self) -> float:
        return self.share(self.wrong, self.inputs)

    @property
    def declined_share(self) -> float:
        return self.share(self.declined, self.out_of_scope)

    @property
    def smalltalk_share(self) -> float:
        return self.share(self.smalltalk_right, self.smalltalk)

    def latency(self, quantile: float, *, cpu: bool = False) -> float:
        """Seconds; nearest-rank quantile."""
        return _quantile(self.cpu if cpu else self.latencies, quantile)


def _quantile(values: list[float], quantile: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(quantile * len(ordered)) - 1))]


@dataclass
class EvalResult:
    overall: Tally = field(default_factory=Tally)
    per_language: dict[str, Tally] = field(default_factory=dict)
    long_latencies: list[float] = field(default_factory=list)
    long_cpu: list[float] = field(default_factory=list)
    misses: list[tuple[EvalItem, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.overall.accuracy

    @property
    def declined_share(self) -> float:
        return self.overall.declined_share

    def accuracy_in(self, lang: str) -> float:
        return self.per_language[lang].accuracy if lang in self.per_language else 0.0

    def long_p99(self, *, cpu: bool = False) -> float:
        return _quantile(self.long_cpu if cpu else self.long_latencies, 0.99)


def load_eval(path: Path) -> list[EvalItem]:
    data, _text = read_yaml(path)
    if not isinstance(data, list):
        raise ContentError([Problem(path, None, "the evaluation set must be a list of {lang, q, expect}")])
    return [EvalItem(str(item["lang"]), str(item["q"]), item.get("expect")) for item in data]


def _long_message(question: str) -> str:
    """A question followed by pasted text, to the dispatcher's limit."""
    filler = " lorem ipsum dolor sit amet workshop certificate"
    return (question + filler * (LONG_MESSAGE // len(filler) + 1))[:LONG_MESSAGE]


def evaluate(
    index: FaqIndex,
    items: list[EvalItem],
    lang: str | None = None,
    places: Gazetteer | None = None,
    year: int | None = None,
) -> EvalResult:
    """Each message once, timed (and every tenth once more as a 4,000-character message): wall clock and the
    thread's CPU time, as on a shared machine the wall clock also counts waiting for a core."""
    warm(index, places)
    result = EvalResult()
    for n, item in enumerate(items):
        if lang and item.lang != lang:
            continue
        started, cpu = time.perf_counter(), time.thread_time()
        given = understand(index, item.question, item.lang, places, year).label
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
        if n % 10 == 0:
            started, long_cpu = time.perf_counter(), time.thread_time()
            understand(index, _long_message(item.question), item.lang, places, year)
            result.long_latencies.append(time.perf_counter() - started)
            result.long_cpu.append(time.thread_time() - long_cpu)
        for tally in (result.overall, result.per_language.setdefault(item.lang, Tally())):
            tally.inputs += 1
            tally.latencies.append(elapsed)
            tally.cpu.append(cpu)
            if item.expect is None:
                tally.out_of_scope += 1
                tally.declined += given is None
                tally.wrong += given is not None
                continue
            tally.in_scope += 1
            tally.right += given == item.expect
            tally.wrong += given is not None and given != item.expect
            if item.expect == SMALLTALK:
                tally.smalltalk += 1
                tally.smalltalk_right += given == SMALLTALK
        if given != item.expect:
            result.misses.append((item, given))
    return result


__all__ = ["MAX_READ", "EvalItem", "EvalResult", "Tally", "evaluate", "load_eval"]

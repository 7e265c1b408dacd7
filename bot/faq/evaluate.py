"""`wego-bot faq eval`: top-1 accuracy, out-of-scope questions declined, and latency, on an evaluation set."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import ContentError, Problem, read_yaml
from bot.faq.index import FaqIndex


@dataclass(frozen=True, slots=True)
class EvalItem:
    lang: str
    question: str
    expect: str | None


@dataclass
class EvalResult:
    correct: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    declined: int = 0
    out_of_scope: int = 0
    latencies: list[float] = field(default_factory=list)
    misses: list[tuple[EvalItem, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        answered = sum(self.total.values())
        return sum(self.correct.values()) / answered if answered else 0.0

    def accuracy_in(self, lang: str) -> float:
        return self.correct.get(lang, 0) / self.total[lang] if self.total.get(lang) else 0.0

    @property
    def declined_share(self) -> float:
        return self.declined / self.out_of_scope if self.out_of_scope else 1.0

    def latency(self, quantile: float) -> float:
        """Seconds; nearest-rank quantile."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, max(0, round(quantile * len(ordered)) - 1))]


def load_eval(path: Path) -> list[EvalItem]:
    data, _text = read_yaml(path)
    if not isinstance(data, list):
        raise ContentError([Problem(path, None, "the evaluation set must be a list of {lang, q, expect}")])
    return [EvalItem(str(item["lang"]), str(item["q"]), item.get("expect")) for item in data]


def evaluate(index: FaqIndex, items: list[EvalItem], lang: str | None = None) -> EvalResult:
    """Each question once, timed; a right answer must be the top entry *and* confident enough to be given."""
    index.warm()
    result = EvalResult()
    for item in items:
        if lang and item.lang != lang:
            continue
        started = time.perf_counter()
        match = index.match(item.question, item.lang)
        result.latencies.append(time.perf_counter() - started)
        given = match.best.id if match.best else None
        if item.expect is None:
            result.out_of_scope += 1
            result.declined += given is None
            if given is not None:
                result.misses.append((item, given))
            continue
        result.total[item.lang] = result.total.get(item.lang, 0) + 1
        if given == item.expect:
            result.correct[item.lang] = result.correct.get(item.lang, 0) + 1
        else:
            result.misses.append((item, given))
    return result

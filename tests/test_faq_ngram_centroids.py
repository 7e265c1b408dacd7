"""The character n-gram second opinion: it answers a paraphrase the retrieval was unsure of only when both readings
agree and the question's n-grams are the entry's, and it never answers what the entries do not cover."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.faq.ngram_centroids
import bot.faq.understand
from bot.content import load_content
from bot.faq.index import FaqIndex
from bot.faq.ngram_centroids import NgramCentroids, centroids_of, ngrams
from bot.faq.understand import Understanding, understand
from bot.places.gazetteer import Gazetteer
from bot.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"

# Paraphrases of TUNE the retrieval alone declines or only offers topics for.
PARAPHRASES = [
    ("en", "who founded wego", "wego-history"),
    ("de", "brauche ich lesematerial", "reading-materials"),
    ("it", "Come si ottiene il certificato digitale al termine del corso?", "certificate-online"),
    ("en", "is it all online or do i have to show up somewhere", "hybrid-learning"),
]
# Out of scope, and close to an entry by their n-grams (cosine above AGREE, the same entry as the retrieval's
# nearest): what they ask about ("crédits ECTS", "parking", "who made") is no entry's, so the cover is too low.
NEAR_MISSES = [
    ("fr", "le certificat de l'atelier donne des crédits ECTS ?"),
    ("en", "hey bot, who made the housing lectures"),
    ("de", "parkplatz beim workshop?"),
    ("en", "is the certificate recognised by universities for credits"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), PARAPHRASES)
def test_a_paraphrase_the_retrieval_was_unsure_of_is_answered(
    index: FaqIndex, places: Gazetteer, lang: str, text: str, expected: str
) -> None:
    found = understand(index, text, lang, places, 2026)
    assert found.label == expected
    assert found.entry is not None and found.entry.id == expected


@pytest.mark.parametrize(("lang", "text", "expected"), PARAPHRASES)
def test_without_the_second_opinion_the_same_paraphrase_is_not_answered(
    index: FaqIndex, places: Gazetteer, monkeypatch: pytest.MonkeyPatch, lang: str, text: str, expected: str
) -> None:
    def unchanged(_index: FaqIndex, _text: str, found: Understanding) -> Understanding:
        return found

    monkeypatch.setattr(bot.faq.understand, "_second_opinion", unchanged)
    found = understand(index, text, lang, places, 2026)
    assert found.label is None
    assert found.match is not None and found.match.hits[0].entry.id == expected


@pytest.mark.parametrize(("lang", "text"), NEAR_MISSES)
def test_a_near_miss_out_of_scope_is_still_declined(index: FaqIndex, places: Gazetteer, lang: str, text: str) -> None:
    opinion = centroids_of(index).nearest(text)
    assert opinion is not None and opinion.closeness >= bot.faq.ngram_centroids.AGREE
    assert opinion.covered < bot.faq.ngram_centroids.COVERED
    assert understand(index, text, lang, places, 2026).label is None


def test_the_model_only_confirms_the_retrieval_s_nearest_entry(index: FaqIndex) -> None:
    model = centroids_of(index)
    text = "who founded wego"
    assert model.nearest(text) is not None
    assert model.agrees(text, "wego-history")
    assert not model.agrees(text, "wego-what")
    assert not model.agrees(text, "no-such-entry")
    assert not model.agrees("", "wego-history")


def test_the_model_is_built_deterministically_and_survives_the_disk_cache(tmp_path: Path) -> None:
    entries = load_content(CONTENT).faq.entries
    built = NgramCentroids.state_of(entries)
    assert NgramCentroids.state_of(entries) == built
    first = centroids_of(FaqIndex(entries, cache_dir=tmp_path))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("faq-index-ngram-centroids-")] != []
    again = centroids_of(FaqIndex(entries, cache_dir=tmp_path))  # read back, not built
    assert again.state() == first.state() == built
    assert again.nearest("certificat en ligne") == first.nearest("certificat en ligne")


def test_the_features_are_character_n_grams_words_and_word_pairs() -> None:
    found = ngrams("Zertifikat online?")
    assert found["czert"] == 1 and found["c z"] == 1 and found["ct o"] == 1 and found["cne "] == 1
    assert found["wzertifikat"] == 1 and found["bzertifikat online"] == 1
    assert ngrams("수료증")["u수"] == 1
    assert ngrams("   ") == {}

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content import ContentError, load_content
from bot.settings import PROJECT_ROOT
from tests.helpers import ChatDriver

CONTENT = PROJECT_ROOT / "content"


def test_the_shipped_content_is_the_seed_program() -> None:
    content = load_content(CONTENT)
    assert [len(part.lectures) for part in content.lectures.parts] == [8, 6, 5, 5]
    assert content.lecture("3.3") is not None and content.lecture("3.3").title == "AI for Urban Security & Safety"
    assert content.lecture("2.7") is None
    assert content.program.workshops.cities == [
        "Athens",
        "Baku",
        "Brescia",
        "Cairo",
        "Geneva",
        "Milan",
        "New York",
        "Seoul",
    ]
    assert content.program.contact.email == "secretariat@we-gov.org"
    assert content.program.contact.phone == "+82 (02) 720-2935"
    assert [(c.name.text(), c.winners) for c in content.award.categories] == [
        ("Smart City", 2),
        ("Advanced Technology", 1),
        ("Net Zero", 3),
        ("AI", 3),
        ("Youth Entrepreneurship", 3),
        ("SDGs", 3),
        ("Culture", 1),
        ("Leadership", 3),
    ]
    assert content.award.categories[1].partners == ["The State University of New York- SUNY, Korea"]
    assert content.program.certificates.workshop_age_limit == 35


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(directory)
    return [str(p) for p in caught.value.problems]


def test_a_wrong_value_is_reported_with_file_line_and_reason(broken: Path) -> None:
    path = broken / "award.yaml"
    path.write_text(path.read_text().replace("winners: 2", "winners: two", 1))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "winners: two" in text)
    assert _problems(broken) == [
        f"{path}:{line}: categories.0.winners: Input should be a valid integer, unable to parse string as an integer"
    ]


def test_a_missing_field_and_an_unknown_field(broken: Path) -> None:
    path = broken / "program.yaml"
    text = path.read_text().replace("  email: secretariat@we-gov.org\n", "  mail: secretariat@we-gov.org\n")
    path.write_text(text)
    problems = _problems(broken)
    contact_line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("contact:"))
    mail_line = next(i for i, t in enumerate(text.splitlines(), 1) if "mail: secretariat" in t)
    assert problems == [
        f"{path}:{contact_line}: contact.email: Field required",
        f"{path}:{mail_line}: contact.mail: Extra inputs are not permitted",
    ]


def test_broken_yaml_and_a_missing_file(broken: Path) -> None:
    (broken / "lectures.yaml").write_text("parts:\n  - number: 1\n    title: [unclosed\n")
    (broken / "award.yaml").unlink()
    problems = _problems(broken)
    assert problems[0].startswith(f"{broken / 'lectures.yaml'}:4: not valid YAML")
    assert problems[1] == f"{broken / 'award.yaml'}: file is missing"


def test_parts_out_of_order_are_refused(broken: Path) -> None:
    path = broken / "lectures.yaml"
    path.write_text(path.read_text().replace("  - number: 2\n", "  - number: 5\n"))
    assert _problems(broken) == [
        f"{path}:2: parts: Value error, parts must be numbered 1..4 in order, found [1, 5, 3, 4]"
    ]


def test_content_check_command_reports_without_traceback(broken: Path, tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"CONTENT_DIR": str(CONTENT), "DATA_DIR": str(tmp_path)},
    )
    assert ok.returncode == 0, ok.stderr
    assert "24 lectures, 8 award categories, 8 workshop cities" in ok.stdout
    path = broken / "award.yaml"
    path.write_text(path.read_text().replace("winners: 2", "winners: -1", 1))
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"CONTENT_DIR": str(broken), "DATA_DIR": str(tmp_path)},
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert f"{path}:" in bad.stderr and "categories.0.winners: Input should be greater than or equal to 1" in bad.stderr


def test_the_bot_refuses_to_start_on_broken_content(broken: Path, tmp_path: Path) -> None:
    (broken / "program.yaml").write_text("name: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "x"],
        input="/start\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"CONTENT_DIR": str(broken), "DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "The program content is broken" in result.stderr and "Traceback" not in result.stderr
    assert f"{broken / 'program.yaml'}:" in result.stderr


def test_every_program_sentence_is_in_every_language() -> None:
    program = load_content(CONTENT).program
    texts = [
        program.course.registration,
        program.course.reading_materials,
        program.workshops.audience,
        program.workshops.registration,
        program.certificates.course,
        program.certificates.course_record,
        program.certificates.workshop,
        *program.certificates.workshop_steps,
    ]
    for text in texts:
        assert isinstance(text.root, dict) and sorted(text.root) == sorted(["en", "it", "de", "fr", "ar", "ko", "zh"])
    assert program.certificates.workshop.text("it") == (
        "Chi partecipa ai workshop in presenza può richiedere un certificato firmato dal Segretario generale di "
        "WeGO e dal Sindaco di Seul."
    )
    assert program.contact.name.text("de") == "WeGO-Sekretariat"
    # Official titles stay one string, the same in every language.
    assert program.workshops.title.text("ko") == "Young Urban Leadership: Perspectives in Dialogue"


def test_a_missing_language_is_an_error_with_file_and_line(broken: Path) -> None:
    path = broken / "program.yaml"
    text = path.read_text()
    text = text.replace("    ko: 무료\n", "", 1)
    text = text.replace(
        "  reading_materials:\n    en: Required reading materials are provided free of charge on the online course "
        "platform.\n",
        "  reading_materials: Required reading materials are provided free of charge on the online course platform.\n"
        "  reading_materials_old:\n    en: x\n",
        1,
    )
    path.write_text(text)
    lines = text.splitlines()
    cost = next(i for i, t in enumerate(lines, 1) if t == "  cost:")
    reading = next(i for i, t in enumerate(lines, 1) if t.startswith("  reading_materials: Required"))
    extra = next(i for i, t in enumerate(lines, 1) if t.startswith("  reading_materials_old:"))
    assert _problems(broken) == [
        f"{path}:{cost}: course.cost: Value error, missing languages ['ko'] (program text is in all of "
        "['en', 'it', 'de', 'fr', 'ar', 'ko', 'zh'])",
        f"{path}:{reading}: course.reading_materials: Value error, a sentence needs its text in every language, "
        "as a mapping {en: …, it: …, de: …, fr: …, ar: …, ko: …, zh: …}",
        f"{path}:{extra}: course.reading_materials_old: Extra inputs are not permitted",
    ]


@pytest.mark.parametrize("lang", ["it", "de", "fr", "ar", "ko", "zh"])
async def test_program_and_certificate_keep_no_english_sentence(lang: str, chat: Callable[..., ChatDriver]) -> None:
    person = chat(f"p-{lang}", locale_hint=lang)
    await person.send("/program")
    program = person.text
    await person.send("/certificate")
    certificate = person.text
    english = load_content(CONTENT).program
    for sentence in [
        english.course.registration.text("en"),
        english.workshops.registration.text("en"),
        english.certificates.course.text("en"),
        english.certificates.workshop.text("en"),
        english.certificates.workshop_steps[0].text("en"),
        "Students and young professionals below 35",
        "In-person workshops",
        "Athens",
        "Geneva",
    ]:
        assert sentence not in program + certificate, (lang, sentence)
    assert english.certificates.workshop.text(lang) in program
    assert english.certificates.workshop_steps[3].text(lang) in certificate

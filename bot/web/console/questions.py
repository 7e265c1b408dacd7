"""Questions for the team: the inbox (who asked, language, platform), answer in place, save as FAQ, and the most
frequent unanswered questions grouped, so staff see what the FAQ lacks."""

from __future__ import annotations

from aiohttp import web
from rapidfuzz import fuzz

from bot.faq.text import normalize
from bot.i18n import LANGUAGE_NAMES, N_, _, format_number, ngettext
from bot.web.console import actions
from bot.web.console.auth import Staff, staff_page
from bot.web.console.layout import e, form, h2, notice, page, para, path_id, table, url, when

# Two waiting questions this alike (0-100, word order ignored) are counted as the same question.
ALIKE = 80
REACH = {
    "now": N_("The answer is on its way to them."),
    "later": N_("The answer is saved; it reaches them when they open a private chat with the bot."),
    "never": N_("The answer is saved, but they cannot be reached (direct messages closed or the bot blocked)."),
}


def group_alike(rows: list[tuple[int, str, str]]) -> list[tuple[str, str, list[int]]]:
    """(language, example text, ids) per group of alike questions, the biggest groups first."""
    groups: list[tuple[str, str, str, list[int]]] = []
    for question_id, language, text in rows:
        key = normalize(text)
        for group in groups:
            if group[0] == language and fuzz.token_set_ratio(key, group[1]) >= ALIKE:
                group[3].append(question_id)
                break
        else:
            groups.append((language, key, text, [question_id]))
    ranked = sorted(groups, key=lambda g: (-len(g[3]), g[3][0]))
    return [(language, text, ids) for language, _key, text, ids in ranked if len(ids) > 1]


def _message(staff: Staff) -> str:
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(staff.frame.path).query)
    if query.get("reach", [""])[0] in REACH:
        return notice(_(REACH[query["reach"][0]]))
    if query.get("faq"):
        return notice(
            _("Saved as FAQ entry {entry}; I will answer this question myself from now on.").format(
                entry=query["faq"][0][:40]
            )
        )
    return ""


async def _inbox(staff: Staff, message_html: str = "", status: int = 200) -> web.Response:
    app = staff.app
    rows = []
    for question in await actions.inbox(app):
        answer_form = form(
            staff.frame,
            url(f"/questions/{question.id}/answer"),
            '<label class="wide">' + e(_("Answer")) + f'<textarea name="answer" id="answer-{question.id}" rows="2" '
            f'maxlength="{actions.MAX_ANSWER}" required></textarea></label>',
            button=_("Send answer"),
            css="answer",
        )
        rows.append(
            [
                e(f"#{question.id}"),
                e(question.asked_by or "—"),
                e(LANGUAGE_NAMES.get(question.language, question.language)),
                e(question.platform),
                e(when(question.asked_at, staff.frame.zone)),
                f"<blockquote>{e(question.text)}</blockquote>{answer_form}",
            ]
        )
    inbox_html = (
        table([_("Question"), _("Asked by"), _("Language"), _("Platform"), _("Asked"), _("Text")], rows, css="inbox")
        if rows
        else para(_("No question is waiting."))
    )
    groups = group_alike(await actions.waiting_texts(app))
    group_rows = [
        [
            e(ngettext("{n} time", "{n} times", len(ids)).format(n=format_number(len(ids)))),
            e(LANGUAGE_NAMES.get(language, language)),
            e(text),
            e(", ".join(f"#{i}" for i in sorted(ids))),
        ]
        for language, text, ids in groups[:20]
    ]
    groups_html = (
        table([_("Asked"), _("Language"), _("Question"), _("Questions")], group_rows)
        if group_rows
        else para(_("No question is waiting more than once."))
    )
    answered_rows = []
    for q in await actions.recently_answered(app):
        save = (
            e(q.faq_id)
            if q.faq_id
            else form(staff.frame, url(f"/questions/{q.id}/faq"), "", button=_("Save as FAQ"), css="inline")
        )
        answered_rows.append([e(f"#{q.id}"), e(q.text), e(q.answer or ""), e(q.answered_by or ""), save])
    answered_html = (
        table([_("Question"), _("Text"), _("Answer"), _("Answered by"), _("FAQ")], answered_rows)
        if (answered_rows)
        else ""
    )
    content = (
        message_html
        + _message(staff)
        + h2(_("Waiting for an answer"))
        + inbox_html
        + h2(_("Asked most often, not answered yet"))
        + groups_html
        + h2(_("Answered recently"))
        + answered_html
    )
    return page(staff.frame, _("Questions"), content, status=status)


@staff_page
async def inbox(request: web.Request, staff: Staff) -> web.StreamResponse:
    return await _inbox(staff)


@staff_page
async def answer(request: web.Request, staff: Staff) -> web.StreamResponse:
    question_id = path_id(request)
    try:
        reach = await actions.answer_question(staff.app, staff.who, question_id, staff.form.get("answer", ""))
    except actions.Refused as refused:
        return await _inbox(staff, notice(str(refused), kind="error"), status=400)
    raise web.HTTPSeeOther(url("/questions", reach=reach))


@staff_page
async def save_faq(request: web.Request, staff: Staff) -> web.StreamResponse:
    question_id = path_id(request)
    try:
        entry = await actions.save_faq(staff.app, staff.who, question_id)
    except actions.Refused as refused:
        return await _inbox(staff, notice(str(refused), kind="error"), status=400)
    raise web.HTTPSeeOther(url("/questions", faq=entry))

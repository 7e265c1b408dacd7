"""Progress through the online course: lectures marked watched, per part and overall, and what to watch next."""

from __future__ import annotations

import re

from bot.content.models import Lecture, Part
from bot.core.actions import act
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.replies import Button, Reply, esc, link
from bot.core.router import Router
from bot.core.text import is_number
from bot.i18n import _, format_percent, ngettext
from handlers.menu import back_to_menu, command_button, main_menu
from storage import progress as store

router = Router()

# ASCII digits only: `\d` would take "３.２", and int("３") is 3.
_KEY = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}$")
_PART = re.compile(r"^[0-9]{1,2}$")
_SEPARATORS = re.compile(r"[\s,;]+")
# More than the course has lectures is a paste gone wrong, not a list of lectures.
MAX_KEYS = 40
BAR_CELLS = 10


def bar(done: int, total: int) -> str:
    filled = round(BAR_CELLS * done / total) if total else 0
    return "▓" * filled + "░" * (BAR_CELLS - filled)


async def counted_done(ctx: Context) -> set[str]:
    """Keys of current lectures the user marked; marks on lectures the content dropped are kept but not counted."""
    marked = await store.done_keys(ctx.session, ctx.user_id)
    return {lecture.key for lecture in ctx.content.all_lectures() if lecture.key in marked}


def _part(ctx: Context, number: int) -> Part | None:
    return next((part for part in ctx.content.lectures.parts if part.number == number), None)


def _lecture_from_args(ctx: Context) -> Lecture:
    """The lecture a button names, re-checked against the current content."""
    lecture = ctx.content.lecture(ctx.args[0]) if len(ctx.args) == 1 else None
    if lecture is None:
        raise UserError(_("That button is no longer valid. Send /lectures to see the course."), [back_to_menu()])
    return lecture


def _lecture_from_text(ctx: Context, command: str) -> Lecture:
    key = ctx.text.strip()
    example = _("For example: /{command} 3.2 for part 3, lecture 2.").format(command=command)
    if not key:
        raise UserError(_("Which lecture? {example}").format(example=example))
    lecture = ctx.content.lecture(key) if _KEY.match(key) else None
    if lecture is None:
        raise UserError(
            _("There is no lecture “{key}”. {example} Send /lectures to see them all.").format(
                key=esc(key[:20]), example=example
            )
        )
    return lecture


def _lectures_from_text(ctx: Context) -> list[Lecture]:
    """`/done 3.2`, `/done 1.3 1.4` (several keys) or `/done 2` (a whole part), in course order, without repeats.

    One unknown item refuses the whole list, so nothing is marked from a mistyped one.
    """
    example = _("For example: /done 3.2 for part 3, lecture 2, /done 1.3 1.4 for two lectures, or /done 2 for part 2.")
    items = [item for item in _SEPARATORS.split(ctx.text.strip()) if item]
    if not items:
        raise UserError(_("Which lecture? {example}").format(example=example))
    if len(items) > MAX_KEYS:
        raise UserError(_("That is too many at once. {example}").format(example=example))
    chosen: set[str] = set()
    for item in items:
        part = _part(ctx, int(item)) if _PART.match(item) else None
        lecture = ctx.content.lecture(item) if _KEY.match(item) else None
        if part is not None:
            chosen.update(lecture.key for lecture in part.lecture_list())
        elif lecture is not None:
            chosen.add(lecture.key)
        else:
            raise UserError(
                _("There is no lecture “{key}”. {example} Send /lectures to see them all.").format(
                    key=esc(item[:20]), example=example
                )
            )
    return [lecture for lecture in ctx.content.all_lectures() if lecture.key in chosen]


def _completed_now(ctx: Context, done: set[str], newly: bool) -> bool:
    """The course became complete in this event: the one time to congratulate."""
    return newly and len(done) == len(ctx.content.all_lectures())


async def _completion_extra(ctx: Context, done: set[str], newly: bool) -> list[Reply]:
    """The course-certificate message, when this event marked the last lecture (not at every later look)."""
    if not _completed_now(ctx, done, newly):
        return []
    from handlers.certificates import course_completed_reply

    return [await course_completed_reply(ctx)]


@router.command("lectures")
async def lectures(ctx: Context) -> Reply:
    """The four parts of the online course, with your progress in each."""
    done = await counted_done(ctx)
    content = ctx.content
    lines = [_("<b>The online course</b> ({count} lectures):").format(count=len(content.all_lectures()))]
    buttons: list[Button] = []
    for part in content.lectures.parts:
        keys = [lecture.key for lecture in part.lecture_list()]
        count = sum(1 for key in keys if key in done)
        lines += [
            "",
            _("<b>Part {number}</b>: {title}").format(number=part.number, title=esc(part.title)),
            f"{bar(count, len(keys))} {count}/{len(keys)}",
        ]
        buttons.append(Button(_("Part {number}").format(number=part.number), act("prog.part", part.number)))
    lines += [
        "",
        _("Watch them on {platform}.").format(
            platform=link(str(content.program.course.url), content.program.course.platform_name)
        ),
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([command_button("progress", _("My progress"))])
    rows.append(back_to_menu())
    return Reply("\n".join(lines), buttons=rows, personal=True)


async def part_view(ctx: Context, part: Part) -> Reply:
    done = await counted_done(ctx)
    lectures_ = part.lecture_list()
    count = sum(1 for lecture in lectures_ if lecture.key in done)
    lines = [
        _("<b>Part {number}</b>: {title}").format(number=part.number, title=esc(part.title)),
        f"{bar(count, len(lectures_))} {count}/{len(lectures_)}",
        "",
    ]
    buttons: list[Button] = []
    for lecture in lectures_:
        mark = "✅" if lecture.key in done else "⬜"
        lines.append(f"{mark} {lecture.key}  {esc(lecture.title)}")
        if lecture.key in done:
            buttons.append(Button(_("Undo {key}").format(key=lecture.key), act("prog.undo", lecture.key)))
        else:
            buttons.append(Button(_("Done {key}").format(key=lecture.key), act("prog.done", lecture.key)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([command_button("lectures", _("All parts")), command_button("progress", _("My progress"))])
    return Reply("\n".join(lines), buttons=rows, personal=True, edit=True)


@router.action("prog.part")
async def part_pressed(ctx: Context) -> Reply:
    part = _part(ctx, int(ctx.args[0])) if len(ctx.args) == 1 and is_number(ctx.args[0]) else None
    if part is None:
        raise UserError(_("That button is no longer valid. Send /lectures to see the course."), [back_to_menu()])
    return await part_view(ctx, part)


@router.action("prog.done")
async def done_pressed(ctx: Context) -> list[Reply]:
    lecture = _lecture_from_args(ctx)
    newly = await store.mark_done(ctx.session, ctx.user_id, lecture.key, ctx.now())
    part = _part(ctx, lecture.part)
    assert part is not None
    return [await part_view(ctx, part), *await _completion_extra(ctx, await counted_done(ctx), newly)]


@router.action("prog.undo")
async def undo_pressed(ctx: Context) -> Reply:
    lecture = _lecture_from_args(ctx)
    await store.unmark(ctx.session, ctx.user_id, lecture.key)
    part = _part(ctx, lecture.part)
    assert part is not None
    return await part_view(ctx, part)


@router.command("done", args_hint="3.2")
async def done(ctx: Context) -> list[Reply]:
    """Mark lectures as watched: /done 3.2, /done 1.3 1.4, or /done 2 for a whole part."""
    chosen = _lectures_from_text(ctx)
    newly = [lecture for lecture in chosen if await store.mark_done(ctx.session, ctx.user_id, lecture.key, ctx.now())]
    marked = await counted_done(ctx)
    total = len(ctx.content.all_lectures())
    if len(chosen) == 1:
        lecture = chosen[0]
        if newly:
            text = _("Marked {key} “{title}” as watched.").format(key=lecture.key, title=esc(lecture.title))
        else:
            text = _("You had already marked {key} “{title}” as watched.").format(
                key=lecture.key, title=esc(lecture.title)
            )
    else:
        before = [lecture.key for lecture in chosen if lecture not in newly]
        lines = []
        if newly:
            lines.append(
                ngettext(
                    "Marked {n} lecture as watched: {keys}.", "Marked {n} lectures as watched: {keys}.", len(newly)
                ).format(n=len(newly), keys=", ".join(lecture.key for lecture in newly))
            )
        if before:
            lines.append(
                ngettext("{n} was already marked: {keys}.", "{n} were already marked: {keys}.", len(before)).format(
                    n=len(before), keys=", ".join(before)
                )
            )
        text = "\n".join(lines)
    text += "\n" + _("{done} of {total} lectures watched.").format(done=len(marked), total=total)
    reply = Reply(text, buttons=[[command_button("progress", _("My progress"))]], personal=True)
    return [reply, *await _completion_extra(ctx, marked, bool(newly))]


@router.command("undo", args_hint="3.2")
async def undo(ctx: Context) -> Reply:
    """Unmark a lecture, e.g. /undo 3.2."""
    lecture = _lecture_from_text(ctx, "undo")
    removed = await store.unmark(ctx.session, ctx.user_id, lecture.key)
    marked = await counted_done(ctx)
    if removed:
        text = _("{key} “{title}” is no longer marked as watched.").format(key=lecture.key, title=esc(lecture.title))
    else:
        text = _("{key} “{title}” was not marked as watched.").format(key=lecture.key, title=esc(lecture.title))
    text += "\n" + _("{done} of {total} lectures watched.").format(
        done=len(marked), total=len(ctx.content.all_lectures())
    )
    return Reply(text, buttons=[[command_button("progress", _("My progress"))]], personal=True)


async def progress_view(ctx: Context, *, edit: bool = False, newly: bool = False) -> list[Reply]:
    """The progress summary; `newly`: this event marked a lecture (so completing the course congratulates)."""
    done = await counted_done(ctx)
    content = ctx.content
    total = len(content.all_lectures())
    lines = [_("<b>Your progress</b>"), ""]
    for part in content.lectures.parts:
        keys = [lecture.key for lecture in part.lecture_list()]
        count = sum(1 for key in keys if key in done)
        lines.append(
            _("Part {number}: {bar} {done}/{total}").format(
                number=part.number, bar=bar(count, len(keys)), done=count, total=len(keys)
            )
        )
    lines += [
        "",
        _("Overall: {done} of {total} lectures ({percent}).").format(
            done=len(done), total=total, percent=format_percent(len(done) / total if total else 0)
        ),
    ]
    course = content.program.course
    rows: list[list[Button]] = []
    upcoming = ctx.content.next_lecture(done)
    if upcoming is not None:
        lines += [
            "",
            _("<b>Next</b>: {key} “{title}”").format(key=upcoming.key, title=esc(upcoming.title)),
            _("Watch it on {platform}, then press Continue.").format(
                platform=link(str(course.url), course.platform_name)
            ),
        ]
        rows.append(
            [Button(_("Continue: mark {key} watched").format(key=upcoming.key), act("prog.next", upcoming.key))]
        )
        rows.append([Button(course.platform_name, url=str(course.url))])
    elif not _completed_now(ctx, done, newly):
        lines += [
            "",
            _(
                "✅ Every lecture is marked as watched. /certificate shows your course record and how to request "
                "the official certificate."
            ),
        ]
        rows.append([command_button("certificate", _("Certificates"))])
    rows.append([command_button("lectures", _("Lectures")), *back_to_menu()])
    reply = Reply("\n".join(lines), buttons=rows, personal=True, edit=edit)
    return [reply, *await _completion_extra(ctx, done, newly)]


@router.command("progress")
async def progress(ctx: Context) -> list[Reply]:
    """Your progress through the lectures and the next one to watch."""
    return await progress_view(ctx)


@router.action("prog.next")
async def continue_pressed(ctx: Context) -> list[Reply]:
    """Continue: mark the lecture the button showed as watched and show the following one."""
    lecture = _lecture_from_args(ctx)
    if not await store.mark_done(ctx.session, ctx.user_id, lecture.key, ctx.now()):
        raise UserError(
            _("You had already marked {key} as watched. Send /progress to see where you are.").format(key=lecture.key),
            main_menu(ctx),
        )
    return await progress_view(ctx, edit=True, newly=True)

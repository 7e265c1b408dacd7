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
from bot.domain.progress import CourseProgress, UnknownLecture
from bot.i18n import _, format_percent, ngettext
from bot.services import progress as service
from bot.services.progress import Marked
from handlers.menu import back_to_menu, command_button, main_menu

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


async def course_progress(ctx: Context) -> CourseProgress:
    """The person's progress; marks on lectures the content dropped are kept but not counted."""
    return await service.progress_of(ctx.unit_of_work, ctx.user_id, ctx.content)


def _part(ctx: Context, number: int) -> Part | None:
    return next((part for part in ctx.content.lectures.parts if part.number == number), None)


def _stale_button() -> UserError:
    return UserError(_("That button is no longer valid. Send /lectures to see the course."), [back_to_menu()])


def _key_from_args(ctx: Context) -> str:
    """The lecture key a button carries; the service re-checks it against the current content."""
    if len(ctx.args) != 1:
        raise _stale_button()
    return ctx.args[0]


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


async def _completion_extra(ctx: Context, completed_now: bool) -> list[Reply]:
    """The course-certificate message, when this event marked the last lecture (not at every later look)."""
    if not completed_now:
        return []
    from handlers.certificates import course_completed_reply

    return [await course_completed_reply(ctx)]


@router.command("lectures")
async def lectures(ctx: Context) -> Reply:
    """The four parts of the online course, with your progress in each."""
    progress = await course_progress(ctx)
    content = ctx.content
    lines = [_("<b>The online course</b> ({count} lectures):").format(count=progress.total)]
    buttons: list[Button] = []
    for part in progress.parts:
        lines += [
            "",
            _("<b>Part {number}</b>: {title}").format(number=part.number, title=esc(part.title)),
            f"{bar(part.done, part.total)} {part.done}/{part.total}",
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


async def part_view(ctx: Context, part: Part, progress: CourseProgress | None = None) -> Reply:
    done = (progress or await course_progress(ctx)).done
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


def _part_of(ctx: Context, key: str) -> Part:
    lecture = ctx.content.lecture(key)
    part = _part(ctx, lecture.part) if lecture is not None else None
    assert part is not None
    return part


async def _mark_pressed(ctx: Context, key: str) -> Marked:
    """Mark the lecture a button carried; a lecture the content no longer has makes the button stale."""
    try:
        return await service.mark_watched(ctx.unit_of_work, ctx.user_id, [key], now=ctx.now(), content=ctx.content)
    except UnknownLecture:
        raise _stale_button() from None


@router.action("prog.done")
async def done_pressed(ctx: Context) -> list[Reply]:
    key = _key_from_args(ctx)
    marked = await _mark_pressed(ctx, key)
    view = await part_view(ctx, _part_of(ctx, key), marked.progress)
    return [view, *await _completion_extra(ctx, marked.completed_now)]


@router.action("prog.undo")
async def undo_pressed(ctx: Context) -> Reply:
    key = _key_from_args(ctx)
    try:
        unmarked = await service.unmark_watched(ctx.unit_of_work, ctx.user_id, key, content=ctx.content)
    except UnknownLecture:
        raise _stale_button() from None
    return await part_view(ctx, _part_of(ctx, key), unmarked.progress)


@router.command("done", args_hint="3.2")
async def done(ctx: Context) -> list[Reply]:
    """Mark lectures as watched: /done 3.2, /done 1.3 1.4, or /done 2 for a whole part."""
    chosen = _lectures_from_text(ctx)
    marked = await service.mark_watched(
        ctx.unit_of_work, ctx.user_id, [lecture.key for lecture in chosen], now=ctx.now(), content=ctx.content
    )
    newly = marked.newly
    if len(chosen) == 1:
        lecture = chosen[0]
        if newly:
            text = _("Marked {key} “{title}” as watched.").format(key=lecture.key, title=esc(lecture.title))
        else:
            text = _("You had already marked {key} “{title}” as watched.").format(
                key=lecture.key, title=esc(lecture.title)
            )
    else:
        before = marked.already
        lines = []
        if newly:
            lines.append(
                ngettext(
                    "Marked {n} lecture as watched: {keys}.", "Marked {n} lectures as watched: {keys}.", len(newly)
                ).format(n=len(newly), keys=", ".join(newly))
            )
        if before:
            lines.append(
                ngettext("{n} was already marked: {keys}.", "{n} were already marked: {keys}.", len(before)).format(
                    n=len(before), keys=", ".join(before)
                )
            )
        text = "\n".join(lines)
    text += "\n" + _("{done} of {total} lectures watched.").format(
        done=len(marked.progress.done), total=marked.progress.total
    )
    reply = Reply(text, buttons=[[command_button("progress", _("My progress"))]], personal=True)
    return [reply, *await _completion_extra(ctx, marked.completed_now)]


@router.command("undo", args_hint="3.2")
async def undo(ctx: Context) -> Reply:
    """Unmark a lecture, e.g. /undo 3.2."""
    lecture = _lecture_from_text(ctx, "undo")
    unmarked = await service.unmark_watched(ctx.unit_of_work, ctx.user_id, lecture.key, content=ctx.content)
    if unmarked.removed:
        text = _("{key} “{title}” is no longer marked as watched.").format(key=lecture.key, title=esc(lecture.title))
    else:
        text = _("{key} “{title}” was not marked as watched.").format(key=lecture.key, title=esc(lecture.title))
    text += "\n" + _("{done} of {total} lectures watched.").format(
        done=len(unmarked.progress.done), total=unmarked.progress.total
    )
    return Reply(text, buttons=[[command_button("progress", _("My progress"))]], personal=True)


async def progress_view(ctx: Context, *, edit: bool = False, marked: Marked | None = None) -> list[Reply]:
    """The progress summary; `marked`: what this event marked (completing the course congratulates once)."""
    progress = marked.progress if marked is not None else await course_progress(ctx)
    completed_now = marked is not None and marked.completed_now
    content = ctx.content
    lines = [_("<b>Your progress</b>"), ""]
    for part in progress.parts:
        lines.append(
            _("Part {number}: {bar} {done}/{total}").format(
                number=part.number, bar=bar(part.done, part.total), done=part.done, total=part.total
            )
        )
    lines += [
        "",
        _("Overall: {done} of {total} lectures ({percent}).").format(
            done=len(progress.done), total=progress.total, percent=format_percent(progress.share)
        ),
    ]
    course = content.program.course
    rows: list[list[Button]] = []
    upcoming = content.lecture(progress.next_key) if progress.next_key is not None else None
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
    elif not completed_now:
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
    return [reply, *await _completion_extra(ctx, completed_now)]


@router.command("progress")
async def progress(ctx: Context) -> list[Reply]:
    """Your progress through the lectures and the next one to watch."""
    return await progress_view(ctx)


@router.action("prog.next")
async def continue_pressed(ctx: Context) -> list[Reply]:
    """Continue: mark the lecture the button showed as watched and show the following one."""
    key = _key_from_args(ctx)
    marked = await _mark_pressed(ctx, key)
    if not marked.newly:
        raise UserError(
            _("You had already marked {key} as watched. Send /progress to see where you are.").format(key=key),
            main_menu(ctx),
        )
    return await progress_view(ctx, edit=True, marked=marked)

"""What a commit changed, told to the clock: only the kind of work it touched is woken.

The clock watches its own database's sessions (SQLAlchemy session events), so every writer in this process is seen
the same way (the chat, the web pages, the clock's own jobs) and none of them has to know the clock exists. A
commit that wrote outbox rows wakes the delivery worker; one that changed a study reminder or a broadcast puts its
job in line with the rows; one that asked the team a question forwards it. Rolled-back work wakes nothing.
Writers in other processes (the CLI) are caught by the periodic scans instead.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction


class Change(enum.Enum):
    DELIVERIES = "deliveries"
    STUDY_REMINDERS = "study_reminders"
    BROADCASTS = "broadcasts"
    QUESTIONS = "questions"
    WORKSHOPS = "workshops"


@dataclass(frozen=True)
class Changes:
    """What one commit changed: the kinds of work, and which study reminders (None: some, ids unknown)."""

    kinds: frozenset[Change]
    study_ids: frozenset[int] | None = frozenset()


@dataclass
class _Pending:
    kinds: set[Change] = field(default_factory=set)
    study_ids: set[int] = field(default_factory=set)
    # A bulk statement touched study reminders (a merge of accounts, an erasure, a claim): which ones is unknown.
    some_studies: bool = False

    def freeze(self) -> Changes:
        return Changes(frozenset(self.kinds), None if self.some_studies else frozenset(self.study_ids))


# Which writes matter, by table: new outbox rows only (the worker's own marks must not wake it again), any write to
# reminders, broadcasts and workshops (a new one, an edit, a pause, a cancel, a fan-out), new questions.
_INSERT_ONLY = frozenset({Change.DELIVERIES, Change.QUESTIONS})
_BY_TABLE = {change.value: change for change in Change}
_PENDING = "wego_changes"


def _pending(session: Session) -> _Pending:
    found = session.info.get(_PENDING)
    if not isinstance(found, _Pending):
        found = session.info[_PENDING] = _Pending()
    return found


def _note(session: Session, table: str, *, insert: bool, row_id: object = None, bulk: bool = False) -> None:
    change = _BY_TABLE.get(table)
    if change is None or (change in _INSERT_ONLY and not insert):
        return
    pending = _pending(session)
    pending.kinds.add(change)
    if change is Change.STUDY_REMINDERS:
        if bulk or not isinstance(row_id, int):
            pending.some_studies = True
        else:
            pending.study_ids.add(row_id)


class CommitWatch:
    """Calls `on_commit(changes)` after each commit on `engine` that changed something the clock runs."""

    def __init__(self, engine: Engine, on_commit: Callable[[Changes], None]) -> None:
        self.engine = engine
        self.on_commit = on_commit
        self._listeners: list[tuple[str, Callable[..., Any]]] = [
            ("after_flush", self._after_flush),
            ("do_orm_execute", self._statement),
            ("after_commit", self._after_commit),
            ("after_rollback", self._forget),
        ]
        self.active = False

    def _ours(self, session: Session) -> bool:
        # The listeners are on the Session class: other databases in this process (tests) are not ours.
        bind = session.bind
        return bind is self.engine or getattr(bind, "engine", None) is self.engine

    def _after_flush(self, session: Session, _flush: UOWTransaction) -> None:
        if not self._ours(session):
            return
        for obj in session.new:
            _note(session, getattr(obj, "__tablename__", ""), insert=True, row_id=getattr(obj, "id", None))
        for obj in (*session.dirty, *session.deleted):
            _note(session, getattr(obj, "__tablename__", ""), insert=False, row_id=getattr(obj, "id", None))

    def _statement(self, state: ORMExecuteState) -> None:
        # Bulk statements (a fan-out's insert, a guarded update) bypass the flush.
        statement = state.statement
        if not self._ours(state.session) or not getattr(statement, "is_dml", False):
            return
        table = getattr(statement, "table", None)
        _note(state.session, getattr(table, "name", ""), insert=bool(getattr(statement, "is_insert", False)), bulk=True)

    def _after_commit(self, session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if isinstance(pending, _Pending) and pending.kinds and self._ours(session):
            self.on_commit(pending.freeze())

    def _forget(self, session: Session) -> None:
        session.info.pop(_PENDING, None)

    def start(self) -> None:
        if self.active:
            return
        for name, listener in self._listeners:
            event.listen(Session, name, listener)
        self.active = True

    def stop(self) -> None:
        if not self.active:
            return
        for name, listener in self._listeners:
            event.remove(Session, name, listener)
        self.active = False

"""Participants and their platform accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Account, User


def language_of(user: User, default: str) -> str:
    """The language to write to this person in: the one they chose, else their platform's, else the default."""
    return user.locale or user.locale_hint or default


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def account(self, platform: str, platform_user_id: str) -> Account | None:
        return await self.session.scalar(
            select(Account).where(Account.platform == platform, Account.platform_user_id == platform_user_id)
        )

    async def get_or_create(
        self, platform: str, platform_user_id: str, *, chat_id: str, display_name: str, now: datetime
    ) -> tuple[User, Account]:
        account = await self.account(platform, platform_user_id)
        if account is None:
            try:
                # A savepoint, so that losing a race to another event of the same person costs nothing.
                async with self.session.begin_nested():
                    user = User(display_name=display_name[:200], created_at=now)
                    account = Account(
                        user=user,
                        platform=platform,
                        platform_user_id=platform_user_id,
                        chat_id=chat_id,
                        created_at=now,
                        last_seen_at=now,
                    )
                    self.session.add_all([user, account])
            except IntegrityError:
                account = await self.account(platform, platform_user_id)
                if account is None:
                    raise
        user = await self.session.get_one(User, account.user_id)
        account.last_seen_at = now
        if chat_id and account.chat_id != chat_id:
            account.chat_id = chat_id
        if display_name and user.display_name != display_name[:200]:
            user.display_name = display_name[:200]
        return user, account

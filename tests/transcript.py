"""Chat transcripts for flow tests: a person sends or presses, and we read what the bot said."""

from __future__ import annotations

from bot.router import ConversationRouter, Identity
from flows.base import Event, Reply


class Chat:
    """One person talking to the router directly (no Telegram)."""

    def __init__(self, router: ConversationRouter, telegram_id: int):
        self.router = router
        self.who = Identity(telegram_id=telegram_id, chat_id=telegram_id)
        self.last: list[Reply] = []

    async def send(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            event = Event.slash(command, args)
        else:
            event = Event.typed(text)
        return await self._do(event)

    async def press(self, label: str) -> list[Reply]:
        """Press a button (by its label) on the newest message that has one."""
        return await self._do(Event.button(self.button_data(label)))

    async def press_data(self, data: str) -> list[Reply]:
        """Press a button by its data: one from a message that came some other way (the outbox),
        or a forged one."""
        return await self._do(Event.button(data))

    event_button = press_data

    async def event(self, event: Event) -> list[Reply]:
        return await self._do(event)

    def button_data(self, label: str) -> str:
        for reply in reversed(self.last):
            for row in reply.buttons:
                for button in row:
                    if button.label == label:
                        return button.data
        raise AssertionError(f"no button {label!r}; buttons now: {self.labels()}")

    def labels(self) -> list[str]:
        return [b.label for r in self.last for row in r.buttons for b in row]

    def texts(self) -> list[str]:
        return [r.text for r in self.last]

    async def _do(self, event: Event) -> list[Reply]:
        self.last = await self.router.handle(self.who, event)
        return self.last

    async def onboard(self, nickname: str = "Blue Fox", age: str = "14 to 17") -> None:
        """The whole onboarding, for tests about what comes after it."""
        await self.send("/start")
        await self.press("Let's start")
        await self.press("OK, I understand")
        await self.send(nickname)
        await self.press(age)

"""A running system without Telegram: the router, the clock, and an outbox whose deliveries are
collected per chat, so tests can read what each worker's phone received."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bot.app.services import Services
from bot.db.models import Person, Role
from bot.records import people
from bot.time.outbox import OutboxSender
from tests.transcript import Chat


class Phones:
    """Collects outbox deliveries: chat id -> texts (and buttons)."""

    def __init__(self) -> None:
        self.inbox: dict[int, list[str]] = defaultdict(list)
        self.buttons: dict[int, list[list[str]]] = defaultdict(list)
        self.emails: list[tuple[str, str]] = []

    async def send(self, message) -> int:
        if message.channel == "email":
            self.emails.append((message.address, message.text))
            return 0
        self.inbox[message.chat_id].append(message.text)
        self.buttons[message.chat_id].append(
            [label for row in message.buttons.get("rows", []) for label, _ in row])
        return len(self.inbox[message.chat_id])

    def take(self, chat_id: int) -> list[str]:
        texts = list(self.inbox[chat_id])
        self.inbox[chat_id].clear()
        return texts


@dataclass
class System:
    services: Services
    phones: Phones
    sender: OutboxSender
    chats: dict[int, Chat] = field(default_factory=dict)

    async def settle(self) -> None:
        """Run due jobs and deliver the outbox, as the background tasks would."""
        await self.services.clock.tick()
        await self.sender.deliver_due()

    def chat(self, telegram_id: int) -> Chat:
        return self.chats.setdefault(telegram_id, Chat(self.services.router, telegram_id))

    async def worker(self, telegram_id: int, role: Role, name: str, *, on_duty: bool = False,
                     duty_list: bool = False, email: str | None = None) -> Chat:
        async with self.services.db.transaction() as session:
            person = await people.create_person(session, role, telegram_id=telegram_id,
                                                display_name=name)
            person.on_duty, person.on_duty_list, person.email = on_duty, duty_list, email
        return self.chat(telegram_id)

    async def young_person(self, telegram_id: int, worker_telegram_id: int | None = None) -> Chat:
        chat = self.chat(telegram_id)
        await chat.onboard()
        if worker_telegram_id is not None:
            async with self.services.db.transaction() as session:
                worker = await people.find_by_telegram(session, worker_telegram_id)
                person = await people.find_by_telegram(session, telegram_id)
                assert worker is not None and person is not None
                person.worker_id = worker.id
        return chat

    async def pseudonym(self, telegram_id: int) -> str:
        async with self.services.db.transaction() as session:
            person: Person | None = await people.find_by_telegram(session, telegram_id)
            assert person is not None
            return person.pseudonym

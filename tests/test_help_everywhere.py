"""Help is one tap away from every state of every flow, and comes back to the same place."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Conversation
from flows.base import Event
from tests.transcript import Chat

# A path through every flow that passes every state at least once.
PATH: list[tuple[str, str]] = [
    ("send", "/start"),
    ("press", "Let's start"),
    ("press", "OK, I understand"),
    ("send", "Sky"),
    ("press", "14 to 17"),
    ("press", "ℹ️ About this chat"),
    ("press", "🏠 Menu"),
    ("press", "📚 Modules"),
    ("press", "Practice module"),
    ("press", "Next ▶️"),
    ("press", "Good"),
    ("press", "Next ▶️"),
    ("press", "No"),
    ("press", "Next ▶️"),
    ("press", "Next ▶️"),
    ("send", "something"),
    ("press", "Next ▶️"),
    ("press", "Next ▶️"),
    # the safety plan
    ("press", "🏠 Menu"),
    ("press", "🛟 My safety plan"),
    ("press", "🚦 Signs that I'm not OK (0)"),
    ("press", "I can't sleep"),
    ("send", "I go quiet"),
    ("press", "🗑 Take one off"),
    ("press", "🗑 I can't sleep"),
    ("press", "◀️ Back to my plan"),
    ("press", "🤝 People I trust (0)"),
    ("send", "Aunt Jo"),
    ("send", "07700 900123"),
    ("press", "◀️ Back to my plan"),
    ("press", "👀 See my whole plan"),
    ("press", "✏️ Change my plan"),
    ("press", "✅ Done for now"),
    # the outcome wheel
    ("press", "🎯 My wheel"),
    ("press", "Let's go"),
    *[("press", str(score)) for score in (5, 6, 7, 8, 4, 3, 9, 10)],
    ("press", "⏱ Safety timer"),
    ("send", "21:30"),
    ("send", "the park with Jo"),
    ("press", "⏱ Safety timer"),
    ("event", "ci:mood:1:4"),  # a check-in's button, on a message the clock sent
    ("press", "Not sure"),
    ("press", "Not now"),
]


async def where(db, telegram_id: int) -> tuple[str, str]:
    async with db.transaction() as session:
        convo = await session.scalar(select(Conversation))
        return convo.flow, convo.state


async def test_help_from_every_state_shows_the_contacts_and_returns(system, db):
    practice_router = system.services.router
    chat = Chat(practice_router, telegram_id=7001)
    visited: set[tuple[str, str]] = set()
    for action, arg in PATH:
        if action == "event":
            await chat.event(Event.button(arg))
        else:
            await (chat.send(arg) if action == "send" else chat.press(arg))
        here = await where(db, 7001)
        visited.add(here)
        before = chat.texts()[-1]
        assert "🆘 Help" in chat.labels(), f"no help button in {here}"

        help_replies = await chat.press("🆘 Help")
        assert help_replies[0].text.startswith("🆘 Help is here")
        assert chat.labels() == ["🙋 I need a worker now", "↩️ Back to where I was", "🏠 Menu"]
        assert "Childline: 📞 0800 1111" in help_replies[0].text
        assert "🚨 Police, ambulance or fire: 📞 999" in help_replies[0].text
        assert await where(db, 7001) == here, "help must not move the conversation"

        back = await chat.press("↩️ Back to where I was")
        assert back[-1].text == before or here == ("module", "answered"), here
        assert await where(db, 7001) == here

        await chat.send("/help")
        assert chat.last[0].text.startswith("🆘 Help is here")
        await chat.press("↩️ Back to where I was")

    # an interrupting flow may only pass through its entry state (where its buttons land)
    all_states = {(flow.name, state) for flow in practice_router.flows.values()
                  for state in flow.STATES}
    must_visit = {(flow.name, state) for flow in practice_router.flows.values()
                  for state in flow.STATES if not (flow.interrupts and state == flow.entry_state)}
    assert must_visit <= visited <= all_states, must_visit - visited


async def test_help_works_even_before_the_first_start(router):
    chat = Chat(router, telegram_id=7002)
    replies = await chat.send("/help")
    assert replies[0].text.startswith("🆘 Help is here")
    assert chat.labels() == ["🙋 I need a worker now", "🏠 Menu", "🆘 Help"]

"""Onboarding, as a young person would see it (router + flows, no Telegram)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Person

NOT_UNDERSTOOD = ("I'm a bot, so I might not understand what you typed. Sorry.\n"
                  "If you want your worker to see your message, tap Tell my worker.\n"
                  "If you need help now, tap Help.")


async def test_a_new_young_person_is_told_about_privacy_before_they_pick_a_nickname(young_person):
    replies = await young_person.send("/start")
    assert replies[0].text.startswith("Hi, welcome 👋")
    assert young_person.labels() == ["Let's start", "🆘 Help"]

    replies = await young_person.press("Let's start")
    assert replies[0].text.startswith("Before we start, here is how privacy works here 🔒")
    assert "a worker from the team must be told" in replies[0].text
    assert "they will try to talk to you first" in replies[0].text
    assert young_person.labels() == ["OK, I understand", "Tell me more", "🆘 Help"]

    replies = await young_person.press("Tell me more")
    assert "/hide deletes the chat from the last 48 hours" in replies[0].text

    replies = await young_person.press("OK, I understand")
    assert replies[0].text.startswith("What should I call you? 🙂")
    assert len(young_person.labels()) == 5  # three names, "show me others", help

    replies = await young_person.send("Sky")
    assert replies[0].text.startswith("Nice to meet you, Sky! 👋")
    replies = await young_person.press("14 to 17")
    assert replies[0].text.startswith("All set!")
    assert replies[0].text.endswith("🎯 Would you like to fill in your wheel first? It is 8 quick "
                                    "questions about how things are for you. It takes about 2 minutes.")
    assert [b.label for row in replies[0].buttons for b in row] == ["🎯 Fill in my wheel"]
    assert replies[1].text == "What would you like to do, Sky?"
    assert young_person.labels() == ["🎯 Fill in my wheel", "📚 Modules", "🛟 My safety plan",
                                     "🎯 My wheel", "⏱ Safety timer", "ℹ️ About this chat",
                                     "🙈 Hide chat", "🙋 I need a worker now", "🆘 Help"]


async def test_a_suggested_nickname_can_be_tapped(young_person):
    await young_person.send("/start")
    await young_person.press("Let's start")
    await young_person.press("OK, I understand")
    first = young_person.labels()[0]
    await young_person.press("🔄 Show me others")
    assert young_person.labels()[0] != first
    suggestion = young_person.labels()[0]
    replies = await young_person.press(suggestion)
    assert replies[0].text.startswith(f"Nice to meet you, {suggestion}!")


async def test_a_phone_number_or_link_is_not_accepted_as_a_nickname(young_person):
    await young_person.send("/start")
    await young_person.press("Let's start")
    await young_person.press("OK, I understand")
    replies = await young_person.send("07700 900123")
    assert replies[0].text.startswith("Sorry, I can't use that one.")
    replies = await young_person.send("www.example.com")
    assert replies[0].text.startswith("Sorry, I can't use that one.")


async def test_typing_before_agreeing_to_privacy_keeps_them_in_onboarding(young_person, db):
    await young_person.send("/start")
    replies = await young_person.send("hello?")
    assert replies[0].text == NOT_UNDERSTOOD
    assert [b.label for row in replies[0].buttons for b in row] == ["💬 Tell my worker", "🆘 Help"]
    assert replies[1].text.startswith("Hi, welcome 👋")
    replies = await young_person.send("/menu")
    assert replies[0].text.startswith("Hi, welcome 👋")
    async with db.transaction() as session:
        person = await session.scalar(select(Person))
        assert person.privacy_accepted_at is None


async def test_nickname_and_age_band_are_saved(young_person, db):
    await young_person.onboard(nickname="Quiet Otter", age="11 to 13")
    async with db.transaction() as session:
        person = await session.scalar(select(Person))
    assert (person.nickname, person.age_band, person.role) == ("Quiet Otter", "11-13", "young_person")
    assert person.pseudonym.startswith("YP-")

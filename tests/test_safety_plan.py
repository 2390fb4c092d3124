"""The safety plan, as a young person builds and changes it, and as their worker sees it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.care.wellbeing import short_date
from bot.db.models import AuditEntry, Role, SafetyPlanRecord
from bot.features.registry import WORKER, YOUNG_PERSON
from bot.records import people
from bot.router import ConversationRouter
from tests.conftest import router_for
from tests.transcript import Chat
from tests.wellbeing_helpers import link_to_worker, outbox_for, young_person_id


@pytest.fixture
def router(db, content, clock) -> ConversationRouter:
    return router_for(db, content, clock, sides=(YOUNG_PERSON, WORKER))


@pytest.fixture
async def sky(router) -> Chat:
    chat = Chat(router, telegram_id=5101)
    await chat.onboard(nickname="Sky")
    return chat


async def stored_plan(db) -> dict:
    async with db.transaction() as session:
        row = await session.scalar(select(SafetyPlanRecord))
        return row.sections if row else {}


async def test_a_young_person_builds_their_plan_and_changes_it_later(sky, db):
    replies = await sky.press("🛟 My safety plan")
    assert replies[0].text == (
        "🛟 Your safety plan\n"
        "This plan is yours. It helps you know what to do if you don't feel OK or don't feel safe.\n"
        "Fill it in at your own pace. You can change it any time.\n"
        "What you write here is kept, so you can come back to it. "
        "Your worker can see your plan, so they can help you with it.\n"
        "Tap a part to fill it in or change it.")
    assert sky.labels() == [
        "🚦 Signs that I'm not OK (0)", "🌿 Things that help me calm down (0)",
        "🤝 People I trust (0)", "🏠 Safe places (0)", "🚧 People and places to keep away from (0)",
        "🔑 My code word (0)", "🚨 If I feel in danger, I will… (0)", "👀 See my whole plan",
        "✅ Done for now", "🆘 Help"]

    replies = await sky.press("🚦 Signs that I'm not OK (0)")
    assert replies[0].text == ("🚦 Signs that I'm not OK\n\nNothing here yet.\n\n"
                               "What are the signs that you are not OK?\n"
                               "Tap any that fit, or type your own.")
    assert sky.labels()[:6] == ["I can't sleep", "I don't feel like eating", "I want to be alone",
                                "I feel angry a lot", "I stay out late", "I feel numb"]

    replies = await sky.press("I can't sleep")
    assert replies[0].text == "✅ Added."
    assert replies[1].text.startswith("🚦 Signs that I'm not OK\n\n• I can't sleep\n\n")
    assert "I can't sleep" not in sky.labels()  # a suggestion already in the plan is not offered

    replies = await sky.send("I go really quiet")
    assert [r.text.split("\n\n")[0] for r in replies] == ["✅ Added.", "🚦 Signs that I'm not OK"]
    assert "• I can't sleep\n• I go really quiet" in replies[1].text
    assert (await stored_plan(db)) == {"signs": ["I can't sleep", "I go really quiet"]}

    await sky.press("◀️ Back to my plan")
    await sky.press("🤝 People I trust (0)")
    replies = await sky.send("Aunt Jo")
    assert replies[0].text == "What is Aunt Jo's phone number? Type it, or tap Skip."
    replies = await sky.send("call her")
    assert replies[0].text.startswith("Sorry, that doesn't look like a phone number.")
    replies = await sky.send("07700 900123")
    assert replies[0].text == "✅ Added."
    assert "• Aunt Jo: 07700 900123" in replies[1].text
    await sky.send("Coach Sam")
    await sky.press("Skip")

    await sky.press("◀️ Back to my plan")
    await sky.press("🔑 My code word (0)")
    replies = await sky.press("Pineapple")
    assert replies[0].text == "✅ Your code word is now: Pineapple"
    replies = await sky.send("Purple socks")  # typing replaces the word
    assert replies[0].text == "✅ Your code word is now: Purple socks"

    await sky.press("◀️ Back to my plan")
    await sky.press("🚨 If I feel in danger, I will… (0)")
    await sky.press("Call 999")
    await sky.press("Text my code word")
    assert "✅ Done for now" not in sky.labels()  # "Done" lives on the plan's front page
    await sky.press("◀️ Back to my plan")
    assert "🤝 People I trust (2)" in sky.labels()
    replies = await sky.press("✅ Done for now")
    assert replies[0].text == "Your plan is saved. You can see it any time with /myplan."
    assert replies[1].text == "What would you like to do, Sky?"

    # later: /myplan shows it as one message, with help contacts; then they change it
    replies = await sky.send("/myplan")
    assert replies[0].text.startswith(
        "🛟 My safety plan\n\n"
        "🚦 Signs that I'm not OK\n• I can't sleep\n• I go really quiet\n\n"
        "🤝 People I trust\n• Aunt Jo: 07700 900123\n• Coach Sam\n\n"
        "🔑 My code word\n• Purple socks\n\n"
        "🚨 If I feel in danger, I will…\n• Call 999\n• Text my code word\n\n"
        "📞 Lines to call or text, free, any time\n"
        "• Police, ambulance or fire: 999\n• Childline: 0800 1111 · https://www.childline.org.uk\n"
        "• Samaritans: 116 123\n• Shout: Text SHOUT to 85258\n"
        "• Papyrus HOPELINE247: 0800 068 4141 · https://www.papyrus-uk.org\n"
        "• NHS 111, mental health option: 111\n\n"
        "If you are in danger right now, call 999.\n"
        "You can see this plan any time with /myplan.\n"
        "• Northamptonshire MASH (child safety team): 0300 126 7000\n"
        "• Child safety team, out of hours: 01604 626938")
    assert sky.labels() == ["✏️ Change my plan", "🏠 Menu", "🆘 Help"]

    await sky.press("✏️ Change my plan")
    await sky.press("🚦 Signs that I'm not OK (2)")
    await sky.press("🗑 Take one off")
    assert sky.labels() == ["🗑 I can't sleep", "🗑 I go really quiet", "◀️ Back to my plan", "🆘 Help"]
    replies = await sky.press("🗑 I can't sleep")
    assert replies[0].text == "OK, I took that off."
    assert replies[1].text.startswith("🚦 Signs that I'm not OK\n\n• I go really quiet\n\n")

    plan = await stored_plan(db)
    assert plan == {
        "signs": ["I go really quiet"],
        "people": [{"name": "Aunt Jo", "number": "07700 900123"},
                   {"name": "Coach Sam", "number": ""}],
        "code_word": "Purple socks",
        "danger": ["Call 999", "Text my code word"],
    }


async def test_every_typed_plan_line_still_goes_through_the_safety_check(sky, router):
    seen = router.safety.seen
    await sky.press("🛟 My safety plan")
    await sky.press("🏠 Safe places (0)")
    await sky.send("My nan's flat")
    assert router.safety.seen == seen + 1


async def test_a_worker_reads_the_plan_and_asks_for_an_update(router, sky, db, clock):
    await sky.press("🛟 My safety plan")
    await sky.press("🌿 Things that help me calm down (0)")
    await sky.press("Music")
    await link_to_worker(db, 5101)
    jo = Chat(router, telegram_id=9001)
    yp = await young_person_id(db, 5101)

    replies = await jo.send("/plan")
    assert replies[0].text == "Whose safety plan?"
    [label] = jo.labels()
    assert label.endswith("(Sky)")
    replies = await jo.press(label)
    assert f"\nLast changed {short_date(clock())}.\n\n" in replies[0].text
    assert "🌿 Things that help me calm down\n• Music" in replies[0].text
    assert "Childline" not in replies[0].text  # the worker's copy is the plan only
    await jo.press("📨 Ask them to update it")
    [nudge] = await outbox_for(db, 5101)
    assert nudge.text.startswith("Hey, it's me 🙂\n")
    assert nudge.buttons == {"rows": [[["🛟 Open my plan", "plan:enter"]]]}

    # the young person presses it from the middle of something else, and comes back after
    await sky.send("/menu")
    await sky.press("🎯 My wheel")
    await sky.press("Let's go")
    replies = await sky.press_data("plan:enter")
    assert replies[0].text.startswith("🛟 Your safety plan")
    replies = await sky.press("✅ Done for now")
    assert replies[1].text.startswith("1 of 8: Feeling safe")

    async with db.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action).where(
            AuditEntry.subject_id == yp))).all()
    assert actions == ["plan.read", "plan.ask"]


async def test_a_worker_cannot_see_a_plan_of_someone_not_on_their_caseload(router, sky, db):
    await link_to_worker(db, 5101)
    async with db.transaction() as session:
        await people.create_person(session, Role.SUPPORT_WORKER, telegram_id=9002,
                                   display_name="Al")
    other = Chat(router, telegram_id=9002)
    yp = await young_person_id(db, 5101)
    replies = await other.send("/plan")
    assert replies[0].text == "There is nobody on your caseload yet."
    replies = await other.event_button(f"wplan:see:{yp}")
    assert [r.text for r in replies] == ["Sorry, that young person is not on your caseload."]
    replies = await other.event_button(f"wplan:ask:{yp}")
    assert replies[0].text == "Sorry, that young person is not on your caseload."
    assert await outbox_for(db, 5101) == []


async def test_people_and_places_to_keep_away_from_is_part_of_the_plan(sky, db):
    await sky.press("🛟 My safety plan")
    replies = await sky.press("🚧 People and places to keep away from (0)")
    assert replies[0].text == (
        "🚧 People and places to keep away from\n\nNothing here yet.\n\n"
        "Is there anyone, or anywhere, that does not feel safe? You can list them here, so you "
        "and your worker can plan around them.\n"
        "None of this is your fault. Tap any that fit, or type your own.")
    await sky.press("A car that picks me up")
    await sky.send("the flats on Bell St")
    assert (await stored_plan(db)) == {"avoid": ["A car that picks me up", "the flats on Bell St"]}
    replies = await sky.send("/myplan")
    assert ("🚧 People and places to keep away from\n• A car that picks me up\n"
            "• the flats on Bell St") in replies[0].text


async def test_an_empty_plan_still_lists_the_crisis_lines(sky):
    replies = await sky.send("/myplan")
    text = replies[0].text
    assert text.startswith("🛟 My safety plan\n\nYour plan is empty so far.")
    for line in ("• Samaritans: 116 123", "• Shout: Text SHOUT to 85258",
                 "• Papyrus HOPELINE247: 0800 068 4141", "• NHS 111, mental health option: 111",
                 "• Police, ambulance or fire: 999"):
        assert line in text

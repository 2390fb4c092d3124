"""A 1 for "feeling safe" on the wheel flags the young person's worker at once."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Alert
from tests.checkins.helpers import DUTY, WORKER, YP, person_of, team

FLAGGED = ("You said you do not feel safe at all. Thank you for telling me. 💛\n"
           "I've let your worker know, so they can check in with you soon.\n"
           "If you are in danger right now, call 999. Childline is free on 0800 1111, any time.")


async def fill_in_wheel(chat, scores: list[int]) -> list:
    await chat.send("/menu")
    await chat.press("🎯 My wheel")
    await chat.press("Let's go")
    replies = []
    for score in scores:
        replies = await chat.press(str(score))
    return replies


async def alerts(system) -> list[Alert]:
    async with system.services.db.transaction() as session:
        return list(await session.scalars(select(Alert)))


async def test_a_1_for_feeling_safe_tells_them_and_flags_their_worker(system):
    await team(system)
    sky = await system.young_person(YP, WORKER)
    replies = await fill_in_wheel(sky, [1, 5, 5, 5, 5, 5, 5, 5])
    assert [r.text for r in replies[:2]] == ["Thank you for filling in your wheel! 🎯", FLAGGED]
    await system.settle()
    pseudonym = (await person_of(system, YP)).pseudonym
    flag = [t for t in system.phones.take(WORKER) if "alert" in t]
    assert len(flag) == 1
    assert flag[0].startswith(
        f"⚠️ MEDIUM alert #1 – {pseudonym}\nAbout: outcome wheel: Feeling safe 1 of 10\n")
    assert "\nFrom: wheel\n" in flag[0]
    assert system.phones.take(DUTY) == []  # medium: their own worker, as for missed check-ins
    [alert] = await alerts(system)
    assert alert.categories["names"] == ["wheel_safe_1_of_10"]
    assert alert.excerpt is None


async def test_a_2_for_feeling_safe_or_a_1_elsewhere_is_for_the_next_review(system):
    await team(system)
    sky = await system.young_person(YP, WORKER)
    replies = await fill_in_wheel(sky, [2, 1, 1, 1, 1, 1, 1, 1])
    assert FLAGGED not in [r.text for r in replies]
    await system.settle()
    assert await alerts(system) == []

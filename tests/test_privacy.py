"""Privacy at rest and in flight: encrypted fields, key rotation, floods, repeated updates."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from bot.app.maintenance import rotate_encryption
from bot.db.crypto import keyring, new_key
from bot.db.models import Alert, Base, Person, RecentMessage, Role
from flows.base import Event

YP, DUTY = 5001, 9001


def database_bytes(db) -> bytes:
    path = Path(db.url.removeprefix("sqlite+aiosqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_a_database_dump_holds_none_of_the_sensitive_plaintext(system, db):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    sam = system.chat(YP)
    await sam.onboard(nickname="Zebra Moon")
    await sam.send("he's outside my house")
    await system.settle()
    dee = system.chat(DUTY)
    await dee.event(Event.button("al:talk:1"))
    await dee.send("Lock the door and stay on the line")
    await sam.send("ok the back door is locked")
    await system.settle()
    await dee.event(Event.button("al:resolve:1"))
    await dee.send("Police attended at 21:10, mum home")
    await system.settle()
    await db.dispose()
    dump = database_bytes(db)
    for secret in ("Zebra Moon", "outside my house", "Lock the door", "back door is locked",
                   "Police attended"):
        assert secret.encode() not in dump, secret
    async with db.transaction() as session:  # ...and yet the record reads back in full
        alert = await session.scalar(select(Alert))
        person = await session.scalar(select(Person).where(Person.telegram_id == YP))
    assert alert.outcome == "Police attended at 21:10, mum home"
    assert "“he's outside my house”" in alert.excerpt
    assert person.nickname == "Zebra Moon"


async def test_rotating_the_key_re_encrypts_everything(system, db):
    old = new_key()
    keyring.configure(old)
    await system.chat(YP).onboard(nickname="Zebra Moon")
    fresh = new_key()
    keyring.configure([fresh, old])
    counts = await rotate_encryption(db)
    assert counts["people.nickname"] == 1
    keyring.configure(fresh)  # the old key is gone
    async with db.transaction() as session:
        assert (await session.scalar(select(Person.nickname))) == "Zebra Moon"
        raw = (await session.execute(text("SELECT nickname FROM people"))).scalar()
    assert raw.startswith("enc1:") and "Zebra" not in raw


async def test_a_flood_gets_one_kind_slow_down_and_every_message_is_still_scanned(system):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    sam = system.chat(YP)
    await sam.onboard()  # typing the nickname was message 1 of the 20 allowed in 10 seconds
    for _ in range(19):
        assert (await sam.send("la la la"))[0].text.startswith("I'm a bot, so I might not")
    replies = await sam.send("la la la")
    assert replies[0].text.startswith("Whoa, that's a lot of messages at once!")
    assert await sam.send("la la la") == []
    replies = await sam.send("he's hurting me right now")  # still scanned while flooding
    assert replies[0].text.startswith("I'm really glad you told me.")
    async with system.services.db.transaction() as session:
        assert (await session.scalar(select(Alert))).severity == 4


async def test_the_same_update_delivered_twice_is_handled_once(system):
    router = system.services.router
    sam = system.chat(YP)
    first = await router.handle(sam.who, Event.slash("start"), update_id=77)
    again = await router.handle(sam.who, Event.slash("start"), update_id=77)
    assert first and again == []


async def test_half_way_through_onboarding_the_nickname_is_nowhere_in_plain_text(young_person, db):
    await young_person.send("/start")
    await young_person.press("Let's start")
    await young_person.press("OK, I understand")
    replies = await young_person.send("Zebra Moon")
    assert replies[0].text.startswith("Nice to meet you, Zebra Moon!")  # age not chosen yet
    async with db.transaction() as session:
        contexts = (await session.execute(text("SELECT context FROM conversations"))).all()
        assert len(contexts) == 1 and "Zebra" not in repr(contexts)
        for table in Base.metadata.sorted_tables:  # every raw row of every table
            rows = (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            assert "Zebra" not in repr(rows), table.name
        assert (await session.scalar(select(Person.nickname))) == "Zebra Moon"  # kept, encrypted
    replies = await young_person.send("hmm")  # asked again, the question still knows their name
    assert any(r.text.startswith("Nice to meet you, Zebra Moon!") for r in replies)
    await young_person.press("14 to 17")
    async with db.transaction() as session:
        assert (await session.scalar(select(Person.age_band))) == "14-17"


async def test_plan_and_timer_answers_are_neither_kept_as_context_nor_quoted_on_a_page(system):
    await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    sam = system.chat(YP)
    await sam.onboard()
    await sam.press("🛟 My safety plan")
    await sam.press("🤝 People I trust (0)")
    await sam.send("Aunt Jo")
    await sam.send("07700 900123")  # a trusted adult's phone number
    await sam.press("◀️ Back to my plan")
    await sam.press("🔑 My code word (0)")
    await sam.send("Flamingo")  # the code word, typed
    await sam.press("◀️ Back to my plan")
    await sam.press("✅ Done for now")
    await sam.press("⏱ Safety timer")
    await sam.press("In 2 hours")
    await sam.send("party at 12 Elm Road with Kai")  # where and who
    await sam.send("my stepdad is drunk again")  # free talk: context, and quoted
    await sam.send("he's outside my house")
    await system.settle()
    answers = ("Aunt Jo", "07700 900123", "Flamingo", "Elm Road")
    [page] = system.phones.take(DUTY)
    assert "he's outside my house" in page and "my stepdad is drunk again" in page
    async with system.services.db.transaction() as session:
        alert = await session.scalar(select(Alert))
        kept = (await session.scalars(select(RecentMessage.text))).all()
    assert "“my stepdad is drunk again”" in alert.excerpt
    assert "my stepdad is drunk again" in kept
    for answer in answers:
        assert answer not in page, answer
        assert answer not in alert.excerpt, answer
        assert not any(answer in message for message in kept), answer

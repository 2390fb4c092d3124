"""Invite links for young people and enrolment links for workers: single use, and they expire."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import admin
from bot.db.engine import Database
from bot.db.models import Invite, OutboxMessage, Person, Role
from bot.workers.invites import InviteFeature
from tests.workers.conftest import JO, Team

WELCOME_INVITED = "Hi, welcome 👋\nYour worker from the team sent you here."
NOT_VALID = "That link has already been opened or is too old."


async def invite_code(team: Team) -> tuple[str, str]:
    """Jo's /invite: (code, pseudonym of the new record)."""
    replies = await team.chat(JO).send("/invite")
    text = replies[0].text
    code = text.split("?start=", 1)[1].split("\n", 1)[0]
    pseudonym = text.removeprefix("New invite for ").split(".", 1)[0]
    return code, pseudonym


async def test_invite_gives_a_link_and_a_qr_code_and_a_new_record(team: Team):
    replies = await team.chat(JO).send("/invite")
    [reply] = replies
    assert reply.photo is not None and reply.photo.startswith(b"\x89PNG")
    lines = reply.text.split("\n")
    assert lines[0].startswith("New invite for YP-") and lines[0].endswith(
        ". It works once, for 7 days.")
    assert lines[1].startswith("https://t.me/rise_demo_bot?start=")
    assert lines[2:] == ["", "Let them scan the code, or send them the link."]
    async with team.router.db.transaction() as session:
        record = await session.scalar(select(Person).where(Person.pseudonym == lines[0][15:23]))
        assert (record.role, record.worker_id, record.telegram_id) == (
            Role.YOUNG_PERSON, team.ids["jo"], None)


async def test_joining_tells_the_worker_and_the_link_works_only_once(team: Team):
    code, pseudonym = await invite_code(team)
    newcomer = team.chat(6001)
    assert (await newcomer.send(f"/start {code}"))[0].text.startswith(WELCOME_INVITED)
    async with team.router.db.transaction() as session:
        told = (await session.scalars(select(OutboxMessage))).all()
        joined = await session.scalar(select(Person).where(Person.telegram_id == 6001))
    assert [(m.chat_id, m.text) for m in told] == [
        (JO, f"✅ {pseudonym} has joined through your invite.")]
    assert (joined.pseudonym, joined.worker_id) == (pseudonym, team.ids["jo"])

    someone_else = team.chat(6002)
    assert (await someone_else.send(f"/start {code}"))[0].text.startswith(NOT_VALID)
    async with team.router.db.transaction() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == 1


async def test_an_invite_expires_after_seven_days(team: Team, clock):
    code, _ = await invite_code(team)
    clock.advance(days=7)
    assert (await team.chat(6003).send(f"/start {code}"))[0].text.startswith(NOT_VALID)


async def test_the_bot_username_goes_into_the_link():
    assert InviteFeature("my_team_bot").bot_username == "my_team_bot"


@pytest.fixture
def admin_db(team: Team) -> Database:
    return team.router.db


async def test_an_enrolment_link_binds_the_worker_once(team: Team, admin_db, clock):
    enrolment = await admin.add_worker(admin_db, name="Kim", role=Role.SUPPORT_WORKER,
                                       bot_username="rise_demo_bot", duty_list=True, now=clock())
    code = enrolment.link.removeprefix("https://t.me/rise_demo_bot?start=")
    kim = team.chat(7001)
    assert [r.text for r in await kim.send(f"/start {code}")][0] == (
        "Welcome, Kim! Your Telegram account is now linked to RISE.")
    assert (await kim.send("/caseload"))[0].text == (
        "You have no young people yet. Use /invite to add one.")
    async with admin_db.transaction() as session:
        worker = await session.get(Person, enrolment.worker.id)
        assert (worker.telegram_id, worker.on_duty_list) == (7001, True)
        invite = await session.scalar(select(Invite).where(Invite.code == code))
        assert invite.purpose == "worker" and invite.used_at == clock()

    intruder = team.chat(7002)  # the same link again: just a new young person, no worker rights
    replies = await intruder.send(f"/start {code}")
    assert replies[0].text.startswith(NOT_VALID)
    assert (await intruder.send("/caseload"))[0].text.startswith(
        "Sorry, I don't know that command.")


async def test_an_enrolment_link_expires_after_three_days(team: Team, admin_db, clock):
    enrolment = await admin.add_worker(admin_db, name="Lee", role=Role.MANAGER,
                                       bot_username="rise_demo_bot", now=clock())
    clock.advance(days=3)
    code = enrolment.link.rsplit("=", 1)[1]
    late = team.chat(7003)
    assert (await late.send(f"/start {code}"))[0].text.startswith(NOT_VALID)
    assert (await late.send("/caseload"))[0].text.startswith("Sorry, I don't know that command.")


async def test_a_young_person_with_a_worker_is_not_moved_by_another_workers_invite(team: Team):
    jo_code, pseudonym = await invite_code(team)
    joined = team.chat(6010)
    await joined.send(f"/start {jo_code}")
    replies = await team.chat(9002).send("/invite")  # Al, another support worker
    al_code = replies[0].text.split("?start=", 1)[1].split("\n", 1)[0]

    texts = [r.text for r in await joined.send(f"/start {al_code}")]
    assert any(t.startswith("You're already linked with your worker") for t in texts)
    async with team.router.db.transaction() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == 6010))
        invite = await session.scalar(select(Invite).where(Invite.code == al_code))
        told = [(m.chat_id, m.text) for m in (await session.scalars(select(OutboxMessage))).all()]
    assert (person.pseudonym, person.worker_id) == (pseudonym, team.ids["jo"])
    assert invite.used_at is None
    assert (JO, f"ℹ️ {pseudonym} opened another worker's invite link. They are still on your "
                "caseload; nothing was changed.") in told
    assert not any(chat == 9002 for chat, _ in told)


LOOK_ALIKES = set("0O1IL2Z5S8BUV")


def test_invite_codes_are_easy_to_read_aloud_and_type():
    from bot.records.people import new_code

    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4], code  # K7QM-3XRT-9HPD-W4ZC
        assert all(ch.isupper() or ch.isdigit() for ch in "".join(groups)), code
        assert not LOOK_ALIKES & set(code), code
    used = set("".join(codes).replace("-", ""))
    assert len(used) == 23  # every character of the alphabet turns up


async def test_a_code_typed_by_hand_in_small_letters_with_spaces_still_works(team: Team):
    code, pseudonym = await invite_code(team)
    typed = code.lower().replace("-", " ")  # "k7qm 3xrt 9hpd w4zc", as copied from a caption
    newcomer = team.chat(6001)
    assert (await newcomer.send(f"/start {typed}"))[0].text.startswith(WELCOME_INVITED)
    async with team.router.db.transaction() as session:
        joined = await session.scalar(select(Person).where(Person.telegram_id == 6001))
    assert joined.pseudonym == pseudonym

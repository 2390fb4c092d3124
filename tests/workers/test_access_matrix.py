"""Every worker command and button × every role × own / another worker's young person.

Only support workers (their own caseload) and managers (everyone) succeed; every other cell is
refused with an exact, polite reply, changes nothing, and leaves no read of the record in the
audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.db.models import CaseNote, ModuleProgress
from tests.transcript import Chat
from tests.workers.conftest import ADA, JO, MO, PAT, SAM, Team

ACTORS = {"young person": PAT, "support worker": JO, "duty worker": SAM, "manager": MO,
          "admin": ADA}
# whose young person counts as "own" for each actor (Pat's own record, for the young person)
OWN = {"young person": "pat", "support worker": "sky", "duty worker": "dee", "manager": "kit",
       "admin": "eve"}
OTHER = "river"  # on Al's caseload
ALLOWED = {("support worker", "own"), ("manager", "own"), ("manager", "other")}

UNKNOWN_COMMAND = "Sorry, I don't know that command. Try /menu or /help."
YP_STALE_BUTTON = "That button is from an older message. Here's where we are now:"
NO_SUCH_BUTTON = "That button no longer works."
NOT_ON_CASELOAD = "That young person is not on your caseload."


@dataclass(frozen=True)
class Action:
    """Do one thing as `chat` about young person `subject` and say whether it succeeded."""

    name: str
    kind: str  # "command" or "button"
    run: Callable[[Chat, Team, str], Awaitable[bool]]
    reads_record: bool = True


async def _listed(chat: Chat, team: Team, subject: str, command: str) -> bool:
    await chat.send(command)
    feature = command[1:]
    return f"{feature}:y:{team.ids[subject]}" in [b.data for r in chat.last for row in r.buttons
                                                   for b in row]


async def caseload(chat: Chat, team: Team, subject: str) -> bool:
    await chat.send("/caseload")
    return any(f"YP-{subject.upper()} ({subject.capitalize()})" in t for t in chat.texts())


async def caseload_page(chat: Chat, team: Team, subject: str) -> bool:
    await chat.event(_button("caseload:p:0"))
    return any(f"YP-{subject.upper()} ({subject.capitalize()})" in t for t in chat.texts())


async def invite(chat: Chat, team: Team, subject: str) -> bool:
    replies = await chat.send("/invite")
    return replies[0].photo is not None and "https://t.me/rise_demo_bot?start=" in replies[0].text


def press(data: str, success_prefix: str) -> Callable[[Chat, Team, str], Awaitable[bool]]:
    async def run(chat: Chat, team: Team, subject: str) -> bool:
        await chat.event(_button(data.format(id=team.ids[subject], bea=team.ids["bea"])))
        return chat.texts()[0].startswith(success_prefix)
    return run


async def assign_due(chat: Chat, team: Team, subject: str) -> bool:
    await chat.event(_button(f"assign:due:{team.ids[subject]}:1:0"))
    async with team.router.db.transaction() as session:
        row = await session.scalar(select(ModuleProgress).where(
            ModuleProgress.person_id == team.ids[subject]))
    return row is not None and row.assigned_at is not None


async def note(chat: Chat, team: Team, subject: str) -> bool:
    picked = await chat.event(_button(f"note:y:{team.ids[subject]}"))
    await chat.send("Seen at youth club, doing well")
    async with team.router.db.transaction() as session:
        saved = await session.scalar(select(CaseNote).where(CaseNote.subject_id == team.ids[subject]))
    chat.last = picked  # the answer to the button is what is checked below
    return saved is not None


async def transfer_to(chat: Chat, team: Team, subject: str) -> bool:
    await chat.event(_button(f"transfer:to:{team.ids[subject]}:{team.ids['bea']}"))
    return (await team.person(subject)).worker_id == team.ids["bea"]


def _button(data: str):
    from flows.base import Event

    return Event.button(data)


ACTIONS = [
    Action("/caseload", "command", caseload),
    Action("/invite", "command", invite, reads_record=False),
    Action("/assign", "command", lambda c, t, s: _listed(c, t, s, "/assign"), reads_record=False),
    Action("/progress", "command", lambda c, t, s: _listed(c, t, s, "/progress"),
           reads_record=False),
    Action("/note", "command", lambda c, t, s: _listed(c, t, s, "/note"), reads_record=False),
    Action("/transfer", "command", lambda c, t, s: _listed(c, t, s, "/transfer"),
           reads_record=False),
    Action("caseload page", "button", caseload_page),
    Action("progress: pick", "button", press("progress:y:{id}", "📈 ")),
    Action("assign: pick", "button", press("assign:y:{id}", "Which modules for"),
           reads_record=False),
    Action("assign: tick", "button", press("assign:t:{id}:0:0", "Which modules for"),
           reads_record=False),
    Action("assign: done", "button", press("assign:d:{id}:1", "Is there a due date"),
           reads_record=False),
    Action("assign: due date (writes)", "button", assign_due),
    Action("note: pick and type", "button", note),
    Action("transfer: pick", "button", press("transfer:y:{id}", "Who should take on"),
           reads_record=False),
    Action("transfer: to Bea (writes)", "button", transfer_to),
]


@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("role", list(ACTORS))
@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
async def test_access_matrix(team: Team, action: Action, role: str, whose: str):
    subject = OWN[role] if whose == "own" else OTHER
    chat = team.chat(ACTORS[role])
    allowed = (role, whose) in ALLOWED
    if action.name == "/invite":  # not about an existing young person
        allowed = role in ("support worker", "manager")

    succeeded = await action.run(chat, team, subject)

    assert succeeded is allowed
    texts = chat.texts()
    if not allowed:
        if role == "young person":
            expected = UNKNOWN_COMMAND if action.kind == "command" else YP_STALE_BUTTON
            assert texts[0] == expected
        elif role in ("duty worker", "admin"):
            expected = UNKNOWN_COMMAND if action.kind == "command" else NO_SUCH_BUTTON
            assert texts[0] == expected
        elif action.kind == "button" and action.name != "caseload page":
            assert texts == [NOT_ON_CASELOAD]
    audited = [(actor, what) for actor, what, about in await team.audit() if about == subject]
    if allowed and action.reads_record:
        assert audited and {actor for actor, _ in audited} == {
            {"support worker": "jo", "manager": "mo"}[role]}
    if not allowed:
        assert audited == []

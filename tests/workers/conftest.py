"""A small team: two support workers, a duty worker, a manager, an admin; each with a young
person on a caseload where it makes sense."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry, Conversation, Person, Role
from bot.features.registry import WORKER, YOUNG_PERSON
from bot.records import people
from bot.router import ConversationRouter
from tests.conftest import router_for
from tests.transcript import Chat

JO, AL, SAM, MO, ADA, BEA = 9001, 9002, 9003, 9004, 9005, 9006
SKY, RIVER, PAT = 5001, 5002, 5009


@dataclass
class Team:
    router: ConversationRouter
    ids: dict[str, int]  # name -> people.id

    def chat(self, telegram_id: int) -> Chat:
        return Chat(self.router, telegram_id)

    async def person(self, name: str) -> Person:
        async with self.router.db.transaction() as session:
            found = await session.get(Person, self.ids[name])
            assert found is not None
            return found

    async def audit(self) -> list[tuple[str, str, int | None]]:
        """(actor, action, subject) for every audit row, in order."""
        names = {v: k for k, v in self.ids.items()}
        async with self.router.db.transaction() as session:
            rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
        return [(names.get(r.actor_id, str(r.actor_id)), r.action,
                 names.get(r.subject_id, r.subject_id)) for r in rows]


@pytest.fixture
def worker_router(db, practice_content, clock) -> ConversationRouter:
    """The young person's flows and the worker features that need no alerts or check-ins."""
    return router_for(db, practice_content, clock, sides=(YOUNG_PERSON, WORKER))


@pytest.fixture
async def team(worker_router, clock) -> Team:
    """Jo, Al and Bea are support workers, Sam a duty worker, Mo a manager, Ada an admin.

    Sky and Pat are on Jo's caseload, River on Al's, Kit on Mo's; Dee and Eve are (oddly) linked
    to Sam and Ada, to show that linking alone gives no access.
    """
    ids: dict[str, int] = {}
    async with worker_router.db.transaction() as session:
        for name, tg, role in (("jo", JO, Role.SUPPORT_WORKER), ("al", AL, Role.SUPPORT_WORKER),
                               ("sam", SAM, Role.DUTY_WORKER), ("mo", MO, Role.MANAGER),
                               ("ada", ADA, Role.ADMIN), ("bea", BEA, Role.SUPPORT_WORKER)):
            worker = await people.create_person(session, role, telegram_id=tg,
                                                display_name=name.capitalize())
            ids[name] = worker.id
        young_people = (("sky", SKY, "jo"), ("river", RIVER, "al"), ("kit", None, "mo"),
                        ("dee", None, "sam"), ("eve", None, "ada"), ("pat", PAT, "jo"))
        for name, tg, worker in young_people:
            young = await people.create_person(session, Role.YOUNG_PERSON, telegram_id=tg,
                                               worker_id=ids[worker])
            young.pseudonym = f"YP-{name.upper()}"
            young.nickname = name.capitalize()
            young.privacy_accepted_at = clock()
            young.age_band = "14-17"
            ids[name] = young.id
        # Pat is a young person sitting in the menu (used to try worker commands as a young person)
        session.add(Conversation(person_id=ids["pat"], flow="menu", state="menu", context={}))
    return Team(worker_router, ids)

"""The page a worker's phone shows for an alert, designed as an on-call page (PagerDuty,
Opsgenie): what and how urgent in the first line (what a lock screen shows: a pseudonym, never
a name), then who (nickname, their own worker), since when (this severity's own time, not an
earlier flag's), what was said around it, who else has been paged, what happens next if
nobody acts, and one tap to act.

A worker paged again about the same thing gets a short repeat that says which page it
repeats; a worker who has not seen this alert at this severity gets the whole page, whatever
round of paging it is. Once an alert is acknowledged its buttons are what is left to do.
Every word is in ``content/staff.yaml`` (``staff.page.*``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Alert, AlertEvent, Person
from bot.safety.detector import Severity
from bot.safety.policy import SeverityPolicy
from content.loader import Content
from flows.base import Button, Keyboard

PAGED = ("notified", "escalated")  # alert events that record who a round of paging went to
ACTIONS = {"ack": "al:ack", "talk": "al:talk", "resolve": "al:resolve"}


def alert_buttons(content: Content, alert: Alert) -> Keyboard:
    """What is left to do: Acknowledge while nobody has; then Talk to them and Resolve.
    Opaque ids: every press is checked against the presser's rights on the server."""
    if alert.status == "resolved":
        return ()

    def button(action: str) -> Button:
        return Button(content.text(f"staff.page.button.{action}"), f"{ACTIONS[action]}:{alert.id}")

    if alert.status == "acknowledged":
        return ((button("talk"), button("resolve")),)
    return ((button("ack"), button("talk")), (button("resolve"),))


_WHEEL = re.compile(r"wheel_(\w+?)_(\d+)_of_10")  # bot/wheel_concerns.py's category names


def category_words(content: Content, alert: Alert) -> str:
    """What the alert is about, in the words of ``staff.page.category`` (a name not listed
    there, such as a lexicon category added later, reads as itself)."""
    said = []
    for name in alert.categories.get("names", []):
        wheel = _WHEEL.fullmatch(name)
        if wheel:
            area = next((a for a in content.wheel.areas if a.id == wheel[1]), None)
            said.append(content.text("staff.page.category_wheel", score=wheel[2],
                                     area=area.name if area else wheel[1]))
        elif f"staff.page.category.{name}" in content.copy:
            said.append(content.text(f"staff.page.category.{name}"))
        else:
            said.append(name.replace("_", " "))
    return ", ".join(said) or content.text("staff.page.no_category")


def ago(content: Content, elapsed: timedelta) -> str:
    """How long, in whole minutes under an hour, else whole hours (``staff.page.span``)."""
    minutes = max(0, int(elapsed.total_seconds() // 60))
    count, unit = (minutes, "minute") if minutes < 60 else (minutes // 60, "hour")
    return content.text(f"staff.page.span.{unit}{'' if count == 1 else 's'}", n=count)


@dataclass(frozen=True)
class Round:
    """One round of paging: when, to whom (worker ids), and whether it was about the alert as
    it is now (after its last rise in severity or hand-back; told apart by event order, since
    a rise may come in the same second)."""

    at: datetime
    to: tuple[int, ...]
    current: bool


@dataclass(frozen=True)
class AlertStory:
    """What the alert's events say, read once for every page of one round."""

    since: datetime  # when the alert reached its current severity
    raised_from: tuple[str, datetime] | None  # (earlier severity, when first flagged)
    rounds: tuple[Round, ...]

    @classmethod
    def of(cls, alert: Alert, events: Sequence[AlertEvent]) -> AlertStory:
        """From the alert's events in the order they were written."""
        since, first_label = alert.opened_at, None
        rounds: list[Round] = []
        for event in events:
            if event.kind == "severity_raised":
                since = event.at
                first_label = first_label or event.detail.get("old")
            if event.kind in ("severity_raised", "handed_back"):  # everyone gets it whole
                rounds = [Round(r.at, r.to, False) for r in rounds]
            elif event.kind in PAGED:
                rounds.append(Round(event.at, tuple(event.detail.get("to", [])), True))
        raised = (first_label, alert.opened_at) if first_label else None
        return cls(since, raised, tuple(rounds))

    def first_page_to(self, worker_id: int) -> datetime | None:
        """When this worker was first paged about the alert as it is now (None: never)."""
        return next((r.at for r in self.rounds if r.current and worker_id in r.to), None)

    def paged_ids(self, now_paging: Iterable[int] = ()) -> list[int]:
        seen = dict.fromkeys(i for r in self.rounds for i in r.to)
        seen.update(dict.fromkeys(now_paging))
        return list(seen)


class PageWriter:
    """Writes the pages of one alert for each recipient."""

    def __init__(self, content: Content, zone: Any = None):
        self.content = content
        self.zone = zone

    def _t(self, key: str, **values: object) -> str:
        return self.content.text(f"staff.page.{key}", **values)

    def when(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone) if self.zone else moment
        return f"{local:%H:%M %a %d %b}"

    def clock_time(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone) if self.zone else moment
        return f"{local:%H:%M}"

    async def story(self, session: AsyncSession, alert: Alert) -> AlertStory:
        events = (await session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id)
                                        .order_by(AlertEvent.id))).all()
        return AlertStory.of(alert, events)

    async def names(self, session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        people = await session.scalars(select(Person).where(Person.id.in_(wanted)))
        return {p.id: p.display_name or p.pseudonym for p in people}

    async def pages(self, session: AsyncSession, alert: Alert, person: Person,
                    recipients: Sequence[Person], now: datetime, *, next_step: str = "",
                    flag_overdue: bool = False, whole: bool = False) -> dict[int, str]:
        """Worker id -> the page that worker gets in this round: a short repeat if they have
        had this alert's page as it is now, else (or with ``whole``) the whole page."""
        story = await self.story(session, alert)
        paging = [w.id for w in recipients]
        names = await self.names(session, [*story.paged_ids(paging),
                                           *([person.worker_id] if person.worker_id else [])])
        texts = {}
        for worker in recipients:
            others = [names[i] for i in story.paged_ids(paging) if i != worker.id and i in names]
            first = story.first_page_to(worker.id)
            if first is not None and not (flag_overdue or whole):
                texts[worker.id] = self.repeat(alert, person, first, now, others)
            else:
                texts[worker.id] = self.whole(alert, person, story, now, names, others,
                                              next_step=next_step, flag_overdue=flag_overdue)
        return texts

    def title(self, alert: Alert, person: Person) -> str:
        severity = Severity(alert.severity)
        return self._t("title", icon=self._t(f"icon.{severity.label}"),
                       label=severity.label.upper(), id=alert.id, pseudonym=person.pseudonym)

    def whole(self, alert: Alert, person: Person, story: AlertStory, now: datetime,
              names: dict[int, str], others: Sequence[str], *, next_step: str = "",
              flag_overdue: bool = False) -> str:
        severity = Severity(alert.severity)
        lines = []
        if flag_overdue:
            lines.append(self.content.text("staff.alert.flag_overdue", label=severity.label,
                                           ago=ago(self.content, now - alert.opened_at)))
        lines += [self.title(alert, person), self._t("about", what=category_words(self.content, alert))]
        young = (self._t("young_named", pseudonym=person.pseudonym, nickname=person.nickname)
                 if person.nickname else self._t("young_unnamed", pseudonym=person.pseudonym))
        if person.age_band:
            young += self._t("aged", band=person.age_band.replace("-", " to "))
        worker = names.get(person.worker_id) if person.worker_id else None
        lines.append(self._t("who", young=young, worker=worker or self._t("no_worker")))
        lines.append(self._t("since", when=self.when(story.since), ago=self._ago(now - story.since)))
        if story.raised_from is not None:
            old, first = story.raised_from
            lines.append(self._t("raised", old=old, label=severity.label,
                                 first=self.when(first)))
        lines.append(self._t("source", source=self._t(f"sources.{alert.source}")
                             if f"staff.page.sources.{alert.source}" in self.content.copy
                             else alert.source))
        if alert.excerpt:
            lines += ["", self._t("said"), alert.excerpt]
        if alert.safe_answer:
            lines += ["", self._t("safe_answer", answer=alert.safe_answer)]
        lines += ["", self._t("paged_with", others=", ".join(others)) if others
                  else self._t("paged_alone")]
        if next_step:
            lines.append(next_step)
        lines.append(self._t(f"act.{severity.label}"))
        return "\n".join(lines)

    def repeat(self, alert: Alert, person: Person, first: datetime, now: datetime,
               others: Sequence[str]) -> str:
        paged = self._t("repeat_with", others=", ".join(others)) if others \
            else self._t("repeat_alone")
        return "\n".join([self._t("repeat", title=self.title(alert, person)),
                          self._t("repeats", when=self.clock_time(first),
                                  ago=self._ago(now - first)),
                          paged])

    def _ago(self, elapsed: timedelta) -> str:
        return self._t("just_now") if elapsed < timedelta(minutes=1) \
            else self._t("ago", ago=ago(self.content, elapsed))

    def next_step(self, policy: SeverityPolicy, level: int, now: datetime,
                  following: tuple[float, int] | None) -> str:
        """What happens if nobody acknowledges (``following``: the escalation's next step)."""
        if following is None:
            return ""
        minutes, next_level = following
        if next_level == level:
            return self._t("next_repeat", minutes=f"{minutes:g}")
        at = now + timedelta(minutes=minutes)
        return self._t("next_level", when=self.clock_time(at) if minutes < 12 * 60
                       else self.when(at), audience=self._t(f"audience.{policy.levels[next_level].notify}"))

"""The escalation policy: who is paged, when, for each severity (content/safety/escalation.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

Audience = Literal["on_duty", "duty_list_and_managers", "assigned_worker_or_duty_list"]
POLICY_FILE = Path(__file__).resolve().parents[2] / "content" / "safety" / "escalation.yaml"


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    notify: Audience
    after_minutes: float = Field(ge=0)


class SeverityPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: list[Level] = Field(min_length=1)
    repeat_minutes: float | None = Field(default=None, gt=0)
    email_after_minutes: float | None = Field(default=None, ge=0)
    page: bool = True


class EscalationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    critical: SeverityPolicy
    high: SeverityPolicy
    medium: SeverityPolicy
    ack_reminder_minutes: float = Field(default=30, gt=0)

    def for_label(self, label: str) -> SeverityPolicy:
        return getattr(self, label)


def load_policy(path: Path | None = None) -> EscalationPolicy:
    return EscalationPolicy.model_validate(yaml.safe_load((path or POLICY_FILE).read_text("utf-8")))

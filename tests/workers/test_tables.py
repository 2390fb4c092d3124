"""The worker features that wait for typed text keep their conversations as `transitions`
tables (bot/workers/table.py), like a young person's flows."""

import pytest

from bot.workers.table import IDLE, WorkerTable, _callback_names, trigger_of
from flows.base import Event


def _tables() -> list[type[WorkerTable]]:
    from bot.workers import checkins, duty, notes, relay

    return [notes.NoteFeature, duty.DutyFeature, relay.RelayFeature, checkins.CheckinsFeature]


@pytest.mark.parametrize("table", _tables(), ids=lambda t: t.name)
def test_every_callback_a_table_names_is_a_method_of_its_feature(table):
    names = _callback_names(table.machine())
    assert names, table
    for name, kind in names.items():
        assert callable(getattr(table, name, None)), f"{table.name}: {kind} {name!r}"


@pytest.mark.parametrize("table", _tables(), ids=lambda t: t.name)
def test_every_waiting_state_can_be_left_or_answered(table):
    machine = table.machine()
    for state in table.STATES:
        assert machine.get_triggers(state), f"{table.name}: nothing moves out of {state!r}"
    assert machine.get_triggers(IDLE) == []  # waiting is entered by a pick or a button


def test_what_a_worker_sends_is_a_trigger():
    assert trigger_of(Event.typed("Spoke to her mum, all fine")) == "typed"
    assert trigger_of(Event.typed("   ")) == "blank"
    assert trigger_of(Event.slash("cancel")) == "cancel"
    assert trigger_of(Event.slash("caseload")) == "command"
    assert trigger_of(Event.button("note:y:1")) == "button"

"""The closure summary names the adults the young person picked to go to afterwards."""

from __future__ import annotations

from bot.care.wellbeing import young_person_summary
from bot.db.models import Person


def test_the_summary_lists_the_adults_from_their_plan_and_the_out_of_hours_line(content):
    plan = {"people": [{"name": "Nan", "number": "07700 900123"}, {"name": "Mr Shah", "number": ""}]}
    summary = young_person_summary(content, Person(nickname="Sky"), ["Looking back"], [], plan)
    assert ("🤝 The adults you said you can go to:\n• Nan: 07700 900123\n• Mr Shah"
            in summary)
    assert ("Who to contact:\n• Northamptonshire MASH (child safety team): 0300 126 7000\n"
            "• Child safety team, out of hours: 01604 626938\n• Childline: 0800 1111") in summary


def test_with_nobody_in_the_plan_it_asks_them_to_think_of_one_adult(content):
    summary = young_person_summary(content, Person(nickname="Sky"), [], [], {})
    assert "🤝 Think of one adult you can go to next." in summary

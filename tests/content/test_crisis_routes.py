"""The numbers and routes the safeguarding review asked for are where a young person meets them."""

from __future__ import annotations

from bot.safety.replies import safety_reply_text
from content.loader import default_content

REVIEW_LINES = {
    "papyrus": "0800 068 4141", "samaritans": "116 123", "runaway_helpline": "116 000",
    "victim_support": "08 08 16 89 111", "nhs_111_mental_health": "111", "childline": "0800 1111",
    "local_team": "0300 126 7000", "local_out_of_hours": "01604 626938", "emergency": "999",
}


def test_the_lines_the_review_named_are_contacts_with_the_right_numbers():
    contacts = default_content().contacts.contacts
    for key, phone in REVIEW_LINES.items():
        assert contacts[key].phone == phone, key
    assert contacts["shout"].text == "Text SHOUT to 85258"
    for key in ("report_remove", "take_it_down", "brook", "sarc", "camhs", "ceop"):
        assert contacts[key].url, key
    assert "0300 126 1000" not in str(default_content().contacts)  # the 2015 number is gone


def test_the_help_button_and_every_safety_plan_carry_the_crisis_lines():
    book = default_content().contacts
    assert {"emergency", "childline", "shout", "local_team", "local_out_of_hours"} <= set(
        book.help_now)
    assert book.crisis == ["emergency", "childline", "samaritans", "shout", "papyrus",
                           "nhs_111_mental_health"]


def test_the_sextortion_reply_names_crisis_lines_and_both_removal_services():
    text = safety_reply_text(default_content(), "high", ["sextortion_image_abuse"])
    for line in ("0800 068 4141", "116 123", "85258", "childline.org.uk/remove",
                 "takeitdown.ncmec.org", "ceop.police.uk"):
        assert line in text, line


def test_signposts_where_the_review_found_gaps():
    modules = default_content().modules
    last = {module_id: module.steps[-1].contacts for module_id, module in modules.items()}
    for module_id, contacts in last.items():
        assert "emergency" in contacts, module_id
    assert {"papyrus", "shout", "report_remove", "take_it_down"} <= set(last["online-safety"])
    assert "runaway_helpline" in last["risk"]
    assert {"sarc", "brook", "camhs", "nhs_111_mental_health", "victim_support"} <= set(
        last["getting-help"])
    assert "local_out_of_hours" in last["closure"]

"""Pieces every flow uses: standard buttons, the help message, nickname rules."""

from __future__ import annotations

import random
import re
import unicodedata

from content.loader import Content
from flows.base import Button, Keyboard, Reply

HIDE = "hide"
# a reply to a button press that settles what the pressed message asked (an alert acknowledged):
# the transport takes that message's buttons off, so only the newest message has live buttons
SETTLE = "settle"
HELP = "help"
HELP_BACK = "help:back"
MENU = "menu:enter"
WORKER_NOW = "help:worker"  # "I need a worker now": pages the duty worker, no typing needed


def help_button(content: Content) -> Button:
    return Button(content.text("buttons.help"), HELP)


def menu_button(content: Content) -> Button:
    return Button(content.text("buttons.menu"), MENU)


def worker_now_button(content: Content) -> Button:
    return Button(content.text("buttons.worker_now"), WORKER_NOW)


def help_reply(content: Content, *, can_go_back: bool = True) -> Reply:
    """Every help contact, said plainly, a way to ask for a worker without typing, and a way
    back to where the person was."""
    book = content.contacts
    lines = [content.text("help.title"), ""]
    for key in book.help_now:
        contact = book.contacts[key]
        how = " · ".join(x for x in (contact.phone and f"📞 {contact.phone}", contact.text,
                                      contact.url) if x)
        lines.append(f"{'🚨 ' if contact.emergency else ''}{contact.name}: {how}\n{contact.when}")
        lines.append("")
    lines.append(content.text("help.footer"))
    row = [Button(content.text("buttons.back_to_where"), HELP_BACK)] if can_go_back else []
    return Reply("\n".join(lines).strip(),
                 ((worker_now_button(content),), (*row, menu_button(content))))


def sorry_reply(content: Content) -> Reply:
    """When something breaks on our side: say so, and say where help is."""
    return Reply(content.text("general.sorry"), ((help_button(content), menu_button(content)),))


def contacts_text(content: Content, keys: list[str]) -> str:
    """Named contacts as short lines, for signposts."""
    lines = []
    for key in keys:
        contact = content.contacts.contacts[key]
        how = " · ".join(x for x in (contact.phone, contact.text, contact.url) if x)
        lines.append(f"• {contact.name}: {how}")
    return "\n".join(lines)


def with_help(reply: Reply, content: Content) -> Reply:
    """Add the help button unless the message already has it (or is the help message)."""
    if reply.has_button(HELP) or reply.has_button(HELP_BACK) or reply.action is not None:
        return reply
    return reply.with_row(help_button(content))


# --- nicknames ----------------------------------------------------------------------------------

_ADJECTIVES = ["Blue", "Brave", "Calm", "Bright", "Quiet", "Swift", "Sunny", "Lucky", "Kind",
               "Cosmic", "Silver", "Golden", "Happy", "Clever", "Gentle", "Bold"]
_NOUNS = ["Fox", "Star", "Otter", "Comet", "Panda", "River", "Falcon", "Tiger", "Moon", "Maple",
          "Robin", "Wave", "Cloud", "Koala", "Phoenix", "Pebble"]
_DIGITS = re.compile(r"\d")
_LINKISH = re.compile(r"(https?:|www\.|\.com|\.co\.uk|@)", re.IGNORECASE)


def suggest_nicknames(count: int = 3, seed: int | None = None) -> list[str]:
    """A few friendly made-up names, so nobody has to type or use their real name."""
    rng = random.Random(seed)
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        if name not in names:
            names.append(name)
    return names


def clean_nickname(raw: str) -> str | None:
    """A nickname we can safely show back, or None: 1-20 letters, digits, spaces; no numbers runs."""
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNZ" or ch in "-'_")
    text = " ".join(text.split())
    if not 1 <= len(text) <= 20 or _LINKISH.search(raw):
        return None
    if len(_DIGITS.findall(text)) > 4:  # looks like a phone number
        return None
    return text


def rows(buttons: list[Button], per_row: int = 1) -> Keyboard:
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))

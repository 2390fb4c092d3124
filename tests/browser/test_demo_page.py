"""The demo page in a real browser, as a newcomer uses it: `rise-bot demo`, then the page.

One journey: join as Alex with Jo's invite, press buttons and type, keep half-typed text while
other chats change, an empty chat (Sam's, at first launch) never blanks the page, the demo is
stopped with Ctrl-C and started again and every chat is still there, and Sam (on duty) gets
the page about Alex's worrying message and acknowledges it. The screenshot is left in
``artefacts/demo_page.png`` (or ``$RISE_TEST_ARTEFACTS``).
"""

from __future__ import annotations

import re

from tests.browser.demo_process import Demo, free_port

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser_page fixture says so: a skip here, a failure in CI
    Page = expect = None  # type: ignore[assignment,misc]

WAIT_MS = 20_000  # a reply: the bot polls the fake Telegram; the first reply loads the model


def phone(page: Page, name: str):
    return page.locator("section.phone").filter(has=page.locator("h2", has_text=name))


def send(page: Page, name: str, text: str) -> None:
    box = phone(page, name)
    box.locator("form input").fill(text)
    box.get_by_role("button", name="Send", exact=True).click()


def press(page: Page, name: str, label: str) -> None:
    """Tap a button on the newest of that person's messages that has it."""
    box = phone(page, name)
    box.locator(".msg.bot").filter(has=page.get_by_role("button", name=label, exact=True)).last \
        .get_by_role("button", name=label, exact=True).click()


def bot_said(page: Page, name: str, text: str | re.Pattern[str]):
    return phone(page, name).locator(".msg.bot", has_text=text)


def three_phones_stay(page: Page) -> None:
    """All three phones are on the page (not blanked by an empty chat)."""
    phones = page.locator("section.phone")
    expect(phones).to_have_count(3)
    for name in ("Alex", "Jo", "Sam"):
        expect(phone(page, name)).to_be_visible()


def test_the_demo_page_in_chromium(tmp_path, browser_page: Page, artefacts):
    page = browser_page
    demo = Demo(tmp_path, free_port())
    demo.start()
    try:
        code = demo.invite_code()
        page.goto(demo.url)
        expect(page.locator("#status")).to_have_text("live", timeout=WAIT_MS)
        three_phones_stay(page)
        expect(phone(page, "Sam").locator(".log")).to_contain_text("No messages yet")
        expect(bot_said(page, "Jo", f"/start {code}")).to_be_visible()

        # half-typed text in Jo's chat stays while Alex's chat changes; Sam's stays empty
        phone(page, "Jo").locator("form input").fill("half-typed by Jo")
        send(page, "Alex", f"/start {code}")
        expect(bot_said(page, "Alex", "Hi, welcome")).to_be_visible(timeout=WAIT_MS)
        three_phones_stay(page)
        expect(phone(page, "Jo").locator("form input")).to_have_value("half-typed by Jo")
        expect(phone(page, "Sam").locator(".log")).to_contain_text("No messages yet")

        press(page, "Alex", "Let's start")
        expect(bot_said(page, "Alex", "Before we start, here is how privacy")).to_be_visible(
            timeout=WAIT_MS)
        press(page, "Alex", "OK, I understand")
        expect(bot_said(page, "Alex", "What should I call you?")).to_be_visible(timeout=WAIT_MS)
        send(page, "Alex", "Sky")
        press(page, "Alex", "14 to 17")
        expect(bot_said(page, "Alex", "What would you like to do, Sky?")).to_be_visible(
            timeout=WAIT_MS)
        three_phones_stay(page)

        # Ctrl-C and start again: the page waits, then every chat is as it was
        code_, _, stopped_err = demo.stop()
        assert code_ == 0, stopped_err[-2000:]
        expect(page.locator("#status")).to_have_text("reconnecting…", timeout=WAIT_MS)
        three_phones_stay(page)
        expect(bot_said(page, "Alex", "Hi, welcome")).to_be_visible()
        banner = demo.start()
        assert "Alex has already joined" in banner
        expect(page.locator("#status")).to_have_text("live", timeout=WAIT_MS)
        three_phones_stay(page)
        expect(bot_said(page, "Alex", "Hi, welcome")).to_be_visible()
        expect(bot_said(page, "Alex", "What would you like to do, Sky?")).to_be_visible()
        expect(bot_said(page, "Jo", f"/start {code}")).to_be_visible()
        page.reload()  # a person opening the page afresh sees the same
        expect(bot_said(page, "Alex", "What would you like to do, Sky?")).to_be_visible(
            timeout=WAIT_MS)
        expect(phone(page, "Sam").locator(".log")).to_contain_text("No messages yet")

        # carry on where they left off, then something worrying: Sam (on duty) is paged
        send(page, "Alex", "/menu")
        expect(bot_said(page, "Alex", "What would you like to do, Sky?")).to_have_count(
            2, timeout=WAIT_MS)
        send(page, "Alex", "he's outside my house")
        expect(bot_said(page, "Alex", "999")).to_be_visible(timeout=WAIT_MS)
        alert = bot_said(page, "Sam", re.compile(r"^🚨 .*alert #1"))
        expect(alert).to_be_visible(timeout=WAIT_MS)
        expect(alert.get_by_role("button", name="✅ Acknowledge")).to_be_visible()
        three_phones_stay(page)
        press(page, "Sam", "✅ Acknowledge")
        acknowledged = bot_said(page, "Sam", "You acknowledged alert #1")
        expect(acknowledged).to_be_visible(timeout=WAIT_MS)
        # what is left to do, and no Acknowledge button
        expect(acknowledged.get_by_role("button", name="💬 Talk to them")).to_be_visible()
        expect(acknowledged.get_by_role("button", name="✅ Acknowledge")).to_have_count(0)
        three_phones_stay(page)
    finally:
        page.screenshot(path=str(artefacts / "demo_page.png"), full_page=True)
        demo.kill()

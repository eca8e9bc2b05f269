"""The sandbox page in a real browser: Debian's Chromium driven by Playwright, against
`python -m bot try` as a person would start it.

Playwright never downloads a browser here: it drives /usr/bin/chromium (`.ci/run` installs
Debian's chromium package when it is missing).
"""

from __future__ import annotations

import pytest

from helpers.browser import CHROMIUM, key
from helpers.sandbox import BEN, CHEN, TryProcess

pytestmark = [
    # A browser and `python -m bot try` (`-m "not slow"` leaves them out).
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run does it)",
    ),
]
WAIT_MS = 10_000



@pytest.fixture
def sandbox():
    running = TryProcess()
    yield running
    code, _, stderr = running.stop()
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr


@pytest.fixture
def page(browser, sandbox):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB",
                                  timezone_id="UTC", accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(sandbox.url)
    yield opened
    context.close()
    assert errors == []


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect




def be(page, user_id: int) -> None:
    page.select_option("#me", str(user_id))


def open_chat(page, title: str) -> None:
    page.locator(".chat-title", has_text=title).click()
    expect()(page.locator("#chat-title")).to_have_text(title)


def run_control(page, button: str, expected: str) -> str:
    page.click(f"#{button}")
    expect()(page.locator("#status")).to_contain_text(expected)
    return page.locator("#status").inner_text()


def test_a_pop_up_and_the_status_line_belong_to_whoever_they_were_for(page):
    check = expect()
    page.click("#menu-button")
    page.locator(".menu-item", has_text="/setup").click()
    for label in ("Civic partnership checklist", "A civil-society organisation", "Once a week",
                  "Monday", "09:00", "Europe/London", "English", "Counts only"):
        key(page, label).click()
    run_control(page, "next-question", "to Riverside Neighbours")
    # Ben taps a rating: the pop-up says it is his alone.
    be(page, BEN)
    key(page, "4 ·").click()
    check(page.locator("#toast")).to_be_visible()
    check(page.locator("#toast-who")).to_have_text("Only Ben sees this")
    check(page.locator("#toast-text")).to_contain_text("Saved, thank you!")
    # Chen takes the seat: Ben's pop-up is gone, and Chen's refusal says it is his.
    be(page, CHEN)
    # At once, not when the pop-up's own time runs out.
    assert page.locator("#toast").is_hidden()
    assert page.locator("#status").inner_text() == ""
    open_chat(page, "Civic Reflect")
    # A refusal (made up here: every control now finds a chat to act on).
    page.route("**/api/time/next-question", lambda route: route.fulfill(
        status=400, content_type="application/json", json={"error": "not now"}))
    page.click("#next-question")
    check(page.locator("#status")).to_have_text("Chen, “Next question now”: not now")
    # The next action (Chen starts his chat with the bot) clears the line.
    page.click("#start")
    check(page.locator("#messages")).to_contain_text("Hello Chen!")
    check(page.locator("#status")).to_have_text("")


def test_typed_markup_and_script_stay_text_even_without_the_csp(browser, sandbox):
    # Without the Content-Security-Policy, so that only the page's own rendering protects it.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(sandbox.url)
    attack = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> <b>bold</b>'
    expect()(page.locator("#messages")).to_contain_text("Hello, Riverside Neighbours!")
    page.fill("#composer-text", attack)
    page.keyboard.press("Enter")
    mine = page.locator("#messages .msg.out").last
    expect()(mine.locator(".text")).to_have_text(attack)
    # The bot repeats a word it did not understand inside its own (HTML) message.
    word = "<img/src=x/onerror=window.pwned=3>"
    open_chat(page, "Civic Reflect")
    page.click("#start")
    page.fill("#composer-text", f"/journal {word}")
    page.keyboard.press("Enter")
    expect()(page.locator("#messages .msg.in").last).to_contain_text(f"“\u2068{word}\u2069”")
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("#messages img:not(.photo), #messages script, #messages b").count() == 0
    context.close()


def test_on_a_phone_with_the_keyboard_alone(browser, sandbox):
    context = browser.new_context(viewport={"width": 390, "height": 780}, is_mobile=True,
                                  has_touch=True, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(sandbox.url)
    expect()(page.locator("#messages")).to_contain_text("Hello, Riverside Neighbours!")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for control in ("#me", "#composer-text", "#send", "#next-question"):
        box = page.locator(control).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, control
    # Tab from the top reaches the message box; "/" opens the menu; Enter sends.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "composer-text"
    page.keyboard.type("/hel")
    expect()(page.locator("#menu")).to_contain_text("/help")
    page.keyboard.type("p")
    page.keyboard.press("Enter")
    expect()(page.locator("#messages .msg.in").last).to_contain_text("/status")
    # Inline buttons are reachable and pressed with the keyboard.
    page.keyboard.type("/setup")
    page.keyboard.press("Enter")
    first = key(page, "Civic partnership checklist")
    wizard = first.evaluate("key => key.closest('li').dataset.id")
    first.focus()
    page.keyboard.press("Enter")
    expect()(page.locator("#messages")).to_contain_text("Which side")
    # The wizard's message was redrawn with the next step: focus stays on it, not lost.
    assert page.evaluate("() => document.activeElement.closest('li')?.dataset.id") == wizard
    # From there, Tab goes through the message (the quoted /setup) to its buttons.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "quote"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == (
        "A council or other public body")
    page.keyboard.press("Space")
    expect()(page.locator("#messages")).to_contain_text("How often")
    context.close()

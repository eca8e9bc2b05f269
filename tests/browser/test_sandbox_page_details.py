"""The sandbox's page in Chromium, the details a new user tripped over: the command menu by
keyboard, times in the person's own zone, each tab its own person, nothing typed lost when
the sandbox cannot be reached, text direction, long messages; and an accessibility check
with axe-core (tests/browser/data/axe-core): no unlabeled control, every image with a text
alternative, contrast as WCAG AA asks, at a desktop size and a phone's.

One `python -m bot try` serves every test here; the group is set up over its JSON API
first, so each test starts with a question in the group whatever ran before.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.cast import GROUP_ID

from helpers.browser import CHROMIUM, key
from helpers.sandbox import AMARA, BEN, CHEN, TryProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
WAIT_MS = 15_000
AXE = Path(__file__).resolve().parent / "data" / "axe-core" / "axe.min.js"
SETUP = ("Civic partnership checklist", "A civil-society organisation", "Once a week", "Monday",
         "09:00", "Europe/London", "English", "Show names")



@pytest.fixture(scope="module")
def sandbox():
    running = TryProcess()
    try:
        api(running.url, "/api/send", user_id=AMARA, chat_id=GROUP_ID, text="/setup")
        for label in SETUP:
            message = [m for m in state(running.url)["messages"][str(GROUP_ID)]
                       if m["keyboard"]][-1]
            data = next(b["callback_data"] for row in message["keyboard"] for b in row
                        if b["text"] == label)
            api(running.url, "/api/press", user_id=AMARA, chat_id=GROUP_ID,
                message_id=message["message_id"], data=data)
        api(running.url, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
        # The week's summary, and Amara's digest with its chart in her chat with the bot.
        api(running.url, "/api/others", user_id=AMARA)
        api(running.url, "/api/time/weekly-summary", user_id=AMARA)
        api(running.url, "/api/link", user_id=AMARA,
            url=f"https://t.me/{state(running.url)['bot']['username']}?start=digest")
        yield running
    finally:
        code, _, stderr = running.stop()
    assert code == 0 and "Traceback" not in stderr, stderr


def api(server: str, path: str, **body) -> dict:
    request = urllib.request.Request(server + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def state(url: str) -> dict:
    with urllib.request.urlopen(url + "/api/state", timeout=60) as response:
        return json.loads(response.read())


def open_page(browser, sandbox, **options):
    context = browser.new_context(**{"locale": "en-GB", "timezone_id": "UTC", **options})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(sandbox.url)
    page.locator("#messages .msg", has_text="1 of 15").last.wait_for()
    return context, page


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.mark.parametrize("size", [{"width": 1200, "height": 860}, {"width": 390, "height": 844}])
def test_axe_finds_nothing_inaccessible(browser, sandbox, size):
    # Without the page's CSP, only so that axe's own script can be added to it.
    context, page = open_page(browser, sandbox, viewport=size, bypass_csp=True)
    try:
        page.add_script_tag(content=AXE.read_text("utf-8"))
        page.click("#menu-button")  # the open menu, and the question's buttons, checked too
        found, passed = axe(page)
        # Amara's chat with the bot: her digest, and its chart.
        page.locator(".chat-item", has_text="Civic Reflect").click()
        page.locator("#messages img.photo").last.wait_for()
        page.wait_for_function("() => [...document.images].every((image) => image.complete)")
        more, passed_here = axe(page)
        assert found | more == {}
        # What the issue asks by name: checked, not only absent from the violations.
        assert {"color-contrast", "button-name", "image-alt", "label"} <= passed | passed_here
    finally:
        context.close()


def axe(page) -> tuple[dict, set[str]]:
    """axe-core's WCAG 2.1 A and AA rules on the page as it is: what fails, and what passed."""
    result = page.evaluate("""() => axe.run(document, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})""")
    found = {v["id"]: [(n["target"], n["any"][0]["message"] if n["any"] else "")
                       for n in v["nodes"]][:6] for v in result["violations"]}
    return found, {rule["id"] for rule in result["passes"]}


def test_times_in_bubbles_are_in_the_persons_zone_not_the_browsers(browser, sandbox):
    # The browser is in New York; the group (so Amara's phone) keeps London time.
    context, page = open_page(browser, sandbox, timezone_id="America/New_York")
    try:
        question = page.locator("#messages .msg", has_text="1 of 15").last
        stamp = question.locator("time")
        moment = datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
        london = moment.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M")
        assert moment.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") != london
        expect()(stamp).to_have_text(london)
        expect()(page.locator("#clock")).to_contain_text("Europe/London")
    finally:
        context.close()


def test_the_command_menu_works_by_keyboard(browser, sandbox):
    context, page = open_page(browser, sandbox)
    try:
        check = expect()
        focused = "() => document.activeElement.textContent"
        # "/" in the box opens the menu; ArrowDown goes into it, Esc closes it, back in the box.
        page.focus("#composer-text")
        page.keyboard.type("/")
        check(page.locator("#menu")).to_be_visible()
        page.keyboard.press("ArrowDown")
        first = page.evaluate(focused)
        assert first.startswith("/")
        page.keyboard.press("ArrowDown")
        assert page.evaluate(focused) != first
        page.keyboard.press("ArrowUp")
        assert page.evaluate(focused) == first
        page.keyboard.press("Escape")
        check(page.locator("#menu")).to_be_hidden()
        assert page.evaluate("() => document.activeElement.id") == "composer-text"
        page.fill("#composer-text", "")
        # The Menu button: Enter opens it with the focus on the first command (Tab does not
        # skip past it), Enter there sends it.
        page.focus("#menu-button")
        page.keyboard.press("Enter")
        check(page.locator("#menu")).to_be_visible()
        assert page.evaluate("() => document.activeElement.className") == "menu-item"
        while not page.evaluate(focused).startswith("/status"):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        check(page.locator("#menu")).to_be_hidden()
        check(page.locator("#messages .msg.out").last).to_contain_text("/status")
        assert page.evaluate("() => document.activeElement.id") == "composer-text"
        # Esc on the button closes the menu it opened.
        page.focus("#menu-button")
        page.keyboard.press("ArrowDown")
        check(page.locator("#menu")).to_be_visible()
        page.keyboard.press("Escape")
        check(page.locator("#menu")).to_be_hidden()
        # And the skip link, the first stop, goes straight to the message box.
        page.reload()
        page.locator("#messages .msg").first.wait_for()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == (
            "Skip to the message box")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "composer-text"
    finally:
        context.close()


def test_each_tab_keeps_its_own_person_on_reload(browser, sandbox):
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    try:
        first, second = context.new_page(), context.new_page()
        for page, person in ((first, BEN), (second, CHEN)):
            page.set_default_timeout(WAIT_MS)
            page.goto(sandbox.url)
            page.locator("#me option").first.wait_for(state="attached")
            page.select_option("#me", str(person))
        first.reload()
        first.locator("#messages .msg").first.wait_for()
        assert first.input_value("#me") == str(BEN)  # not Chen, chosen last in the other tab
        second.reload()
        second.locator("#messages .msg").first.wait_for()
        assert second.input_value("#me") == str(CHEN)
    finally:
        context.close()


def test_a_message_the_sandbox_did_not_get_stays_in_the_box(browser, sandbox):
    context, page = open_page(browser, sandbox)
    try:
        typed = "Can we move the meeting to Thursday?"
        # The sandbox cannot be reached (restarting, reconnecting): the request fails.
        page.route("**/api/send", lambda route: route.abort("connectionrefused"))
        page.fill("#composer-text", typed)
        page.keyboard.press("Enter")
        expect()(page.locator("#status")).to_contain_text("Amara, your message:")
        assert page.input_value("#composer-text") == typed
        page.unroute("**/api/send")
        page.keyboard.press("Enter")  # sent again, as it was
        expect()(page.locator("#messages .msg.out").last).to_contain_text(typed)
        assert page.input_value("#composer-text") == ""
    finally:
        context.close()


def test_text_direction_follows_the_text_and_long_messages_go_as_several(browser, sandbox):
    context, page = open_page(browser, sandbox)
    try:
        arabic = "نلتقي يوم الخميس في المكتبة"
        page.fill("#composer-text", arabic)
        assert page.evaluate("() => getComputedStyle(document.activeElement).direction") == "rtl"
        page.keyboard.press("Enter")
        mine = page.locator("#messages .msg.out .text", has_text=arabic).last
        assert mine.evaluate("node => getComputedStyle(node).direction") == "rtl"
        english = page.locator("#messages .msg.in .text").first
        assert english.evaluate("node => getComputedStyle(node).direction") == "ltr"

        # Over 4,096 characters: sent as two messages, as Telegram's apps do; nothing vanishes.
        lines = [f"Line {i}: what we heard at the Saturday drop-in." for i in range(100)]
        page.fill("#composer-text", "\n".join(lines))
        page.click("#send")
        last = page.locator("#messages .msg.out .text").last
        expect()(last).to_contain_text(lines[-1])
        before = page.locator("#messages .msg.out .text").nth(-2)
        expect()(before).to_contain_text(lines[0])
        assert page.locator("#status").inner_text() == ""
        assert page.input_value("#composer-text") == ""
    finally:
        context.close()


def test_rating_buttons_are_big_enough_for_a_finger(browser, sandbox):
    context, page = open_page(browser, sandbox, viewport={"width": 390, "height": 844},
                              is_mobile=True, has_touch=True)
    try:
        for label in ("1 ·", "5 ·", "Skip"):
            assert key(page, label).bounding_box()["height"] >= 44, label
    finally:
        context.close()

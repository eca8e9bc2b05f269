"""The tour of docs/using/sandbox.md ("A week in two minutes"), followed word for word in
Chromium, as a new user would: with a mouse at a desktop size, with a finger on a phone's
screen (390x844), and by keyboard alone. Each step must show what the docs say it shows.

The table is read from the docs page (tests/helpers/sandbox_tour.py): change the page or
the product, and this test says which step no longer holds.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from bot.render.export import HELD_BACK

from helpers.browser import CHROMIUM, key
from helpers.sandbox import TryProcess
from helpers.sandbox_tour import Action, Step, tour_steps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed at /usr/bin/chromium"),
]
WAIT_MS = 15_000
# Tab presses a keyboard user is expected to make, at most, to reach the next
# control from where they are (either way round; the skip link helps too).
MOST_TABS = 40
SIZES = {
    "desktop": {"viewport": {"width": 1200, "height": 860}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "keyboard": {"viewport": {"width": 1200, "height": 860}},
}
# What the page's text shows with Telegram's invisible direction isolates taken out.
PAGE_TEXT = """() => ["#chat-title", "#messages", "#status", "#toast"]
    .map((selector) => document.querySelector(selector))
    .filter((node) => node && !node.hidden)
    .map((node) => node.innerText).join("\\n").replace(/[\\u2066-\\u2069]/g, "")"""



@pytest.mark.parametrize("way", list(SIZES))
def test_the_documented_tour_shows_what_it_says(browser, way):
    steps = tour_steps()
    assert len(steps) >= 16
    sandbox = TryProcess()
    context = browser.new_context(**SIZES[way], locale="en-GB", timezone_id="UTC",
                                  accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(sandbox.url)
        page.locator("#messages").get_by_text("Hello, Riverside Neighbours!").wait_for()
        if way == "phone":
            every_control_in_reach(page)
        tour = Tour(page, way)
        for step in steps:
            tour.follow(step)
        assert errors == []
        check_the_export(tour.downloads)
        if way == "keyboard":
            print(f"\nby keyboard: {len(tour.tabs)} controls reached, Tab presses per control "
                  f"{sorted(tour.tabs)}")
            assert sum(tour.tabs) > 0  # reached by Tab, not already in focus
    finally:
        context.close()
        code, _, stderr = sandbox.stop()
    assert code == 0 and "Traceback" not in stderr, stderr


class Tour:
    def __init__(self, page, way: str) -> None:
        self.page, self.way = page, way
        self.downloads: list[Path] = []
        self.tabs: list[int] = []  # by keyboard: the presses each control took to reach

    def follow(self, step: Step) -> None:
        for action in step.actions:
            getattr(self, action.verb)(action, step)
        me = self.page.locator("#me option:checked").inner_text()
        assert me.startswith(step.person), f"step {step.number}: you are {me}, not {step.person}"
        self.see(step)

    # -- doing ------------------------------------------------------------------------------
    def activate(self, target) -> None:
        """A button or link: clicked, tapped with a finger, or focused and Enter pressed."""
        if self.way == "phone":
            target.scroll_into_view_if_needed()
            target.tap()
        elif self.way == "keyboard":
            self.reach(target)
            self.page.keyboard.press("Enter")
        else:
            target.click()

    def reach(self, target) -> None:
        """By keyboard, as a person would: Tab from where the focus is until the
        target has it, or Shift+Tab the other way round; never a jump."""
        target.wait_for()
        handle = target.element_handle()

        def focused() -> bool:
            return self.page.evaluate("(node) => document.activeElement === node", handle)

        pressed = 0
        for way, presses in (("Tab", MOST_TABS), ("Shift+Tab", 2 * MOST_TABS)):
            for _ in range(presses):
                if focused():
                    self.tabs.append(pressed)
                    return
                self.page.keyboard.press(way)
                pressed += 1
        if not focused():
            raise AssertionError(f"{target} is not within {MOST_TABS} Tab presses either way")

    def open(self, action: Action, step: Step) -> None:
        # By its title: another chat's preview may quote this one's name.
        title = self.page.locator(".chat-title", has_text=action.target)
        self.activate(self.page.locator(".chat-item", has=title))
        self.page.locator("#chat-title", has_text=action.target).wait_for()

    def send(self, action: Action, step: Step) -> None:
        box = self.page.locator("#composer-text")
        if self.way == "keyboard":
            self.reach(box)
            self.page.keyboard.type(action.target)
            self.page.keyboard.press("Escape")  # the command menu, if "/" opened it
            self.page.keyboard.press("Enter")
        else:
            box.fill(action.target)
            self.activate(self.page.locator("#send"))
        self.page.locator("#messages .msg.out", has_text=action.target.split()[0]).last.wait_for()

    def tap(self, action: Action, step: Step) -> None:
        if action.target == "START":
            self.activate(self.page.locator("#start"))
            return
        button = key(self.page, action.target)
        button.wait_for()
        if self.way == "phone":
            height = button.bounding_box()["height"]
            assert height >= 44, f"step {step.number}: {action.target!r} is {height}px tall"
        before = self.page.evaluate("() => document.querySelector('#messages').innerText")
        self.activate(button)
        # The bot answers a tap by changing the chat (or with a pop-up): wait for it.
        self.page.wait_for_function(
            "(before) => document.querySelector('#messages').innerText !== before"
            " || !document.querySelector('#toast').hidden", arg=before)

    def press(self, action: Action, step: Step) -> None:
        control = self.page.locator(".controls button", has_text=action.target)
        self.activate(control)
        status = self.page.locator("#status")
        status.filter(has_not_text="working…").filter(has_text=action.target).wait_for()

    def choose(self, action: Action, step: Step) -> None:
        who = self.page.locator("#me")
        value = who.locator("option", has_text=action.target).get_attribute("value")
        if self.way == "keyboard":
            self.reach(who)
            self.page.keyboard.type(action.target)  # a closed list picks as one types
            if who.input_value() != value:
                raise AssertionError(f"step {step.number}: typing chose {who.input_value()}")
        else:
            who.select_option(value)

    def download(self, action: Action, step: Step) -> None:
        document = self.page.locator("#messages a.document").last
        with self.page.expect_download() as download:
            self.activate(document)
        saved = Path(download.value.path())
        self.downloads.append(saved.with_name(download.value.suggested_filename))
        saved.rename(self.downloads[-1])

    # -- seeing -----------------------------------------------------------------------------
    def see(self, step: Step) -> None:
        page = self.page
        try:
            page.wait_for_function(
                f"(patterns) => {{ const text = ({PAGE_TEXT})();"
                " return patterns.every((pattern) => new RegExp(pattern).test(text)); }",
                arg=step.patterns())
        except Exception as error:  # Playwright's TimeoutError: say what was missing
            shown = page.evaluate(PAGE_TEXT)
            missing = [t for t, p in zip(step.texts, step.patterns(), strict=True)
                       if not re.search(p, shown)]
            raise AssertionError(f"step {step.number} ({self.way}): {step.said}\n"
                                 f"not seen: {missing}\npage: {shown[-1500:]}") from error
        if step.chat:
            assert page.locator("#chat-title").inner_text() == step.chat, step.said
        if step.picture:
            chart = page.locator("#messages img.photo").last
            chart.wait_for()
            page.wait_for_function("(img) => img.complete && img.naturalWidth > 300",
                                   arg=chart.element_handle())
            assert chart.get_attribute("alt"), "the chart has no text alternative"
            # "Tap it to see it full size": the picture is a link to itself, whole.
            full = chart.locator("xpath=ancestor::a[1]")
            assert full.get_attribute("href") == chart.get_attribute("src")
            assert full.get_attribute("target") == "_blank"


def every_control_in_reach(page) -> None:
    """On a phone, every time control is on the screen, none off it in a sideways row."""
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    for control in page.locator(".controls button").all():
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, control.inner_text()


def check_the_export(downloads: list[Path]) -> None:
    group_csv = next(path for path in downloads if path.suffix == ".csv")
    assert group_csv.name.startswith("civic-reflect-riverside-neighbours-")
    rows = list(csv.DictReader(io.StringIO(group_csv.read_text("utf-8"))))
    members = {row["member"] for row in rows}
    assert members >= {"Ben Hughes", "Diego Ruiz", "private"} and "Chen Wei" not in members
    # Chen alone answered privately: no name on his row, and nothing of what he said.
    assert {row["answered"] for row in rows} == {"in the group", HELD_BACK}

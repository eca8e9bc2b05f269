"""Reading a chart back from its pixels, for the tests of bot/render/chart.py
and bot/render/partnership_chart.py: is it a PNG Telegram takes, where are
its axes and ticks, which bars stand on an axis and how tall, and is there
text where labels belong. Nothing here knows the charts' layout: it is found
in the picture, as a reader would find it."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from PIL import Image, ImageColor

from bot.render.chart import (
    BAR_WIDTH,
)
from bot.render.plot import BACKGROUND, INK, MUTED

PNG = b"\x89PNG\r\n\x1a\n"
TELEGRAM_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto: at most 10 MB,
TELEGRAM_PHOTO_SIDES = 10_000  # width and height together at most 10,000,
TELEGRAM_PHOTO_RATIO = 20  # and neither side more than 20 times the other


def rgb(colour: str) -> tuple[int, ...]:
    return ImageColor.getrgb(colour)


class Picture:
    """A chart's pixels, checked on the way in as Telegram's sendPhoto would."""

    def __init__(self, png: bytes):
        assert png.startswith(PNG)
        assert len(png) <= TELEGRAM_PHOTO_BYTES
        with Image.open(io.BytesIO(png)) as image:
            image.verify()  # the chunks and their checksums
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG"
            self.mode = image.mode
            self.size = image.size
            self.pixels = list(image.convert("RGB").getdata())
        self.width, self.height = self.size
        assert self.width + self.height <= TELEGRAM_PHOTO_SIDES
        assert max(self.width / self.height, self.height / self.width) <= TELEGRAM_PHOTO_RATIO

    def at(self, x: int, y: int) -> tuple[int, ...]:
        return self.pixels[y * self.width + x]

    def mask(self, colour: str) -> bytes:
        """1 where the pixel is exactly `colour`, row after row."""
        wanted = rgb(colour)
        return bytes(pixel == wanted for pixel in self.pixels)

    def count(self, colour: str, left: int, top: int, right: int, bottom: int) -> int:
        """Pixels of exactly `colour` in the box (right and bottom excluded)."""
        wanted = rgb(colour)
        return sum(self.at(x, y) == wanted for y in range(top, bottom)
                   for x in range(left, right))

    def drawn(self, left: int, top: int, right: int, bottom: int) -> list[int]:
        """The columns of the box where anything but background shows."""
        background = rgb(BACKGROUND)
        return [x for x in range(max(left, 0), min(right, self.width))
                for y in range(max(top, 0), min(bottom, self.height))
                if self.at(x, y) != background]


@dataclass(frozen=True)
class Axes:
    left: int  # the value axis's column
    bottom: int  # the category axis's row
    ticks: tuple[int, ...]  # the value ticks' rows, from the bottom up
    slots: tuple[int, ...]  # the category ticks' columns, left to right

    def unit(self, first: float, last: float) -> float:
        """Pixels per unit of value, the lowest tick standing for `first` and
        the highest for `last`."""
        return (self.ticks[0] - self.ticks[-1]) / (last - first)


def axes(picture: Picture) -> list[Axes]:
    """Every pair of axes, top to bottom: the value axis is the column with
    the most ink; a category axis is a row of ink across most of the width."""
    ink, width = picture.mask(INK), picture.width
    left = max(range(width), key=lambda x: sum(ink[x::width]))
    rows = [y for y in range(picture.height)
            if sum(ink[y * width + left: (y + 1) * width]) > (width - left) * 0.8]
    found, above = [], 0
    for bottom in rows:
        ticks = tuple(y for y in range(bottom, above, -1) if ink[y * width + left - 2])
        slots = tuple(x for x in range(left + 1, width) if ink[(bottom + 2) * width + x])
        found.append(Axes(left, bottom, ticks, slots))
        above = bottom
    return found


@dataclass(frozen=True)
class Bar:
    left: int
    right: int  # included
    height: int

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


def bars(picture: Picture, on: Axes, colour: str) -> list[Bar]:
    """The bars of `colour` standing on `on`'s category axis, left to right."""
    wanted, row = rgb(colour), on.bottom - 1
    columns = [x for x in range(on.left + 1, picture.width) if picture.at(x, row) == wanted]
    runs: list[list[int]] = []
    for x in columns:
        if runs and runs[-1][-1] == x - 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    found = []
    for run in runs:
        middle, top = run[len(run) // 2], row
        while top > 0 and picture.at(middle, top - 1) == wanted:
            top -= 1
        found.append(Bar(run[0], run[-1], row - top + 1))
    return found


SCORES = (1, 5)  # the lowest and highest ticks of the themes' panel


def slot_of(bar: Bar, on: Axes) -> int:
    return min(range(len(on.slots)), key=lambda slot: abs(on.slots[slot] - bar.middle))


def assert_heights(found: list[Bar], values: list[float], unit: float) -> None:
    assert [bar.height for bar in found] == pytest.approx([v * unit for v in values], abs=1.5)


def assert_missing_mark(picture: Picture, on: Axes, slot: int, side: int) -> None:
    """Where a theme has no score: no bar, and a grey mark just above the axis."""
    column = on.slots[1] - on.slots[0]
    middle = round(on.slots[slot] + side * BAR_WIDTH / 2 * column)
    box = (middle - 10, on.bottom - 30, middle + 10, on.bottom)
    marks = [picture.at(x, y) for x in range(box[0], box[2]) for y in range(box[1], box[3])
             if picture.at(x, y) != rgb("#ffffff")]
    assert marks, f"no mark for the missing score in slot {slot}"
    assert all(r == g == b >= rgb(MUTED)[0] for r, g, b in marks)


def assert_labelled(picture: Picture, on: Axes, lines: int = 1) -> None:
    """Under every category tick, text centred on it."""
    column = on.slots[1] - on.slots[0] if len(on.slots) > 1 else 100
    for middle in on.slots:
        drawn = picture.drawn(round(middle - column / 2 + 4), on.bottom + 6,
                              round(middle + column / 2 - 4), on.bottom + 6 + 15 * lines)
        assert drawn, f"no label under the tick at {middle}"
        assert sum(drawn) / len(drawn) == pytest.approx(middle, abs=12)

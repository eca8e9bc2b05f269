"""The few pieces of a bar chart, drawn straight into a Pillow image; the
digest's chart (bot/render/chart.py) and the partnership's
(bot/render/partnership_chart.py) are built from them.

Why Pillow and not a plotting library: a chart is a handful of rectangles,
lines and labels, and a worker draws one per group every week. matplotlib
spent a third to half a second of CPU on each and tens of megabytes on
loading itself; drawn here, a chart costs milliseconds (tests/bench/charts.py).

Why DejaVu Sans, shipped in bot/render/fonts: the charts need a scalable
font that is always there and covers the bot's languages. Pillow's own
scalable default (`ImageFont.load_default(size=...)`, a cut-down Aileron)
has ASCII and a few marks only: no á, ñ, ¿ or en dash, so Spanish labels
would come out as boxes. DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew
and Arabic (so group names in those scripts show too), is what matplotlib
drew with (the charts keep their look), and its licence (Bitstream Vera,
beside the font) lets it be redistributed with software as long as it is
unmodified or renamed: it is the upstream file, unmodified. Pillow must have
FreeType, which its wheels always do. Right-to-left names come out in the
right order when Pillow also finds libraqm; without it, as with matplotlib,
they are drawn in storage order.

The image is drawn in RGB and turned into a palette PNG at the end: every
colour is known beforehand (white, and a ramp from white to each ink for the
anti-aliased edges of text), so mapping to that fixed palette is cheap and
the PNG a few kilobytes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# Pillow is imported where a picture is drawn: the bot's own process draws
# only when the chart worker cannot (and for the partnership chart), and
# loading Pillow costs it memory it would otherwise never use.
if TYPE_CHECKING:
    from PIL import ImageFont

FONT_FILE = Path(__file__).parent / "fonts" / "DejaVuSans.ttf"
BACKGROUND = "#ffffff"
INK = "#222222"  # text, axes and ticks
MUTED = "#666666"  # the mark where a score is missing
TITLE_SIZE = 17  # pixels
LABEL_SIZE = 14  # the axes' names and the score scale
SMALL_SIZE = 12  # values, the legend, the names under the bars
PAD = 8  # around the picture and between its parts
TICK = 4  # a tick's length
MAX_LINES = 4  # of a name under its bars; the rest is cut with "…"
PNG_COMPRESSION = 3  # zlib's: a little larger than the default level, in half the time
SHADES = 16  # steps from the background to each ink, for anti-aliased text


@functools.lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont:
    """DejaVu Sans, `size` pixels to the em.

    Cached for the life of the process: reading the file costs a third of a
    millisecond and a chart worker draws thousands of charts in the same
    three sizes. A loaded font is never changed, so sharing it is safe, and
    the cache holds nothing about any group."""
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_FILE), size)


def line_height(size: int) -> int:
    ascent, descent = font(size).getmetrics()
    return ascent + descent


def width_of(text: str, size: int) -> float:
    return font(size).getlength(text)


NOT_A_CHARACTER = "\U0010fffd"  # private use: no font has it, so it shows the missing glyph


def drawable(text: str, size: int = SMALL_SIZE) -> str:
    """`text` without the characters the font has no glyph for (an emoji in a
    group's name), which would be drawn as empty boxes."""
    missing = font(size).getmask(NOT_A_CHARACTER)
    missing_bitmap = (missing.size, bytes(missing))
    kept = []
    for character in text:
        if character.isspace() or character.isascii():
            kept.append(character)
            continue
        glyph = font(size).getmask(character)
        if (glyph.size, bytes(glyph)) != missing_bitmap:
            kept.append(character)
    return " ".join("".join(kept).split())


def fit(text: str, size: int, width: float) -> str:
    """`text`, cut and ended with "…" if it is wider than `width`."""
    if width_of(text, size) <= width:
        return text
    while text and width_of(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, size: int, width: float, max_lines: int = MAX_LINES) -> list[str]:
    """`text` broken between words into lines no wider than `width` pixels."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if line and width_of(joined, size) > width:
            lines.append(line)
            line = word
        else:
            line = joined
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1:]) + "…"]
    return [fit(line, size, width) for line in lines]


def whole_number_ticks(top_value: float, most: int = 10) -> list[int]:
    """0 and the multiples of the smallest of 1, 2, 5, 10, 20, 50… that gives
    at most `most` steps up to `top_value`."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top_value / step <= most:
                return list(range(0, int(top_value) + 1, step))
        magnitude *= 10


class Canvas:
    """An RGB picture being drawn, handed over as a palette PNG."""

    def __init__(self, width: int, height: int, palette: Sequence[int]):
        """`palette`: what `palette(...)` gives for every colour drawn."""
        from PIL import Image, ImageDraw

        self.image = Image.new("RGB", (width, height), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        self.palette = palette

    @property
    def width(self) -> int:
        return self.image.width

    def text(self, xy: tuple[float, float], text: str, size: int = SMALL_SIZE,
             fill: str = INK, anchor: str = "la") -> None:
        self.draw.text(xy, text, fill=fill, font=font(size), anchor=anchor)

    def title(self, middle: float, top: float, text: str) -> float:
        """A heading centred on `middle`, cut to fit the picture. Returns the
        heading's bottom."""
        room = 2 * min(middle - PAD, self.width - PAD - middle)
        self.text((middle, top), fit(text, TITLE_SIZE, room), TITLE_SIZE, anchor="ma")
        return top + line_height(TITLE_SIZE)

    def upright_text(self, xy: tuple[float, float], text: str, size: int = SMALL_SIZE,
                     fill: str = INK, anchor: str = "mm") -> None:
        """Text turned to read upwards. `anchor` as Pillow's, for the text
        before it is turned: "mm" centres it on `xy`, "mt" puts its top (its
        left side once turned) on `xy`."""
        from PIL import Image, ImageDraw

        width, height = round(width_of(text, size)) + 2, line_height(size)
        mask = Image.new("L", (width, height))
        ImageDraw.Draw(mask).text((width / 2, height / 2), text, fill=255, font=font(size),
                                  anchor="mm")
        turned = mask.transpose(Image.Transpose.ROTATE_90)
        x, y = xy
        left = round(x - height / 2) if anchor[1] == "m" else round(x)
        self.image.paste(fill, (left, round(y - width / 2)), turned)

    def rectangle(self, box: tuple[float, float, float, float], fill: str) -> None:
        self.draw.rectangle(box, fill=fill)

    def line(self, points: Sequence[tuple[float, float]], fill: str = INK,
             width: int = 1) -> None:
        self.draw.line(list(points), fill=fill, width=width)

    def legend(self, left: float, top: float, right: float,
               entries: Sequence[tuple[str, str]]) -> float:
        """A colour swatch and a label per entry, in a row if they fit between
        `left` and `right`, else one under the other. Returns the bottom."""
        swatch_width, swatch_height, gap = 2 * SMALL_SIZE, SMALL_SIZE * 3 // 4, 6
        row = line_height(SMALL_SIZE)
        labels = [fit(label, SMALL_SIZE, right - left - swatch_width - gap)
                  for _, label in entries]
        widths = [swatch_width + gap + width_of(label, SMALL_SIZE) for label in labels]
        in_a_row = sum(widths) + 3 * SMALL_SIZE * (len(widths) - 1) <= right - left
        x, y = left, top
        for (colour, _), label, width in zip(entries, labels, widths, strict=True):
            middle = y + row / 2
            self.rectangle((x, middle - swatch_height / 2, x + swatch_width - 1,
                            middle + swatch_height / 2 - 1), colour)
            self.text((x + swatch_width + gap, middle), label, SMALL_SIZE, anchor="lm")
            if in_a_row:
                x += width + 3 * SMALL_SIZE
            else:
                y += row
        return y + row if in_a_row or not entries else y

    def png(self) -> bytes:
        from PIL import Image

        palette = Image.new("P", (1, 1))
        palette.putpalette(self.palette)
        picture = self.image.quantize(palette=palette, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", compress_level=PNG_COMPRESSION)
        return buffer.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' as red, green and blue."""
    if len(colour) != 7 or colour[0] != "#":
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    red, green, blue = (int(colour[at:at + 2], 16) for at in (1, 3, 5))
    return red, green, blue


def palette(*inks: str) -> tuple[int, ...]:
    """A picture's palette, red, green and blue one after the other: the
    background, the text's inks and `inks`, and between the background and
    each ink the shades of anti-aliased edges. Pillow matches a pixel to the
    palette at six bits a channel, so a shade that close to the background or
    an ink would take their pixels: such shades are left out, and the
    background and inks come out exact. A chart module computes its palette
    once, when it is imported."""
    background = _rgb(BACKGROUND)
    exact = [background, *dict.fromkeys(_rgb(ink) for ink in (INK, MUTED, *inks))]
    shades = list(exact)
    for ink in exact[1:]:
        for step in range(1, SHADES):
            shade = tuple(round(b + (i - b) * step / SHADES)
                          for b, i in zip(background, ink, strict=True))
            if all(max(abs(s - e) for s, e in zip(shade, colour, strict=True)) > 8
                   for colour in exact):
                shades.append(shade)
    return tuple(value for shade in shades[:256] for value in shade)


@dataclass(frozen=True)
class Panel:
    """A plot area: `slots` equal columns side by side, values from 0 on the
    axis at `bottom` up to `top_value` at `top`."""

    canvas: Canvas
    left: int
    top: int
    right: int
    bottom: int  # the horizontal axis's row
    slots: int
    top_value: float

    @property
    def slot_width(self) -> float:
        return (self.right - self.left) / max(self.slots, 1)

    def x(self, slot: int, offset: float = 0.0) -> float:
        """The middle of `slot`, moved by `offset` slot widths."""
        return self.left + (slot + 0.5 + offset) * self.slot_width

    def y(self, value: float) -> float:
        return self.bottom - value / self.top_value * (self.bottom - self.top)

    def bar(self, slot: int, offset: float, width: float, value: float, colour: str) -> None:
        """A bar `width` slot widths wide, its middle `offset` from the slot's."""
        left = round(self.x(slot, offset - width / 2))
        right = round(self.x(slot, offset + width / 2)) - 1
        top = round(self.y(value))
        if top < self.bottom:
            self.canvas.rectangle((left, top, right, self.bottom - 1), colour)

    def value_label(self, slot: int, offset: float, value: float, text: str,
                    fill: str = INK) -> None:
        """`text` just above the height of `value`."""
        self.canvas.text((self.x(slot, offset), self.y(value) - 3), text, SMALL_SIZE, fill,
                         anchor="md")

    def axes(self, ticks: Sequence[tuple[float, str]], name: str,
             categories: Sequence[Sequence[str]]) -> None:
        """The axis lines, the value scale with its name on the left, and
        under each slot a tick and its lines of text."""
        canvas = self.canvas
        canvas.line([(self.left, self.top), (self.left, self.bottom)])
        canvas.line([(self.left, self.bottom), (self.right, self.bottom)])
        for value, text in ticks:
            y = round(self.y(value))
            canvas.line([(self.left - TICK, y), (self.left - 1, y)])
            canvas.text((self.left - TICK - 3, y), text, LABEL_SIZE, anchor="rm")
        canvas.upright_text((PAD + line_height(LABEL_SIZE) / 2, (self.top + self.bottom) / 2),
                            name, LABEL_SIZE)
        row = line_height(SMALL_SIZE)
        for slot, lines in enumerate(categories):
            x = round(self.x(slot))
            canvas.line([(x, self.bottom + 1), (x, self.bottom + TICK)])
            for number, text in enumerate(lines):
                canvas.text((x, self.bottom + TICK + 3 + number * row), text, SMALL_SIZE,
                            anchor="ma")

    def note(self, text: str) -> None:
        """`text` alone in the middle of the panel, when there is nothing to plot."""
        self.canvas.text(((self.left + self.right) / 2, (self.top + self.bottom) / 2), text,
                         LABEL_SIZE, anchor="mm")


def scale_width(ticks: Sequence[str]) -> int:
    """From the picture's left edge to a panel's value axis: the axis's name
    turned upright, its scale and the ticks."""
    widest = max((width_of(text, LABEL_SIZE) for text in ticks), default=0)
    return round(PAD + line_height(LABEL_SIZE) + 6 + widest + 3 + TICK)


def categories_height(lines: int) -> int:
    """Under a panel's axis: the ticks and `lines` lines of names."""
    return TICK + 3 + max(lines, 1) * line_height(SMALL_SIZE)

"""The outcome wheel as a radar chart: PNG bytes, drawn off-screen (matplotlib's Agg canvas).

Made to be read on a small phone screen: 800 x 800 pixels, large labels, and colours that
colour-blind people can tell apart (Okabe-Ito), with different line styles and markers too, so
the two wheels differ even in black and white. The function returns the series it plotted, so
tests check the data, not pixels.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from flows.base import Drawing, Reply

log = logging.getLogger(__name__)
SIZE_PX = 800
DPI = 100
# Okabe-Ito: orange for the first wheel, blue for the latest
STYLES = [
    {"color": "#E69F00", "linestyle": "--", "marker": "s", "linewidth": 3, "markersize": 10,
     "alpha_fill": 0.10},
    {"color": "#0072B2", "linestyle": "-", "marker": "o", "linewidth": 4, "markersize": 11,
     "alpha_fill": 0.20},
]


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    png: bytes = field(repr=False)
    labels: tuple[str, ...]
    series: tuple[Series, ...]


def wheel_chart(labels: Sequence[str], wheels: Sequence[tuple[str, Sequence[int]]],
                *, title: str = "") -> Chart:
    """A radar chart of one or two wheels (first, then latest), scores 1 to 10."""
    plotted = tuple(Series(label, tuple(int(v) for v in values)) for label, values in wheels)
    if not 1 <= len(plotted) <= len(STYLES):
        raise ValueError("draw one wheel, or the first and the latest")
    for one in plotted:
        if len(one.values) != len(labels):
            raise ValueError("every wheel needs one score per area")
    figure = Figure(figsize=(SIZE_PX / DPI, SIZE_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.2, 0.19, 0.6, 0.6), projection="polar")
    axes.set_theta_offset(math.pi / 2)  # the first area at the top, then clockwise
    axes.set_theta_direction(-1)
    count = len(labels)
    angles = [2 * math.pi * i / count for i in range(count)]
    closed = [*angles, angles[0]]
    for style, one in zip(STYLES[-len(plotted):], plotted, strict=True):  # latest is always blue
        values = [*one.values, one.values[0]]
        axes.plot(closed, values, color=style["color"], linestyle=style["linestyle"],
                  marker=style["marker"], linewidth=style["linewidth"],
                  markersize=style["markersize"], label=one.label, zorder=3)
        axes.fill(closed, values, color=style["color"], alpha=style["alpha_fill"], zorder=2)
    axes.set_ylim(0, 10)
    axes.set_yticks([2, 4, 6, 8, 10])
    axes.set_yticklabels(["2", "4", "6", "8", ""], fontsize=13, color="#444444")
    axes.set_rlabel_position(360 / count / 2)
    axes.set_xticks(angles)
    axes.set_xticklabels(labels, fontsize=18, fontweight="bold", color="#111111")
    axes.tick_params(axis="x", pad=26)
    axes.grid(color="#BBBBBB", linewidth=1)
    axes.spines["polar"].set_color("#888888")
    if title:
        figure.suptitle(title, fontsize=24, fontweight="bold", y=0.985)
    figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0.01), ncol=len(plotted),
                  fontsize=18, frameon=False, handlelength=3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return Chart(buffer.getvalue(), tuple(labels), plotted)


# --- drawing away from the bot -----------------------------------------------------------------
# A chart is about a seventh of a second of pure Python. In a thread it holds the GIL, and every
# other young person's reply in the process waits; so charts are drawn in one helper process,
# started on first use. If that process dies, the chart is drawn in a thread instead.

_POOL: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_leave_with_parent, initargs=(os.getpid(),))
    return _POOL


def _leave_with_parent(parent: int) -> None:
    """In the helper: exit when the bot's process is gone, even if it was killed outright.

    Ctrl-C in a terminal reaches the whole process group: the helper ignores it and leaves
    with its parent, instead of printing a KeyboardInterrupt traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def stop_chart_helper() -> None:
    """Stop the helper process (a clean shutdown of the bot)."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)
        _POOL = None


async def draw_wheel_chart(labels: Sequence[str], wheels: Sequence[tuple[str, Sequence[int]]],
                           *, title: str = "") -> Chart:
    """`wheel_chart`, drawn in the helper process without blocking the event loop."""
    global _POOL
    job = partial(wheel_chart, list(labels), [(label, list(v)) for label, v in wheels], title=title)
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool(), job)
    except BrokenProcessPool:
        _POOL = None
        log.warning("chart process stopped; drawing in a thread")
        return await asyncio.to_thread(job)


@dataclass(frozen=True)
class WheelDrawing:
    """A wheel chart to draw later: once the update's transaction has committed, or by the
    outbox sender. Drawing takes about a seventh of a second; inside a transaction that held
    the young person's lock, and on SQLite every writer's."""

    labels: tuple[str, ...]
    wheels: tuple[tuple[str, tuple[int, ...]], ...]
    title: str = ""

    @classmethod
    def of(cls, labels: Sequence[str], wheels: Sequence[tuple[str, Sequence[int]]],
           title: str = "") -> WheelDrawing:
        return cls(tuple(labels), tuple((label, tuple(values)) for label, values in wheels), title)

    async def chart(self) -> Chart:
        return await draw_wheel_chart(self.labels, self.wheels, title=self.title)

    async def draw(self) -> bytes:
        return (await self.chart()).png

    def as_json(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "title": self.title,
                "wheels": [[label, list(values)] for label, values in self.wheels]}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> WheelDrawing:
        return cls.of(stored["labels"], stored["wheels"], stored.get("title", ""))


def revive(stored: dict[str, Any]) -> Drawing:
    """A drawing that waited in a row as JSON (`as_json`), ready to draw again. The wheel chart
    is the only kind kept today; another kind would add a "kind" key and a branch here."""
    return WheelDrawing.from_json(stored)


async def picture(photo: bytes | Drawing) -> bytes:
    """PNG bytes, drawing them first if they are still to be drawn."""
    return photo if isinstance(photo, bytes) else await photo.draw()


async def draw_pictures(replies: list[Reply]) -> list[Reply]:
    """The same replies with every drawing drawn (after the transaction, before sending).

    The update is already saved by then: a chart that cannot be drawn is left out, and its
    caption (and the help button on the last reply) still goes, rather than losing them all."""
    if all(reply.photo is None or isinstance(reply.photo, bytes) for reply in replies):
        return replies
    return [reply if reply.photo is None else replace(reply, photo=await _drawn_or_none(reply.photo))
            for reply in replies]


async def _drawn_or_none(photo: bytes | Drawing) -> bytes | None:
    try:
        return await picture(photo)
    except Exception as error:
        log.error("chart not drawn; its text is sent alone",
                  extra={"error_type": type(error).__name__})
        return None

"""Charts as PNG bytes: pure functions from figures to a picture (matplotlib's object API on the Agg canvas,
no pyplot, so they can be drawn from any worker thread). The same figures always give the same bytes, which
lets an uploaded chart be reused by its hash.

Korean names and statuses are drawn with NanumGothic (from the `koreanize-matplotlib` package, registered as a
fallback font, without importing that package) wherever DejaVu Sans has no glyph.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from bot.i18n import N_, _, current, korean, ngettext, speaking  # noqa: E402
from bot.labels import label  # noqa: E402
from store.dto import StageTotal  # noqa: E402
from store.dto.reports import FunnelStep, RepActivity, RepLine, SlaFigure  # noqa: E402



@dataclass(frozen=True)
class Chart:
    """A chart to show: what it draws (`figures`, by value) and how (`draw`), with words for those who can't see
    it (also its caption). The same figures always give the same picture, so an uploaded chart is found again by
    the hash of its figures and neither drawn nor uploaded twice."""

    key: str  # names the file: funnel, activity, stages…
    title: str
    alt: str
    draw: Callable[..., bytes]
    figures: tuple  # the arguments of `draw`
    lang: str = field(default_factory=current)  # the words drawn on it: the language it was asked for in

    @property
    def digest(self) -> str:
        figures = repr(_canonical(self.figures))
        return hashlib.sha256(f"{VERSION}|{self.lang}|{self.key}|{self.draw.__name__}|{figures}".encode()).hexdigest()

    @property
    def png(self) -> bytes:
        with speaking(self.lang):  # drawn later, maybe on another thread
            return self.draw(*self.figures)


def _canonical(value):
    """The same figures, written the same way whatever order their dicts were filled in."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_canonical(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


VERSION = 4  # bump when the drawing changes: charts are found again by their figures, not their pixels
BLUE, LIGHT_BLUE, GREY = "#1d4f91", "#9db9e0", "#c8ccd2"
GREEN, RED, ORANGE = "#2e9e5b", "#d9534f", "#f0ad4e"
WIDTH, DPI = 7.6, 110
_lock = threading.Lock()  # font look-ups and the text cache are shared by every figure


def _fonts() -> list[str]:
    families = ["DejaVu Sans"]  # not translated: not text for people
    spec = importlib.util.find_spec("koreanize_matplotlib")
    for folder in spec.submodule_search_locations if spec and spec.submodule_search_locations else []:
        for ttf in sorted(Path(folder, "fonts").glob("NanumGothic*.ttf")):  # not translated: not text for people
            font_manager.fontManager.addfont(str(ttf))
        if Path(folder, "fonts", "NanumGothic.ttf").exists():  # not translated: not text for people
            families.append("NanumGothic")  # not translated: not text for people
    return families


FAMILIES = _fonts()
LEGEND = {"loc": "lower right",  # not translated: matplotlib's option
          "bbox_to_anchor": (1.0, 1.0), "ncol": 3, "fontsize": 8, "frameon": False,
          "borderaxespad": 0.1}  # above the plot, right of the title: it never covers a bar
STYLE = {"font.family": FAMILIES, "font.size": 10, "axes.titlesize": 12, "axes.titleweight": "bold",
         "axes.titlelocation": "left",
         "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#888888",
         "axes.unicode_minus": False, "svg.fonttype": "none"}


def _figure(height: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(WIDTH, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _draw(height: float, paint, *, labels: list[str] | None = None, bottom: float = 0.12) -> bytes:
    """Margins are set from the labels rather than measured (`bbox_inches="tight"` draws everything twice)."""
    left = 0.06 + 0.0105 * max((len(x) for x in labels), default=0) if labels else 0.09
    with _lock, matplotlib.rc_context(STYLE):
        fig, ax = _figure(height)
        paint(fig, ax)
        fig.subplots_adjust(left=min(left, 0.4), right=0.97, top=1 - 0.42 / height, bottom=bottom / height)
        return _png(fig)


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compact(value: float) -> str:
    """1,234,567 → 1.2M; 12,000 → 12k (axis ticks and bar labels); for a Korean reader 123만, 1.2억."""
    v = abs(value)
    units = ((1e8, "억"), (1e4, "만")) if korean() else ((1e9, "B"), (1e6, "M"), (1e3, "k"))
    for size, unit in units:
        if v >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + unit
    return f"{value:.0f}"


def _bare_x(ax) -> None:
    """Horizontal bars carry their values: no x axis to read (and none to draw)."""
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)


def _empty(ax, message: str) -> None:
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#666666", transform=ax.transAxes)


def funnel_chart(steps: list[FunnelStep]) -> bytes:
    """Leads entering each status of the main path, with the share that moved on; side exits in grey."""
    shown = [f for f in steps if f.entered or not f.side_exit]

    def paint(_fig, ax):
        ax.set_title(_("Leads entering each status"))
        if not any(f.entered for f in shown):
            _empty(ax, _("No status changes in this period"))
            return
        names = [_short(f.status) for f in shown][::-1]
        values = [f.entered for f in shown][::-1]
        colors = [GREY if f.side_exit else BLUE for f in shown][::-1]
        bars = ax.barh(names, values, color=colors)
        for bar, f in zip(bars, shown[::-1]):
            text = f" {f.entered}" + (_(" · {share} moved on").format(share=f"{f.conversion:.0%}")
                                      if f.conversion is not None else "")
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=9)
        _bare_x(ax)
        ax.set_xlim(0, max(values) * 1.45)

    return _draw(0.45 * len(shown) + 0.6, paint, labels=[_short(f.status) for f in shown])


def activity_chart(reps: list[RepActivity], names: dict[str, str], *, most: int = 12) -> bytes:
    """Attempts per rep: connected, no answer, left a message (stacked), with the connect rate."""
    shown = reps[:most]

    def paint(_fig, ax):
        ax.set_title(_("Attempts by rep"))
        if not any(r.attempts for r in shown):
            _empty(ax, _("No calls or other attempts logged in this period"))
            return
        labels = [_short(names.get(r.user_id) or r.user_id, 18) for r in shown][::-1]
        parts = [(label("Connected"), [r.connected for r in shown][::-1], GREEN),
                 (label("No answer"), [r.no_answer for r in shown][::-1], RED),
                 (label("Left message"), [r.left_message for r in shown][::-1], ORANGE)]
        left = [0] * len(shown)
        for legend, values, color in parts:
            ax.barh(labels, values, left=left, color=color, label=legend)
            left = [a + b for a, b in zip(left, values)]
        for i, r in enumerate(shown[::-1]):
            if r.attempts:
                ax.text(left[i], i, _(" {n} · {share} reached").format(n=r.attempts, share=f"{r.connect_rate:.0%}"),
                        va="center", fontsize=9)
        _bare_x(ax)
        ax.set_xlim(0, max(left) * 1.35)
        ax.legend(**LEGEND)

    return _draw(0.42 * len(shown) + 0.7, paint,
                 labels=[_short(names.get(r.user_id) or r.user_id, 18) for r in shown])


def stages_chart(stages: list[StageTotal], currency: str, title: str = N_("Open deals by stage")) -> bytes:
    """Amount and probability-weighted amount per open stage (one currency: the workspace's)."""
    shown = [t for t in stages if t.stage.outcome == "open"]

    def paint(_fig, ax):
        ax.set_title(_("{title} ({currency})").format(title=_(title), currency=currency))
        if not any(t.count for t in shown):
            _empty(ax, _("No open deals"))
            return
        xs = range(len(shown))
        amounts = [t.amounts.get(currency, 0) for t in shown]
        weighted = [t.weighted.get(currency, 0) for t in shown]
        ax.bar([x - 0.2 for x in xs], amounts, width=0.4, color=BLUE, label=_("Amount"))
        ax.bar([x + 0.2 for x in xs], weighted, width=0.4, color=LIGHT_BLUE, label=_("Weighted"))
        ax.set_xticks(list(xs), [_short(label(t.stage.name), 14) + "\n"
                                 + ngettext("{n} deal", "{n} deals", t.count).format(n=t.count)
                                 for t in shown], fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: compact(v)))
        ax.legend(**LEGEND)

    return _draw(2.4, paint, bottom=0.62)


def status_chart(by_status: list[tuple[str, int]], title: str = N_("Your open leads by status")) -> bytes:
    def paint(_fig, ax):
        ax.set_title(_(title))
        shown = [(s, n) for s, n in by_status if n]
        if not shown:
            _empty(ax, _("No open leads"))
            return
        bars = ax.barh([_short(s) for s, _n in shown][::-1], [n for _s, n in shown][::-1], color=BLUE)
        for bar, (_s, n) in zip(bars, shown[::-1]):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {n}", va="center", fontsize=9)
        _bare_x(ax)
        ax.set_xlim(0, max(n for _s, n in shown) * 1.2)

    return _draw(0.42 * max(1, len([n for _s, n in by_status if n])) + 0.6, paint,
                 labels=[_short(s) for s, n in by_status if n])


def reps_chart(reps: list[RepLine], names: dict[str, str], currency: str, *, most: int = 15) -> bytes:
    """The team's pipeline by rep: weighted open amounts, with open leads and overdue follow-ups."""
    shown = sorted(reps, key=lambda r: -r.weighted.get(currency, 0))[:most]

    def paint(_fig, ax):
        ax.set_title(_("Weighted pipeline by rep ({currency})").format(currency=currency))
        if not shown:
            _empty(ax, _("Nobody owns a lead yet"))
            return
        labels = [_short(names.get(r.user_id) or r.user_id or _("unassigned"), 18) for r in shown][::-1]
        values = [r.weighted.get(currency, 0) for r in shown][::-1]
        bars = ax.barh(labels, values, color=BLUE)
        top = max(values + [1])
        for bar, r in zip(bars, shown[::-1]):
            weighted = r.weighted.get(currency, 0)
            note = " " + ngettext("{n} lead", "{n} leads", r.open_leads).format(n=r.open_leads) + (
                _(" · {n} overdue").format(n=r.overdue) if r.overdue else "")
            if weighted and bar.get_width() > top * 0.15:  # the amount inside the bar, the rest after it
                ax.text(0, bar.get_y() + bar.get_height() / 2, f" {compact(weighted)}", va="center", fontsize=8,
                        color="white")
            elif weighted:
                note = f" {compact(weighted)} ·" + note
            else:
                note += _(" · no open deal")
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, note, va="center", fontsize=8,
                    color=RED if r.overdue else "#333333")
        _bare_x(ax)
        ax.set_xlim(0, max(values + [1]) * 1.5)

    return _draw(0.4 * len(shown) + 0.6, paint,
                 labels=[_short(names.get(r.user_id) or r.user_id or _("unassigned"), 18) for r in shown])


def sla_chart(figures: list[SlaFigure], names: dict[str, str], title: str) -> bytes:
    """Routed leads per rep: touched within the SLA, late, still within it."""
    shown = [f for f in figures if f.routed][:15]

    def paint(_fig, ax):
        ax.set_title(title)
        if not shown:
            _empty(ax, _("No leads routed in this period"))
            return
        labels = [_short(names.get(f.name) or f.name or _("unassigned"), 18) for f in shown][::-1]
        left = [0] * len(shown)
        for legend, values, color in ((_("In time"), [f.in_time for f in shown][::-1], GREEN),
                                      (_("Late"), [f.late for f in shown][::-1], RED),
                                      (_("Not yet due"), [f.pending for f in shown][::-1], GREY)):
            ax.barh(labels, values, left=left, color=color, label=legend)
            left = [a + b for a, b in zip(left, values)]
        for i, f in enumerate(shown[::-1]):
            if f.compliance is not None:
                ax.text(left[i], i, _(" {n} · {share} in time").format(n=f.routed, share=f"{f.compliance:.0%}"),
                        va="center", fontsize=9)
            else:
                ax.text(left[i], i, f" {f.routed}", va="center", fontsize=9)
        _bare_x(ax)
        ax.set_xlim(0, max(left) * 1.4)
        ax.legend(**LEGEND)

    return _draw(0.4 * len(shown) + 0.7, paint,
                 labels=[_short(names.get(f.name) or f.name or _("unassigned"), 18) for f in shown])


def warm_up() -> None:
    """The first figure loads fonts and builds caches (~0.5 s): draw one at start-up, not on a rep's click."""
    status_chart([("Potential", 1)])  # not translated: not text for people

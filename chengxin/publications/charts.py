"""Chart images for the documents the system drafts: matplotlib (Agg, no display) with a Chinese font.

Chinese labels need a CJK font. `cjk_font` finds one (Noto Sans CJK SC first, as Debian's fonts-noto-cjk installs
it) among the fonts matplotlib knows, else among those fontconfig lists for Chinese. Without one every chart
function returns None and the document keeps its tables only, saying why: a chart drawn with empty boxes for
characters would be worse than none. Each figure is its own `matplotlib.figure.Figure` (no pyplot, no global
state), so charts can be drawn in the task worker's threads.
"""

import functools
import io
import logging
import os
import shutil
import subprocess
import threading

from django.conf import settings

logger = logging.getLogger(__name__)

# Families tried in order; the first one installed is used.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
)
WIDTH_INCHES = 6.2  # the text width of an A4 portrait page with the official margins (15.6 cm), a little less
DPI = 200
# Quiet, printable colours: one per series, the same in every chart.
COLOURS = ("#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6")

_lock = threading.Lock()


def _matplotlib_home() -> None:
    """matplotlib keeps its font list in MPLCONFIGDIR, by default under the home folder, which the services may not
    write (systemd ProtectHome): then it would rebuild the list in every process. Keep it in the data folder."""
    if "MPLCONFIGDIR" not in os.environ:
        folder = settings.VAR_DIR / "matplotlib"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # matplotlib finds a temporary folder itself
        os.environ["MPLCONFIGDIR"] = str(folder)


def _known_family(families) -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in families if name in installed), None)


def _fontconfig_chinese_files() -> list[str]:
    """Font files fontconfig says cover Chinese, for fonts installed after matplotlib built its font list."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        # A fixed program and arguments, no shell: nothing from outside reaches the command line.
        out = subprocess.run(  # noqa: S603
            [fc_list, ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None when there is none."""
    with _lock:
        _matplotlib_home()
        found = _known_family(CJK_FAMILIES)
        if found:
            return found
        from matplotlib import font_manager

        for path in _fontconfig_chinese_files():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
        found = _known_family(CJK_FAMILIES)
        if found is None:
            logger.warning("no Chinese font for charts (apt-get install fonts-noto-cjk): documents get tables only")
        return found


def _figure(height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # the Agg renderer, explicitly: no display, no pyplot
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _style_axes(ax, font) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_fontproperties(font)
    ax.tick_params(labelsize=9)


def _number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def bar_chart(labels: list[str], values: list[float], *, unit: str = "", decimals: int = 0) -> bytes | None:
    """A horizontal bar chart, largest on top, each bar labelled with its value (with `decimals`, as the table
    beside it writes it): a ranking. PNG bytes, or None without a Chinese font or without anything to draw."""
    family = cjk_font()
    if family is None or not values:
        return None
    from matplotlib.font_manager import FontProperties

    font = FontProperties(family=family, size=9)
    fig = _figure(0.8 + 0.26 * len(values))
    ax = fig.add_subplot()
    positions = list(range(len(values)))[::-1]
    bars = ax.barh(positions, values, color=COLOURS[0], height=0.6)
    ax.set_yticks(positions, labels)
    ax.bar_label(bars, labels=[_number(v, decimals) for v in values], padding=3, fontproperties=font)
    ax.margins(x=0.15)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:,.0f}")
    if unit:
        ax.set_xlabel(unit, fontproperties=font)
    _style_axes(ax, font)
    return _png(fig)


def grouped_bar_chart(groups: list[tuple[str, list[tuple[str, float]]]], *, unit: str = "") -> bytes | None:
    """Bars side by side, one colour per group (the media: 传统媒介 and 新媒介 with their figures), with a
    legend. PNG bytes, or None without a Chinese font or without anything to draw."""
    family = cjk_font()
    if family is None or not any(items for _label, items in groups):
        return None
    from matplotlib.font_manager import FontProperties

    font = FontProperties(family=family, size=9)
    fig = _figure(2.8)
    ax = fig.add_subplot()
    x = 0
    ticks, names = [], []
    for i, (group, items) in enumerate(groups):
        positions = list(range(x, x + len(items)))
        bars = ax.bar(positions, [v for _n, v in items], color=COLOURS[i % len(COLOURS)], width=0.7, label=group)
        ax.bar_label(bars, labels=[_number(v) for _n, v in items], padding=2, fontproperties=font)
        ticks += positions
        names += [n for n, _v in items]
        x += len(items) + 1  # a gap between the groups
    ax.set_xticks(ticks, names)
    ax.margins(y=0.15)
    ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:,.0f}")
    if unit:
        ax.set_ylabel(unit, fontproperties=font)
    ax.legend(prop=font, frameon=False)
    _style_axes(ax, font)
    return _png(fig)

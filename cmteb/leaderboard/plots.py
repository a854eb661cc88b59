"""PNG plots of a `Leaderboard` with matplotlib (Agg backend; nothing is computed here).

- `types.png`: grouped bars, one group per task type plus Avg, one bar per model.
- `type-<Type>.png`: grouped bars, one group per task of that type, one bar per model.
- `size.png`: the mean each model is ranked on against its parameter count (log scale).
- `speed.png`: the same mean against texts encoded per second, one panel per recorded hardware
  (runs on different hardware are never drawn on one axis; dtypes differ by marker).
A missing score has no bar and an `n/a` at its place; a deviating one is hatched; a partial
mean (a model lacking tasks) is drawn hollow. Each model keeps one colour in every plot
(`present.model_colors`). Names are data: matplotlib's mathtext is off, so a `$` in a name is
drawn as a `$`, legends are built from explicit labels (a leading `_` is kept) and control
characters in a name are drawn as spaces.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from cmteb.leaderboard import present
from cmteb.leaderboard.records import Leaderboard, ModelRow
from cmteb.leaderboard.speed import UNRECORDED
from cmteb.textsafe import one_line

Bar = tuple[float | None, bool]  # (score or None when missing, deviates)
_MARKERS = ("o", "s", "^", "D", "v", "P")
_SAFE_TEXT = {"text.parse_math": False, "text.usetex": False}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    _pyplot().close(fig)
    return buf.getvalue()


def _legend(ax, colors: dict[str, str], models: Sequence[str], title: str) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=colors[m]) for m in models]
    ax.legend(handles, [one_line(m) for m in models], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1),
              frameon=False, title=title, title_fontsize=7)


def grouped_bars(title: str, groups: Sequence[str], models: Sequence[str],
                 bars: Sequence[Sequence[Bar]], colors: dict[str, str]) -> bytes:
    """`bars[m][g]`: model m's bar in group g. Returns the PNG bytes."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(min(14.0, max(7.0, 0.3 * len(groups) * max(1, len(models)) ** 0.7 + 3)),
                                    4.6), dpi=110)
    width = 0.8 / max(1, len(models))
    for m, model in enumerate(models):
        for g, (value, deviates) in enumerate(bars[m]):
            x = g - 0.4 + width * (m + 0.5)
            if value is None:
                ax.text(x, 1, "n/a", rotation=90, ha="center", va="bottom", fontsize=6, color="#a33")
                continue
            ax.bar(x, value, width, color=colors[model], hatch="///" if deviates else None,
                   edgecolor="#555" if deviates else "none", linewidth=0.4)
    rotate = len(groups) > 6
    ax.set_xticks(range(len(groups)), groups, rotation=30 if rotate else 0,
                  ha="right" if rotate else "center")
    ax.set_ylabel("score (0-100)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, colors, models, f"hatched: {present.DEVIATION_MARK} deviates; n/a: missing")
    return _png(fig)


def types_plot(board: Leaderboard, colors: dict[str, str]) -> bytes:
    groups = ["Avg", *board.types]
    bars = [[(r.overall.value, bool(r.overall.marked)),
             *((r.types[t].value, bool(r.types[t].marked)) for t in board.types)] for r in board.rows]
    return grouped_bars(f"{board.benchmark}: average per task type", groups,
                        [r.model for r in board.rows], bars, colors)


def type_plot(board: Leaderboard, task_type: str, colors: dict[str, str]) -> bytes:
    members = board.types[task_type]
    names = present.labels(board)
    bars = [[(r.tasks[t].value, bool(r.tasks[t].deviations)) for t in members] for r in board.rows]
    return grouped_bars(f"{board.benchmark}: {task_type}", [names[t] for t in members],
                        [r.model for r in board.rows], bars, colors)


def _score_axis_label(board: Leaderboard) -> str:
    return (f"score ranked on (0-100, mean of {sum(map(len, board.types.values()))} tasks;\n"
            "hollow and *: mean of the tasks it has)")


def _point(ax, x: float, row: ModelRow, colors: dict[str, str], marker: str = "o") -> None:
    ranking = row.ranking
    partial = ranking is not None and ranking.partial
    color = colors[row.model]
    ax.scatter(x, ranking.mean, s=36, marker=marker, color=color,  # type: ignore[union-attr]
               facecolors="none" if partial else color, linewidths=1.4)
    label = one_line(row.model.split("/")[-1]) + (present.PARTIAL_MARK if partial else "")
    ax.annotate(label, (x, ranking.mean), fontsize=7, xytext=(5, 3),  # type: ignore[union-attr]
                textcoords="offset points")


def _log_ticks(ax, values: Sequence[float], text) -> None:
    """Log x axis with labels at 1, 2 and 5 x 10^k only (minor ticks unlabelled), spanning the
    values with some room, so labels never overlap."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    low, high = min(values), max(values)
    ax.set_xlim(low / 1.6, high * 1.6)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: text(x)))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _rows_ranked(board: Leaderboard) -> list[ModelRow]:
    return [r for r in board.rows if r.ranking is not None and r.ranking.mean is not None]


def size_plot(board: Leaderboard, colors: dict[str, str]) -> bytes:
    plt = _pyplot()
    ranked = _rows_ranked(board)
    points = [r for r in ranked if r.parameters]
    left_out = [r.model for r in board.rows if r not in points]
    fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=110)
    for r in points:
        _point(ax, r.parameters, r, colors)  # type: ignore[arg-type]
    if points:
        _log_ticks(ax, [r.parameters for r in points], present.parameters_text)  # type: ignore[misc]
    else:
        ax.text(0.5, 0.5, "no model has both a score and a known size",
                ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("parameters (log scale)")
    ax.set_ylabel(_score_axis_label(board), fontsize=8)
    ax.set_title(f"{board.benchmark}: score against model size")
    ax.grid(alpha=0.3)
    if left_out:
        fig.text(0.01, -0.02, "not shown (no score or unknown size): " + one_line(", ".join(left_out)),
                 fontsize=6, wrap=True, va="top")
    return _png(fig)


def speed_plot(board: Leaderboard, colors: dict[str, str]) -> bytes | None:
    """Score against texts per second, one panel per hardware; None when nothing is timed."""
    rows = {r.model: r for r in _rows_ranked(board)}
    timed = [s for s in board.speed if s.texts_per_s and s.model in rows and s.hardware != UNRECORDED]
    if not timed:
        return None
    plt = _pyplot()
    hardware = list(dict.fromkeys(s.hardware for s in timed))
    dtypes = list(dict.fromkeys(s.dtype for s in timed))
    fig, axes = plt.subplots(1, len(hardware), figsize=(6.5 * len(hardware), 4.6), dpi=110,
                             squeeze=False, sharey=True)
    for ax, hw in zip(axes[0], hardware, strict=True):
        here = [s for s in timed if s.hardware == hw]
        for s in here:
            _point(ax, s.texts_per_s, rows[s.model], colors,  # type: ignore[arg-type]
                   marker=_MARKERS[dtypes.index(s.dtype) % len(_MARKERS)])
        _log_ticks(ax, [s.texts_per_s for s in here], lambda x: f"{x:,.0f}")  # type: ignore[misc]
        ax.set_title(hw, fontsize=9)
        ax.set_xlabel("texts encoded per second (log scale)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(_score_axis_label(board), fontsize=8)
    markers = ", ".join(f"{_MARKERS[i % len(_MARKERS)]} = {d}" for i, d in enumerate(dtypes))
    fig.suptitle(f"{board.benchmark}: score against speed ({markers})", fontsize=11)
    return _png(fig)


def render_plots(board: Leaderboard) -> list[tuple[str, str, bytes]]:
    """Every plot as (file name, title, PNG bytes); `speed.png` only when a run is timed."""
    import matplotlib

    colors = present.model_colors(board)
    with matplotlib.rc_context(_SAFE_TEXT):
        plots = [("types.png", "Average per task type", types_plot(board, colors))]
        plots += [(f"type-{t}.png", f"{t}: per task", type_plot(board, t, colors)) for t in board.types]
        plots.append(("size.png", "Score against model size", size_plot(board, colors)))
        speed = speed_plot(board, colors)
        if speed is not None:
            plots.append(("speed.png", "Score against speed", speed))
    return plots

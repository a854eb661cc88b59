"""PNG plots of a `Leaderboard` with matplotlib (Agg backend; nothing is computed here).

- `types.png`: grouped bars, one group per task type plus Avg, one bar per model.
- `type-<Type>.png`: grouped bars, one group per task of that type, one bar per model.
- `size.png`: overall score against parameter count (log scale), for models with both.
A missing score has no bar and an `n/a` at its place; a deviating one is hatched.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from cmteb.leaderboard import present
from cmteb.leaderboard.records import Leaderboard

Bar = tuple[float | None, bool]  # (score or None when missing, deviates)


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height), dpi=110)


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def grouped_bars(title: str, groups: Sequence[str], models: Sequence[str],
                 bars: Sequence[Sequence[Bar]]) -> bytes:
    """`bars[m][g]`: model m's bar in group g. Returns the PNG bytes."""
    import matplotlib.pyplot as plt

    fig, ax = _figure(min(14.0, max(7.0, 0.3 * len(groups) * max(1, len(models)) ** 0.7 + 3)), 4.6)
    colors = plt.get_cmap("tab20").colors
    width = 0.8 / max(1, len(models))
    for m, model in enumerate(models):
        for g, (value, deviates) in enumerate(bars[m]):
            x = g - 0.4 + width * (m + 0.5)
            if value is None:
                ax.text(x, 1, "n/a", rotation=90, ha="center", va="bottom", fontsize=6, color="#a33")
                continue
            ax.bar(x, value, width, color=colors[m % len(colors)], hatch="///" if deviates else None,
                   edgecolor="#555" if deviates else "none", linewidth=0.4,
                   label=model if g == next(i for i, b in enumerate(bars[m]) if b[0] is not None) else None)
    ax.set_xticks(range(len(groups)), groups, rotation=30 if len(groups) > 6 else 0, ha="right"
                  if len(groups) > 6 else "center")
    ax.set_ylabel("score (0-100)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False,
              title=f"hatched: {present.DEVIATION_MARK} deviates; n/a: missing", title_fontsize=7)
    return _png(fig)


def types_plot(board: Leaderboard) -> bytes:
    groups = ["Avg", *board.types]
    bars = [[(r.overall.value, bool(r.overall.marked)),
             *((r.types[t].value, bool(r.types[t].marked)) for t in board.types)] for r in board.rows]
    return grouped_bars(f"{board.benchmark}: average per task type", groups,
                        [r.model for r in board.rows], bars)


def type_plot(board: Leaderboard, task_type: str) -> bytes:
    members = board.types[task_type]
    names = present.labels(board)
    bars = [[(r.tasks[t].value, bool(r.tasks[t].deviations)) for t in members] for r in board.rows]
    return grouped_bars(f"{board.benchmark}: {task_type}", [names[t] for t in members],
                        [r.model for r in board.rows], bars)


def size_plot(board: Leaderboard) -> bytes:
    points = [r for r in board.rows if r.overall.value is not None and r.n_parameters]
    left_out = [r.model for r in board.rows if r not in points]
    fig, ax = _figure(7.5, 4.6)
    for r in points:
        ax.scatter(r.n_parameters, r.overall.value, color="#2456a6",
                   marker="x" if r.overall.marked else "o")
        ax.annotate(r.model.split("/")[-1] + (present.DEVIATION_MARK if r.overall.marked else ""),
                    (r.n_parameters, r.overall.value), fontsize=7, xytext=(4, 3),
                    textcoords="offset points")
    if points:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: present.parameters_text(int(x))))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda x, _: present.parameters_text(int(x))))
        ax.tick_params(axis="x", which="minor", labelsize=7)
    else:
        ax.text(0.5, 0.5, "no model has both an overall score and a known size",
                ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("parameters")
    ax.set_ylabel(f"Avg over {sum(map(len, board.types.values()))} tasks (0-100)")
    ax.set_title(f"{board.benchmark}: overall score against model size")
    ax.grid(alpha=0.3)
    if left_out:
        fig.text(0.01, -0.02, "not shown (no overall score or unknown size): " + ", ".join(left_out),
                 fontsize=6, wrap=True, va="top")
    return _png(fig)


def render_plots(board: Leaderboard) -> list[tuple[str, str, bytes]]:
    """Every plot as (file name, title, PNG bytes)."""
    plots = [("types.png", "Average per task type", types_plot(board))]
    plots += [(f"type-{t}.png", f"{t}: per task", type_plot(board, t)) for t in board.types]
    plots.append(("size.png", "Overall score against model size", size_plot(board)))
    return plots

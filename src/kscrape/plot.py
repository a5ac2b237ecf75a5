"""Releases per week as a small SVG line chart: one line per ministry, a legend, two axes.

Hand-written SVG (about sixty lines) rather than a plotting library: the chart is one kind of
picture, it must render in a browser page and a file alike, and SVG text keeps Hangul sharp.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 170, 28, 36
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf")


def weekly_svg(weeks: list[str], series: dict[str, list[int]], *,
               title: str = "Releases per week") -> str:
    """An SVG document: `series` maps a ministry to one count per week of `weeks`."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max((max(v) for v in series.values() if v), default=0) or 1
    step = plot_w / max(len(weeks) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(weeks) > 1 else plot_w / 2)

    def y(n: int) -> float:
        return TOP + plot_h - n / peak * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Noto Sans CJK KR, sans-serif" '
           'font-size="12" role="img">',
           f"<title>{escape(title)}</title>",
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
           f'<text x="{LEFT}" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
           f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
           'stroke="#444"/>',
           f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#444"/>']
    for n in sorted({0, peak // 2, peak}):
        out.append(f'<text x="{LEFT - 6}" y="{y(n) + 4:.1f}" text-anchor="end">{n}</text>')
    if weeks:
        labels = {0, len(weeks) - 1, *range(0, len(weeks), max(len(weeks) // 6, 1))}
        for i in sorted(labels):
            out.append(f'<text x="{x(i):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
                       f"{escape(weeks[i])}</text>")
    for k, (name, counts) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(n):.1f}" for i, n in enumerate(counts))
        shape = (f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
                 if len(counts) > 1 else
                 f'<circle cx="{x(0):.1f}" cy="{y(counts[0]):.1f}" r="4" fill="{colour}"/>')
        out.append(shape)
        ly = TOP + 10 + k * 18
        out.append(f'<rect x="{WIDTH - RIGHT + 12}" y="{ly - 9}" width="12" height="12" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{WIDTH - RIGHT + 30}" y="{ly + 1}">{escape(name)} '
                   f"({sum(counts)})</text>")
    if not series:
        out.append(f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" '
                   'text-anchor="middle">no releases yet</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"

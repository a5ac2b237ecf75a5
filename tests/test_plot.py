"""`kscrape status --plot`: releases per week of the top ministries, as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kscrape.models import Release, view_url
from kscrape.store import open_store

from .conftest import run_cli

SVG = "{http://www.w3.org/2000/svg}"


def _store_weeks(config, plan: dict[str, dict[str, int]]) -> None:
    """Store releases: plan[day][ministry] = how many."""
    releases = []
    for day, counts in plan.items():
        for ministry, n in counts.items():
            for _ in range(n):
                news_id = str(100000000 + len(releases))
                releases.append(Release(news_id=news_id, title=f"{ministry} {day}",
                                        ministry=ministry, date=day, url=view_url(news_id),
                                        body="본문", body_source="list"))
    store = open_store(config.db)
    try:
        store.save(releases, depth="list")
    finally:
        store.close()


def test_plot_draws_one_line_per_top_ministry_with_a_point_per_week(config, tmp_path):
    """Weeks start on Monday; an empty week counts 0; the top five ministries by releases
    are drawn, each line with one point per week, and the legend names them with totals."""
    plan = {"2024-01-01": {"교육부": 3, "국방부": 1}, "2024-01-03": {"교육부": 2},
            "2024-01-17": {"교육부": 1, "국방부": 4, "외교부": 2, "법무부": 1, "통일부": 1,
                           "법제처": 1}}
    _store_weeks(config, plan)
    out = tmp_path / "weeks.svg"
    result = run_cli(config, "status", "--plot", str(out))
    assert result.exit_code == 0, result.output
    svg = ET.parse(out).getroot()
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 5
    heights = [[float(p.split(",")[1]) for p in line.get("points").split()] for line in lines]
    assert all(len(h) == 3 for h in heights)  # weeks of 01-01, 01-08 (empty), 01-15
    legend = [t.text for t in svg.findall(f"{SVG}text") if t.text and "(" in t.text]
    assert legend[:2] == ["교육부 (6)", "국방부 (5)"] and len(legend) == 5
    education = heights[0]
    assert education[0] < education[2] < education[1]  # 5, 1, 0 releases: lower y is more
    assert "releases   " in result.output


def test_plot_must_be_svg(config, tmp_path):
    _store_weeks(config, {"2024-01-01": {"교육부": 1}})
    result = run_cli(config, "status", "--plot", str(tmp_path / "chart.png"))
    assert result.exit_code == 2 and "SVG" in result.stderr
    assert not (tmp_path / "chart.png").exists()

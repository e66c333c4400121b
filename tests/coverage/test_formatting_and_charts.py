"""Money and windows as the portal writes them, and the server-side SVG chart's geometry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coverage.views.charts import bar_chart
from coverage.views.formatting import MINUS, money, plain_dollars, times, window


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def test_money() -> None:
    assert money(123_456_789) == "$1,234,567.89"
    assert money(5) == "$0.05"
    assert money(-1016) == f"{MINUS}$10.16"
    assert money(None) == ""
    assert plain_dollars(-5) == "-0.05" and plain_dollars(24_950) == "249.50"


def test_windows_end_at_24_00_when_coverage_runs_to_midnight() -> None:
    # An end on the start's day moves to the next midnight (coverage.services.dates).
    assert window(utc(1, 9), utc(2, 0)) == "Jun 1, 09:00–24:00 UTC"
    assert window(utc(1, 9), utc(1, 17, 30)) == "Jun 1, 09:00–17:30 UTC"
    assert window(utc(1, 22), utc(2, 1)) == "Jun 1, 22:00 – Jun 2, 01:00 UTC"
    assert times(utc(1, 9), utc(2, 0)) == "09:00–24:00"
    assert times(utc(1, 9), utc(3, 17)) == "09:00 – Jun 3, 17:00"


def test_bars_stand_on_the_zero_line_and_hang_below_it() -> None:
    chart = bar_chart([("a", 1000), ("b", -500), ("c", 0)], width=400, height=200)
    up, down, flat = chart.bars
    assert up.y + up.height == chart.zero_y
    assert down.y == chart.zero_y and down.negative
    assert flat.height == 0
    assert up.height == pytest.approx(2 * down.height, abs=0.02)
    assert [g.label for g in chart.gridlines] == ["−$5", "$0", "$5", "$10"]
    assert not chart.empty


def test_an_empty_period_draws_a_flat_chart() -> None:
    chart = bar_chart([("a", 0), ("b", 0)])
    assert chart.empty
    assert {b.height for b in chart.bars} == {0}


def test_axis_labels_thin_out_on_long_periods() -> None:
    chart = bar_chart([(f"d{i}", i * 100) for i in range(90)], max_axis_labels=10)
    assert len(chart.axis_labels) == 10
    assert chart.axis_labels[0].label == "d0" and chart.axis_labels[1].label == "d9"
    assert all(b.x >= chart.left and b.x + b.width <= chart.right for b in chart.bars)


def test_a_date_carries_its_year_when_it_is_not_this_year() -> None:
    from datetime import UTC, date, datetime

    from coverage.views.formatting import day, when

    today = date(2026, 12, 7)
    assert day(date(2026, 11, 29), today=today) == "Nov 29"
    assert day(date(2027, 11, 29), today=today) == "Nov 29, 2027"
    at = datetime(2027, 1, 4, 14, 5, tzinfo=UTC)
    assert when(at, today=today) == "Jan 4, 2027, 14:05 UTC"
    assert when(at, today=date(2027, 1, 1)) == "Jan 4, 14:05 UTC"


def test_money_is_written_one_way_in_both_apps() -> None:
    from decimal import Decimal

    from coverage.views.formatting import money
    from policies.templatetags.underwriting import money as underwriting_money
    from portal.admin_tools import cents_text

    assert money(572113) == "$5,721.13"
    assert underwriting_money(Decimal("5721.13"), "usd") == "$5,721.13"
    assert cents_text(572113) == "$5,721.13"
    assert money(-275) == underwriting_money(Decimal("-2.75")) == "\u2212$2.75"
    assert underwriting_money(Decimal("1200"), "eur") == "1,200.00 EUR"

"""coverage.services.dates: the window rules quotes, assignments and policies share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from coverage.services.dates import (
    COVERAGE_ENDED,
    EFFECTIVE_IN_PAST,
    END_BEFORE_EFFECTIVE,
    END_TOO_FAR,
    EXTEND_SHORTENS,
    Window,
    next_day,
    one_year_after,
    resolve_extension,
    resolve_window,
)

NOW = datetime(2026, 11, 21, 15, 30, 12, 500_000, tzinfo=UTC)


def refused(code: str, message: str, **kwargs: object) -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_window(now=NOW, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert caught.value.messages == [message]


def test_it_defaults_to_next_day_for_thirty_days() -> None:
    window = resolve_window(effective_at=None, end_at=None, now=NOW)
    assert window.effective_at == datetime(2026, 11, 22, tzinfo=UTC)
    assert window.end_at == datetime(2026, 12, 22, tzinfo=UTC)


def test_end_defaults_to_thirty_days_after_a_given_start() -> None:
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    window = resolve_window(effective_at=start, end_at=None, now=NOW)
    assert window.end_at == start + timedelta(days=30)


def test_it_refuses_a_start_in_the_past() -> None:
    refused(
        "effective_date_invalid",
        EFFECTIVE_IN_PAST,
        effective_at=NOW - timedelta(seconds=1),
        end_at=None,
    )


def test_a_start_in_the_current_second_counts_as_now() -> None:
    window = resolve_window(
        effective_at=NOW.replace(microsecond=0), end_at=None, now=NOW
    )
    assert window.effective_at == NOW.replace(microsecond=0)


def test_it_refuses_an_end_before_the_start() -> None:
    start = datetime(2026, 12, 2, tzinfo=UTC)
    refused(
        "end_date_invalid",
        END_BEFORE_EFFECTIVE,
        effective_at=start,
        end_at=start - timedelta(hours=1),
    )


@pytest.mark.parametrize("end_hour", [9, 17, 23])
def test_an_end_on_the_start_day_moves_to_the_next_midnight(end_hour: int) -> None:
    start = datetime(2026, 12, 2, 9, tzinfo=UTC)
    window = resolve_window(
        effective_at=start, end_at=start.replace(hour=end_hour), now=NOW
    )
    assert window.end_at == datetime(2026, 12, 3, tzinfo=UTC)


def test_one_year_is_the_longest_window() -> None:
    start = datetime(2026, 12, 2, 9, tzinfo=UTC)
    ok = resolve_window(effective_at=start, end_at=one_year_after(start), now=NOW)
    assert ok.end_at == datetime(2027, 12, 2, 9, tzinfo=UTC)
    refused(
        "end_date_invalid",
        END_TOO_FAR,
        effective_at=start,
        end_at=one_year_after(start) + timedelta(seconds=1),
    )


def test_a_year_after_february_29th_is_february_28th() -> None:
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert one_year_after(leap) == datetime(2029, 2, 28, tzinfo=UTC)


def test_next_day_is_utc_midnight() -> None:
    late = datetime(2026, 11, 21, 23, 59, tzinfo=UTC)
    assert next_day(late) == datetime(2026, 11, 22, tzinfo=UTC)


def test_an_update_of_a_started_window_skips_the_future_rule() -> None:
    started = NOW - timedelta(days=3)
    window = resolve_window(
        effective_at=started, end_at=None, now=NOW, check_future=False
    )
    assert window.effective_at == started.replace(microsecond=0)


class TestExtension:
    window = Window(
        effective_at=datetime(2026, 11, 22, tzinfo=UTC),
        end_at=datetime(2026, 12, 22, tzinfo=UTC),
    )

    def test_it_moves_the_end_later(self) -> None:
        new_end = datetime(2027, 1, 15, tzinfo=UTC)
        assert resolve_extension(
            window=self.window, new_end_at=new_end, now=NOW
        ) == Window(effective_at=self.window.effective_at, end_at=new_end)

    def test_the_same_end_is_a_no_op(self) -> None:
        assert (
            resolve_extension(
                window=self.window, new_end_at=self.window.end_at, now=NOW
            )
            == self.window
        )

    @pytest.mark.parametrize(
        ("new_end", "now", "message"),
        [
            (datetime(2026, 12, 21, tzinfo=UTC), NOW, EXTEND_SHORTENS),
            (datetime(2027, 11, 22, 0, 0, 1, tzinfo=UTC), NOW, END_TOO_FAR),
            (
                datetime(2027, 1, 1, tzinfo=UTC),
                datetime(2026, 12, 23, tzinfo=UTC),
                COVERAGE_ENDED,
            ),
        ],
        ids=["shortens", "past-a-year", "coverage-ended"],
    )
    def test_it_refuses(self, new_end: datetime, now: datetime, message: str) -> None:
        with pytest.raises(ValidationError) as caught:
            resolve_extension(window=self.window, new_end_at=new_end, now=now)
        assert caught.value.code == "end_date_invalid"
        assert caught.value.messages == [message]


class TestJobWindow:
    """A job that ends on its start day is covered to midnight; its own end is kept."""

    start = datetime(2026, 11, 22, 14, tzinfo=UTC)

    def test_a_same_day_end_is_kept_beside_the_midnight_coverage_end(self) -> None:
        window = resolve_window(
            effective_at=self.start, end_at=self.start + timedelta(hours=2), now=NOW
        )
        assert window.end_at == datetime(2026, 11, 23, tzinfo=UTC)
        assert window.work_end_at == datetime(2026, 11, 22, 16, tzinfo=UTC)

    def test_a_longer_window_has_no_separate_work_end(self) -> None:
        window = resolve_window(
            effective_at=self.start, end_at=self.start + timedelta(days=2), now=NOW
        )
        assert window.work_end_at is None

    def test_extending_the_job_within_its_covered_day_keeps_the_coverage(self) -> None:
        window = resolve_window(
            effective_at=self.start, end_at=self.start + timedelta(hours=2), now=NOW
        )
        extended = resolve_extension(
            window=window, new_end_at=self.start + timedelta(hours=6), now=NOW
        )
        assert extended.end_at == window.end_at
        assert extended.work_end_at == datetime(2026, 11, 22, 20, tzinfo=UTC)

    def test_extending_past_midnight_moves_the_coverage(self) -> None:
        window = resolve_window(
            effective_at=self.start, end_at=self.start + timedelta(hours=2), now=NOW
        )
        later = datetime(2026, 11, 23, 9, tzinfo=UTC)
        extended = resolve_extension(window=window, new_end_at=later, now=NOW)
        assert (extended.end_at, extended.work_end_at) == (later, None)

    def test_the_job_cannot_end_earlier_than_it_did(self) -> None:
        window = resolve_window(
            effective_at=self.start, end_at=self.start + timedelta(hours=2), now=NOW
        )
        with pytest.raises(ValidationError) as caught:
            resolve_extension(
                window=window, new_end_at=self.start + timedelta(hours=1), now=NOW
            )
        assert caught.value.messages == [EXTEND_SHORTENS]

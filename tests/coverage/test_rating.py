"""coverage.rating.rate(): routing by jurisdiction, the product's refusals, dated rates, rounding."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coverage import rating
from coverage.models import CategoryCode, ClassCode, ClassMapping, Rate
from coverage.rating import LineRating, Rating, rate
from tests.coverage.rate_book_helpers import GL, WC, add_class, add_rate, janitorial

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 23)


def refusal(**kwargs: object) -> ValidationError:
    """The ValidationError rate() raises for these arguments."""
    arguments: dict[str, object] = {
        "lines": [WC, GL],
        "work_state": "NJ",
        "residence_state": "NJ",
        "on": DAY,
    }
    arguments.update(kwargs)
    if "category_code" not in arguments:
        arguments["category_code"] = janitorial()
    with pytest.raises(ValidationError) as caught:
        rate(**arguments)  # type: ignore[arg-type]
    return caught.value


# Routing -------------------------------------------------------------------------


def test_it_routes_seed_001s_tech_to_9410_in_new_jersey_and_9405_in_pennsylvania() -> (
    None
):
    category = janitorial()
    monday = rate(
        category_code=category,
        lines=[WC],
        work_state="NJ",
        residence_state="NJ",
        on=DAY,
    )
    tuesday = rate(
        category_code=category,
        lines=[WC],
        work_state="PA",
        residence_state="NJ",
        on=DAY + timedelta(days=1),
    )
    assert monday.lines == (
        LineRating(
            line=WC,
            state="NJ",
            class_code="9410",
            rate=Decimal("412.50"),
            net_rate=413,
            rate_effective_date=date(2026, 1, 1),
        ),
    )
    assert (tuesday.lines[0].state, tuesday.lines[0].class_code) == ("PA", "9405")
    assert tuesday.net_rate == 287


def test_it_rates_gl_in_the_residence_state_and_wc_in_the_work_state() -> None:
    rated = rate(
        category_code=janitorial(),
        lines=[GL, WC],
        work_state="NJ",
        residence_state="pa",  # normalised
        on=DAY,
    )
    assert [(r.line, r.state, r.class_code, r.net_rate) for r in rated.lines] == [
        (GL, "PA", "96816", 88),
        (WC, "NJ", "9410", 413),
    ]
    assert rated.net_rate == 88 + 413
    assert rated.net_rate_for(WC) == 413
    assert rated.net_rate_for(GL) == 88


def test_gl_alone_is_rated_in_the_residence_state_even_for_work_in_ohio() -> None:
    rated = rate(
        category_code=janitorial(),
        lines=[GL],
        work_state="OH",
        residence_state="NJ",
        on=DAY,
    )
    assert rated.as_wire() == {
        "gl": {"state": "NJ", "class_code": "96816", "rate": "95.25", "net_rate": 95}
    }


def test_a_state_no_line_is_rated_in_is_not_required() -> None:
    wc_only = rate(
        category_code=janitorial(),
        lines=[WC],
        work_state="NJ",
        residence_state="",
        on=DAY,
    )
    gl_only = rate(
        category_code=janitorial(),
        lines=[GL],
        work_state="",
        residence_state="NJ",
        on=DAY,
    )
    assert wc_only.net_rate == 413
    assert gl_only.net_rate == 95


def test_lines_come_back_once_each_in_the_apis_order() -> None:
    rated = rate(
        category_code=janitorial(),
        lines=(WC, GL, WC),
        work_state="NJ",
        residence_state="NJ",
        on=DAY,
    )
    assert [r.line for r in rated.lines] == [GL, WC]


def test_a_single_line_may_be_passed_as_a_bare_string() -> None:
    rated = rate(
        category_code=janitorial(),
        lines=GL,
        work_state="",
        residence_state="NJ",
        on=DAY,
    )
    assert [r.line for r in rated.lines] == [GL]


# Refusals, each with its exact message ---------------------------------------------


@pytest.mark.parametrize(
    ("state", "name"),
    [("ND", "North Dakota"), ("OH", "Ohio"), ("WA", "Washington"), ("WY", "Wyoming")],
)
def test_wc_is_refused_for_work_in_a_monopolistic_state(state: str, name: str) -> None:
    error = refusal(work_state=state.lower())
    assert error.code == "bad_request"
    assert error.messages == [
        f"Workers' compensation is not available for work in {name} ({state}): it is a "
        "monopolistic state, where workers' compensation is written only by the state "
        "fund. Quote general liability alone, or have the contractor buy the state-fund "
        "policy."
    ]
    assert error.messages == [
        rating.WC_MONOPOLISTIC_STATE.format(state_name=name, state=state)
    ]


def test_gl_is_refused_for_a_hawaii_resident() -> None:
    error = refusal(lines=[GL], residence_state="HI")
    assert (error.code, error.messages) == (
        "bad_request",
        ["General liability is not offered to Hawaii residents."],
    )


@pytest.mark.parametrize(
    ("line", "label"), [("media", "Media liability"), ("cyber", "Cyber liability")]
)
def test_media_and_cyber_need_general(line: str, label: str) -> None:
    error = refusal(lines=[line], residence_state="NJ")
    assert error.code == "bad_request"
    assert error.messages == [
        f"{label} requires general liability in the same request (except for Hawaii "
        "residents, to whom general liability is not offered)."
    ]


@pytest.mark.parametrize("line", ["media", "cyber"])
def test_media_and_cyber_stand_alone_for_hawaii_residents(line: str) -> None:
    category = janitorial()
    add_class(category, state="HI", line=line, code=f"{line}-1", rate="30.00")
    rated = rate(
        category_code=category,
        lines=[line],
        work_state="",
        residence_state="HI",
        on=DAY,
    )
    assert rated.as_wire() == {
        line: {
            "state": "HI",
            "class_code": f"{line}-1",
            "rate": "30.00",
            "net_rate": 30,
        }
    }


def test_media_with_general_is_rated_for_others() -> None:
    category = janitorial()
    add_class(category, state="NJ", line="media", code="M1", rate="12.345")
    rated = rate(
        category_code=category,
        lines=["media", GL],
        work_state="",
        residence_state="NJ",
        on=DAY,
    )
    assert rated.as_wire()["media"] == {
        "state": "NJ",
        "class_code": "M1",
        "rate": "12.345",
        "net_rate": 12,
    }


def test_no_lines_is_refused() -> None:
    error = refusal(lines=[])
    assert (error.code, error.messages) == (
        "invalid_input",
        ["Choose at least one coverage type."],
    )


def test_an_unknown_line_is_refused() -> None:
    error = refusal(lines=[GL, "wc"])
    assert (error.code, error.messages) == (
        "invalid_input",
        [
            'Unknown coverage type "wc". The coverage types are: general, workers-comp, '
            "professional, media, cyber."
        ],
    )


def test_a_missing_work_state_is_refused() -> None:
    error = refusal(work_state="  ")
    assert (error.code, error.messages) == (
        "invalid_input",
        [
            "The job has no work state. Workers' compensation is rated in the state where "
            "the work happens: give the job's address a region."
        ],
    )


def test_an_invalid_work_state_is_refused() -> None:
    error = refusal(work_state="Jersey")
    assert (error.code, error.messages) == (
        "invalid_input",
        [
            '"Jersey" is not a US state. The work state is the two-letter code of the '
            "state where the work happens."
        ],
    )


def test_a_missing_residence_state_is_refused() -> None:
    error = refusal(residence_state="")
    assert (error.code, error.messages) == (
        "invalid_input",
        [
            "The contractor has no residence state. General liability and the other lines "
            "are rated in the state the contractor lives in: give the contractor's address "
            "a region."
        ],
    )


def test_an_invalid_residence_state_is_refused() -> None:
    error = refusal(residence_state="PR")
    assert (error.code, error.messages) == (
        "invalid_input",
        [
            '"PR" is not a US state. The residence state is the two-letter code of the '
            "state the contractor lives in."
        ],
    )


def test_a_category_without_a_class_in_the_state_is_refused() -> None:
    error = refusal(lines=[WC], work_state="NY")
    assert (error.code, error.messages) == (
        "invalid_job_category_code",
        [
            "The rate book has no workers' compensation class for job category "
            '"Janitorial services" in New York (NY).'
        ],
    )


def test_a_category_without_a_class_for_the_line_is_refused() -> None:
    error = refusal(lines=[GL, "professional"])
    assert error.messages == [
        "The rate book has no professional liability class for job category "
        '"Janitorial services" in New Jersey (NJ).'
    ]


def test_a_class_without_a_rate_in_force_on_the_day_is_refused() -> None:
    error = refusal(lines=[WC], on=date(2025, 12, 31))
    assert (error.code, error.messages) == (
        "bad_request",
        [
            "The rate book has no workers' compensation rate in force on 2025-12-31 for "
            "class 9410 in New Jersey (NJ)."
        ],
    )


def test_every_refusal_message_is_distinct() -> None:
    messages = [
        value
        for name, value in vars(rating).items()
        if name.isupper() and isinstance(value, str) and " " in value
    ]
    assert len(messages) == 11
    assert len(set(messages)) == len(messages)


def test_a_datetime_is_not_a_day() -> None:
    with pytest.raises(TypeError):
        rate(
            category_code=janitorial(),
            lines=[WC],
            work_state="NJ",
            residence_state="NJ",
            on=datetime(2026, 11, 23, 12, 0),
        )


# Dated rates ---------------------------------------------------------------------


def test_a_rate_change_takes_effect_on_its_day_and_earlier_days_keep_the_old_rate() -> (
    None
):
    category = janitorial()
    nj_9410 = ClassCode.objects.get(jurisdiction="NJ", line=WC, code="9410")
    add_rate(nj_9410, rate="430.00", since=date(2027, 1, 1))
    add_rate(nj_9410, rate="399.99", since=date(2025, 7, 1))

    def net_rate_on(day: date) -> int:
        return rate(
            category_code=category,
            lines=[WC],
            work_state="NJ",
            residence_state="NJ",
            on=day,
        ).net_rate

    assert net_rate_on(date(2025, 12, 31)) == 400
    assert net_rate_on(date(2026, 12, 31)) == 413
    assert net_rate_on(date(2027, 1, 1)) == 430
    assert net_rate_on(date(2030, 6, 1)) == 430


# Rounding and premium ------------------------------------------------------------


@pytest.mark.parametrize(
    ("book_rate", "net_rate"),
    [("412.50", 413), ("412.4999", 412), ("0.5", 1), ("0.49", 0), ("45", 45)],
)
def test_net_rate_is_the_rate_rounded_half_up(book_rate: str, net_rate: int) -> None:
    assert rating.net_rate_of(Decimal(book_rate)) == net_rate


def make_rating(**net_rates: int) -> Rating:
    return Rating(
        lines=tuple(
            LineRating(
                line={"wc": WC, "gl": GL}[key],
                state="NJ",
                class_code="x",
                rate=Decimal(value),
                net_rate=value,
            )
            for key, value in net_rates.items()
        )
    )


def test_line_premium_is_pay_times_net_rate_over_10000_rounded_half_up() -> None:
    rated = make_rating(gl=20, wc=45)
    # $130.00 of pay: WC 13,000 × 45 / 10,000 = 58.5¢ → 59¢ (half-up, not to even);
    # GL 13,000 × 20 / 10,000 = 26¢ exactly.
    assert rated.line_premiums(13_000) == {GL: 26, WC: 59}
    assert rated.premium_cents(13_000) == 85
    # $123.45: WC 55.5525¢ → 56¢; GL 24.69¢ → 25¢.
    assert rated.line_premiums(12_345) == {GL: 25, WC: 56}
    assert rated.premium_cents(12_345) == 81
    assert rated.premium_cents(0) == 0


def test_premium_from_a_real_rating() -> None:
    rated = rate(
        category_code=janitorial(),
        lines=[WC, GL],
        work_state="NJ",
        residence_state="NJ",
        on=DAY,
    )
    # $250.00 of pay: WC 25,000 × 413 / 10,000 = 1,032.5¢ → 1,033¢; GL × 95 = 237.5¢ → 238¢.
    assert rated.line_premiums(25_000) == {GL: 238, WC: 1033}
    assert rated.premium_cents(25_000) == 1271


def test_negative_pay_has_no_premium() -> None:
    with pytest.raises(ValueError):
        make_rating(wc=45).premium_cents(-1)


def test_net_rate_for_an_absent_line_is_zero_and_for_a_non_line_an_error() -> None:
    rated = make_rating(gl=20)
    assert rated.net_rate_for(WC) == 0
    assert rated.net_rate_for("cyber") == 0
    with pytest.raises(ValueError):
        rated.net_rate_for("wc")


def test_the_wire_form_keys_lines_by_wire_name_and_states_rate_as_decimal_text() -> (
    None
):
    rated = rate(
        category_code=janitorial(),
        lines=[WC, GL],
        work_state="PA",
        residence_state="NJ",
        on=DAY,
    )
    assert rated.as_wire() == {
        "gl": {"state": "NJ", "class_code": "96816", "rate": "95.25", "net_rate": 95},
        "wc": {"state": "PA", "class_code": "9405", "rate": "287.00", "net_rate": 287},
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [("45", "45.00"), ("45.0000", "45.00"), ("412.5", "412.50"), ("12.3450", "12.345")],
)
def test_decimal_text(value: str, text: str) -> None:
    assert rating.decimal_text(Decimal(value)) == text


def test_a_mapping_must_point_at_a_class_of_its_own_state_and_line() -> None:
    category = janitorial()
    pa_class = ClassCode.objects.get(jurisdiction="PA", line=WC)
    mapping = ClassMapping(
        category_code=category, jurisdiction="NJ", line=WC, class_code=pa_class
    )
    with pytest.raises(ValidationError) as caught:
        mapping.full_clean()
    assert caught.value.message_dict == {
        "class_code": [
            "The class code must belong to the mapping's jurisdiction and line."
        ],
        "__all__": [
            "This category already has a class for that jurisdiction and line."
        ],
    }


# Queries -------------------------------------------------------------------------


def test_rate_runs_one_query_whatever_the_size_of_the_rate_book(
    django_assert_num_queries,
) -> None:
    category = janitorial()
    kwargs = {
        "category_code": category,
        "lines": [WC, GL],
        "work_state": "NJ",
        "residence_state": "PA",
        "on": DAY,
    }
    with django_assert_num_queries(1):
        small = rate(**kwargs)

    # Grow the book a hundredfold: more categories, classes and years of rates.
    for n in range(60):
        other = CategoryCode.objects.create(name=f"Trade {n}")
        for state in ("NJ", "PA", "NY", "CA"):
            code = add_class(other, state=state, line=WC, code=f"{n:04d}", rate="100")
            Rate.objects.bulk_create(
                Rate(
                    class_code=code,
                    effective_date=date(2000 + year, 1, 1),
                    rate=Decimal(year),
                )
                for year in range(20)
            )
    for year in range(20):
        for code in ClassCode.objects.filter(mappings__category_code=category):
            add_rate(code, rate=str(year), since=date(2000 + year, 1, 1))

    with django_assert_num_queries(1):
        large = rate(**kwargs)
    assert large == small


def test_rate_reads_the_rate_book_through_its_unique_indexes(
    requires_postgres: None,
) -> None:
    category = janitorial()
    with CaptureQueriesContext(connection) as queries:
        rate(
            category_code=category,
            lines=[WC, GL],
            work_state="NJ",
            residence_state="PA",
            on=DAY,
        )
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + queries.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "coverage_classmapping_unique" in plan
    assert "coverage_rate_unique_per_day" in plan

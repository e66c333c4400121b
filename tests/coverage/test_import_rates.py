"""`manage.py import_rates` and coverage.rating.book: validation, idempotence, the sample book."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coverage.demo import SAMPLE_RATE_BOOK
from coverage.models import CategoryCode, ClassCode, ClassMapping, Rate
from coverage.rating import book, rate
from coverage.rating.book import RateBookError, import_rate_book
from portal.demo import DEMO_PLATFORM
from portal.models import Platform

pytestmark = pytest.mark.django_db

HEADER = "category,jurisdiction,line,class_code,class_description,effective_date,rate,source\n"
GOOD = (
    HEADER
    + "Janitorial,NJ,workers-comp,9410,Janitorial by contractors,2026-01-01,412.50,test\n"
    + "Janitorial,PA,wc,9405,Janitorial by contractors,2026-01-01,287,test\n"
    + "Janitorial,NJ,gl,96816,Janitorial services,2026-01-01,95.25,test\n"
)
STATES = ("NJ", "PA", "NY", "CA", "TX", "FL", "IL")
TRADES = {
    "HVAC service and repair",
    "Electrical service and repair",
    "Plumbing service and repair",
    "Commercial cleaning (janitorial)",
    "Appliance installation and repair",
    "Delivery and courier",
}


def load(text: str, **kwargs: object) -> book.ImportResult:
    return import_rate_book(text=io.StringIO(text), **kwargs)  # type: ignore[arg-type]


def book_errors(text: str) -> list[str]:
    with pytest.raises(RateBookError) as caught:
        load(text)
    return caught.value.errors


def snapshot() -> dict[str, list[dict[str, object]]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (CategoryCode, ClassCode, ClassMapping, Rate)
    } | {
        "approvals": list(
            CategoryCode.approved_platforms.through.objects.order_by("pk").values()
        )
    }


def assert_nothing_loaded() -> None:
    assert not CategoryCode.objects.exists()
    assert not ClassCode.objects.exists()
    assert not ClassMapping.objects.exists()
    assert not Rate.objects.exists()


# Loading -------------------------------------------------------------------------


def test_it_loads_categories_classes_mappings_and_rates() -> None:
    result = load(GOOD)
    assert (result.rows, result.categories_created, result.class_codes_created) == (
        3,
        1,
        3,
    )
    assert (result.mappings_created, result.rates_created) == (3, 3)
    category = CategoryCode.objects.get(name="Janitorial")
    assert category.public_id.startswith("jc_")
    assert not category.approved_platforms.exists()
    pa = ClassMapping.objects.get(category_code=category, jurisdiction="PA")
    assert (pa.line, pa.class_code.code, pa.class_code.line) == (
        "workers-comp",
        "9405",
        "workers-comp",
    )
    nj_rate = Rate.objects.get(class_code__code="9410")
    assert (nj_rate.rate, nj_rate.effective_date, nj_rate.source) == (
        Decimal("412.5"),
        date(2026, 1, 1),
        "test",
    )


def test_what_it_loads_is_what_rate_routes_by() -> None:
    load(GOOD)
    rated = rate(
        category_code=CategoryCode.objects.get(name="Janitorial"),
        lines=["workers-comp", "general"],
        work_state="PA",
        residence_state="NJ",
        on=date(2026, 11, 23),
    )
    assert rated.as_wire() == {
        "gl": {"state": "NJ", "class_code": "96816", "rate": "95.25", "net_rate": 95},
        "wc": {"state": "PA", "class_code": "9405", "rate": "287.00", "net_rate": 287},
    }


def test_importing_the_same_file_again_changes_nothing() -> None:
    platform = Platform.objects.create(name="Acme")
    load(GOOD, approve_for=[platform])
    before = snapshot()
    result = load(GOOD, approve_for=[platform])
    assert not result.changed
    assert result.summary() == "3 rows, 1 categories: nothing to change."
    assert snapshot() == before


def test_approve_for_approves_every_category_in_the_file_once() -> None:
    acme = Platform.objects.create(name="Acme")
    rival = Platform.objects.create(name="Rival")
    existing = CategoryCode.objects.create(name="Janitorial")
    existing.approved_platforms.add(acme)
    result = load(
        GOOD + "Plumbing,NJ,wc,5183,,2026-01-01,400,test\n", approve_for=[acme, rival]
    )
    assert result.approvals_added == 3  # Plumbing for Acme; both for Rival
    assert set(acme.approved_category_codes.values_list("name", flat=True)) == {
        "Janitorial",
        "Plumbing",
    }
    assert rival.approved_category_codes.count() == 2


def test_a_dry_run_counts_and_writes_nothing() -> None:
    result = load(GOOD, dry_run=True)
    assert (result.rates_created, result.mappings_created) == (3, 3)
    assert_nothing_loaded()


def test_a_new_effective_date_adds_a_rate_and_keeps_the_old_one() -> None:
    load(GOOD)
    result = load(HEADER + "Janitorial,NJ,workers-comp,9410,,2027-01-01,430,test\n")
    assert (result.rates_created, result.class_codes_relabelled) == (1, 0)
    assert list(
        Rate.objects.filter(class_code__code="9410")
        .order_by("effective_date")
        .values_list("rate", flat=True)
    ) == [Decimal("412.5"), Decimal("430")]
    # An empty description keeps the one on file.
    assert ClassCode.objects.get(code="9410").description == "Janitorial by contractors"


def test_a_different_class_remaps_the_category_from_now_on() -> None:
    load(GOOD)
    result = load(HEADER + "Janitorial,NJ,wc,9014,Janitorial,2026-01-01,300,test\n")
    assert (result.mappings_changed, result.class_codes_created) == (1, 1)
    mapping = ClassMapping.objects.get(jurisdiction="NJ", line="workers-comp")
    assert mapping.class_code.code == "9014"
    # The old class and its rate stay: they priced earlier dispatches.
    assert Rate.objects.filter(class_code__code="9410").exists()


def test_labels_follow_the_file() -> None:
    load(GOOD)
    result = load(
        HEADER
        + "Janitorial,NJ,workers-comp,9410,Janitorial (NJ wording),2026-01-01,412.5000,filed\n"
    )
    assert (result.class_codes_relabelled, result.rates_relabelled) == (1, 1)
    assert ClassCode.objects.get(code="9410").description == "Janitorial (NJ wording)"
    assert Rate.objects.get(class_code__code="9410").source == "filed"


def test_optional_columns_may_be_left_out_and_columns_come_in_any_order() -> None:
    load(
        "rate,effective_date,class_code,line,jurisdiction,category\n45,2026-01-01,5190,wc,tx,Electrical\n"
    )
    stored = Rate.objects.get()
    assert (stored.rate, stored.source, stored.class_code.jurisdiction) == (
        Decimal("45"),
        "",
        "TX",
    )


def test_comments_and_blank_lines_are_skipped_but_counted() -> None:
    errors = book_errors(
        "# SAMPLE — not filed rates\n\n" + HEADER + '# a comment, with "quotes\n'
        "\n"
        "Janitorial,NJ,wc,9410,,2026-01-01,abc,\n"
    )
    assert errors == ["line 6, column rate: 'abc' is not a number"]


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    out = StringIO()
    call_command("import_rates", str(path), stdout=out)
    assert "3 rates created" in out.getvalue()


# Validation: line and column named, nothing loaded -------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Janitorial,NJ,wc,9410,,2026-01-01,abc,",
            "line 3, column rate: 'abc' is not a number",
        ),
        (
            "Janitorial,NJ,wc,9410,,2026-01-01,NaN,",
            "line 3, column rate: 'NaN' is not a number",
        ),
        (
            "Janitorial,NJ,wc,9410,,2026-01-01,-1.00,",
            "line 3, column rate: '-1.00' is negative",
        ),
        (
            "Janitorial,NJ,wc,9410,,2026-01-01,1.00001,",
            "line 3, column rate: '1.00001' has more than 4 decimals",
        ),
        (
            "Janitorial,NJ,wc,9410,,2026-01-01,1000000,",
            "line 3, column rate: '1000000' is more than 999999.9999",
        ),
        (
            "Janitorial,New Jersey,wc,9410,,2026-01-01,1,",
            "line 3, column jurisdiction: 'New Jersey' is not a US state (use its "
            "two-letter code, e.g. NJ)",
        ),
        (
            "Janitorial,WA,workers-comp,4904,,2026-01-01,1,",
            "line 3, column jurisdiction: workers' compensation is not rated in WA, a "
            "monopolistic state where only the state fund writes it",
        ),
        (
            "Janitorial,NJ,auto,9410,,2026-01-01,1,",
            "line 3, column line: 'auto' is not a coverage type (general, workers-comp, "
            "professional, media, cyber, or gl / wc)",
        ),
        (
            "Janitorial,NJ,wc,9410,,01/01/2026,1,",
            "line 3, column effective_date: '01/01/2026' is not a date (use YYYY-MM-DD)",
        ),
        (
            "Janitorial,NJ,wc,9410,,2026-02-30,1,",
            "line 3, column effective_date: '2026-02-30' is not a date (use YYYY-MM-DD)",
        ),
        (
            "Janitorial,NJ,wc,,,2026-01-01,1,",
            "line 3, column class_code: a value is required",
        ),
        ("Janitorial,NJ,wc,9410,,2026-01-01,1", "line 3: 7 values for 8 columns"),
        (
            "Janitorial,NJ,wc," + "9" * 21 + ",,2026-01-01,1,",
            "line 3, column class_code: longer than 20 characters",
        ),
    ],
)
def test_a_bad_row_names_its_line_and_column_and_nothing_loads(
    row: str, message: str
) -> None:
    # The bad row follows a good one: the good one does not load either.
    text = HEADER + "Janitorial,PA,wc,9405,,2026-01-01,287,\n" + row + "\n"
    assert book_errors(text) == [message]
    assert_nothing_loaded()


def test_every_bad_value_of_every_row_is_reported() -> None:
    errors = book_errors(
        HEADER
        + "Janitorial,ZZ,wc,9410,,2026-01-01,abc,\n"
        + "Janitorial,NJ,bogus,9410,,yesterday,1,\n"
    )
    assert errors == [
        "line 2, column jurisdiction: 'ZZ' is not a US state (use its two-letter code, "
        "e.g. NJ)",
        "line 2, column rate: 'abc' is not a number",
        "line 3, column line: 'bogus' is not a coverage type (general, workers-comp, "
        "professional, media, cyber, or gl / wc)",
        "line 3, column effective_date: 'yesterday' is not a date (use YYYY-MM-DD)",
    ]


def test_a_missing_column_is_named() -> None:
    errors = book_errors(
        "category,jurisdiction,line,class_code,effective_date\nJanitorial,NJ,wc,9410,2026-01-01\n"
    )
    assert errors == [
        "line 1, column rate: missing column (the columns are category,jurisdiction,"
        "line,class_code,effective_date,rate,class_description,source)"
    ]
    assert_nothing_loaded()


def test_an_unknown_or_repeated_column_is_named() -> None:
    errors = book_errors(
        "# header follows\ncategory,jurisdiction,line,class_code,effective_date,rate,rates,line\n"
    )
    assert errors == [
        "line 2, column rates: unknown column (the columns are category,jurisdiction,"
        "line,class_code,effective_date,rate,class_description,source)",
        "line 2, column line: the column is named twice",
    ]


def test_an_empty_file_and_a_file_without_rows_are_refused() -> None:
    assert book_errors("# only a comment\n") == [
        "line 1: the file is empty; its first line must name the columns: category,"
        "jurisdiction,line,class_code,effective_date,rate,class_description,source"
    ]
    assert book_errors(HEADER) == [
        "line 1: the file names its columns but has no rates"
    ]


def test_rows_that_contradict_each_other_are_refused() -> None:
    errors = book_errors(
        GOOD
        + "Janitorial,NJ,workers-comp,9014,,2027-01-01,1,test\n"
        + "Janitorial,PA,wc,9405,,2026-01-01,288,test\n"
        + "Janitorial,NJ,gl,96816,Cleaning,2027-01-01,96,test\n"
    )
    assert errors == [
        "line 5, column class_code: '9014' conflicts with line 2, which rates "
        "'Janitorial' in NJ workers' compensation in class '9410'",
        "line 6, column rate: '288' conflicts with line 3, which gives class '9405' "
        "(PA workers' compensation) the rate '287' from 2026-01-01",
        "line 7, column class_description: differs from line 4 for class '96816' "
        "(NJ general liability)",
    ]
    assert_nothing_loaded()


def test_a_rate_on_file_cannot_be_changed_in_place() -> None:
    load(GOOD)
    before = snapshot()
    errors = book_errors(
        HEADER
        + "Plumbing,NJ,wc,5183,,2026-01-01,400,test\n"
        + "Janitorial,NJ,wc,9410,,2026-01-01,415,test\n"
    )
    assert errors == [
        "line 3, column rate: '415' differs from the rate on file for class '9410' "
        "(NJ workers' compensation) from 2026-01-01, 412.5; a rate in force is history, "
        "so a change needs a row with a new effective_date"
    ]
    assert snapshot() == before


def test_a_file_that_is_not_utf8_or_not_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((GOOD + "Façades,NJ,wc,1,,2026-01-01,1,\n").encode("latin-1"))
    with pytest.raises(RateBookError) as caught:
        book.import_rate_book_file(path=path)
    assert caught.value.errors == [
        "the file is not UTF-8 text (invalid continuation byte)"
    ]
    assert book_errors(HEADER + "x" * 200_000 + "\n") == [
        "line 2: not CSV (field larger than field limit (131072))"
    ]
    assert_nothing_loaded()


def test_many_errors_are_capped_in_the_message() -> None:
    text = HEADER + "".join(f"Janitorial,NJ,wc,{n},,2026-01-01,x,\n" for n in range(40))
    with pytest.raises(RateBookError) as caught:
        load(text)
    assert len(caught.value.errors) == 40
    lines = str(caught.value).splitlines()
    assert lines[-1] == "… and 15 more"
    assert len(lines) == 26


# The command ---------------------------------------------------------------------


def test_the_command_fails_naming_the_line_and_loads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "Janitorial,NJ,wc,9410,,2026-01-01,abc,\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_rates", str(path), stdout=StringIO())
    assert str(caught.value) == (
        f"{path}: nothing imported.\nline 5, column rate: 'abc' is not a number"
    )
    assert_nothing_loaded()


def test_the_command_approves_for_a_named_platform(tmp_path: Path) -> None:
    platform = Platform.objects.create(name="Acme Field Services")
    path = tmp_path / "book.csv"
    path.write_text(GOOD)
    out = StringIO()
    call_command(
        "import_rates", str(path), "--approve-for", "Acme Field Services", stdout=out
    )
    assert out.getvalue().startswith(
        f"{path}: 3 rows, 1 categories: 1 categories created, 3 class codes created, "
        "3 mappings created, 3 rates created, 1 approvals added. ("
    )
    assert platform.approved_category_codes.get().name == "Janitorial"


def test_the_command_refuses_an_unknown_platform_or_file(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="^No platform is named 'Nobody'.$"):
        call_command("import_rates", str(path), "--approve-for", "Nobody")
    with pytest.raises(
        CommandError, match="^Cannot read /no/such.csv: No such file or directory$"
    ):
        call_command("import_rates", "/no/such.csv")
    assert_nothing_loaded()


def test_the_command_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(GOOD)
    out = StringIO()
    call_command("import_rates", str(path), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run, nothing written: ")
    assert_nothing_loaded()


# The sample rate book ------------------------------------------------------------


def test_the_sample_book_is_labelled_as_sample_rates() -> None:
    text = SAMPLE_RATE_BOOK.read_text(encoding="utf-8")
    assert text.startswith("# SAMPLE RATE BOOK")
    assert "NOT filed rates" in text.splitlines()[0]
    load(text)
    assert set(Rate.objects.values_list("source", flat=True)) == {
        "SAMPLE — not filed rates"
    }


def test_the_sample_book_covers_seven_states_six_trades_wc_and_gl() -> None:
    call_command("import_rates", str(SAMPLE_RATE_BOOK), stdout=StringIO())
    assert set(CategoryCode.objects.values_list("name", flat=True)) == TRADES
    today = date(2026, 11, 21)
    for category in CategoryCode.objects.all():
        for state in STATES:
            rated = rate(
                category_code=category,
                lines=["workers-comp", "general"],
                work_state=state,
                residence_state=state,
                on=today,
            )
            assert [(r.line, r.state) for r in rated.lines] == [
                ("general", state),
                ("workers-comp", state),
            ]
            assert all(0 < r.net_rate < 1000 for r in rated.lines)


def test_the_sample_book_routes_seed_001s_cleaner_to_9410_in_nj_and_9405_in_pa() -> (
    None
):
    load(SAMPLE_RATE_BOOK.read_text(encoding="utf-8"))
    cleaning = CategoryCode.objects.get(name="Commercial cleaning (janitorial)")

    def wc_class(state: str) -> str:
        return (
            rate(
                category_code=cleaning,
                lines=["workers-comp"],
                work_state=state,
                residence_state="NJ",
                on=date(2026, 11, 21),
            )
            .lines[0]
            .class_code
        )

    assert (wc_class("NJ"), wc_class("PA")) == ("9410", "9405")


def test_the_sample_book_uses_each_states_own_class_system() -> None:
    load(SAMPLE_RATE_BOOK.read_text(encoding="utf-8"))
    wc = ClassCode.objects.filter(line="workers-comp")
    pa = set(wc.filter(jurisdiction="PA").values_list("code", flat=True))
    # PCRB classes are three digits; 9405 is seed 001's number.
    assert {len(code) for code in pa - {"9405"}} == {3}
    assert "5183(3)" in set(wc.filter(jurisdiction="CA").values_list("code", flat=True))
    gl = ClassCode.objects.filter(line="general")
    assert all(len(code) == 5 for code in gl.values_list("code", flat=True))


def test_the_sample_book_changes_new_jersey_rates_on_new_years_day_2027() -> None:
    load(SAMPLE_RATE_BOOK.read_text(encoding="utf-8"))
    hvac = CategoryCode.objects.get(name="HVAC service and repair")

    def nj_wc(on: date) -> Decimal:
        return (
            rate(
                category_code=hvac,
                lines=["workers-comp"],
                work_state="NJ",
                residence_state="NJ",
                on=on,
            )
            .lines[0]
            .rate
        )

    assert nj_wc(date(2026, 12, 31)) == Decimal("418.50")
    assert nj_wc(date(2027, 1, 1)) == Decimal("433.15")


def test_importing_the_sample_book_takes_a_fixed_number_of_queries(
    django_assert_num_queries,
) -> None:
    platform = Platform.objects.create(name="Acme")
    text = SAMPLE_RATE_BOOK.read_text(encoding="utf-8")
    lock = 1 if connection.vendor == "postgresql" else 0  # SQLite needs no lock
    # Savepoint, lock; read categories, class codes, approvals (nothing mapped or rated
    # yet); insert categories and re-read them for their ids, the same for class codes;
    # insert mappings, rates; approve (lock the platform, read its approvals, insert
    # them, insert their category_code.added events, read the platform's webhook
    # endpoints to write their deliveries in the same transaction: the outbox); release.
    # The same 17 for 96 rows or 10,000.
    with django_assert_num_queries(16 + lock):
        load(text, approve_for=[platform])
    # Savepoint, lock; read categories, class codes, mappings, rates, approvals; release.
    with django_assert_num_queries(7 + lock):
        load(text, approve_for=[platform])


# Demo data -----------------------------------------------------------------------


def test_seed_demo_loads_the_sample_book_approved_for_the_demo_platform() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Sample rate book (SAMPLE — not filed rates): 96 rows" in out.getvalue()
    platform = Platform.objects.get(name=DEMO_PLATFORM)
    assert (
        set(platform.approved_category_codes.values_list("name", flat=True)) == TRADES
    )
    assert Rate.objects.count() == 96


def test_seed_demo_twice_leaves_the_rate_book_unchanged() -> None:
    call_command("seed_demo", stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "96 rows, 6 categories: nothing to change." in out.getvalue()


# Concurrency ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_load_the_book_once(requires_postgres: None) -> None:
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(
                import_rate_book(text=io.StringIO(SAMPLE_RATE_BOOK.read_text()))
            )
        except Exception as error:  # reported by the assertion below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, book.ImportResult) for r in results), results
    assert sorted(r.rates_created for r in results) == [0, 96]
    assert Rate.objects.count() == 96

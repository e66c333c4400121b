"""The portal's one pager: page numbers kept within the pages there are.

Lists count their rows with one query and slice the page with another, so the pager
needs only the count; a stale link (page 9 of 3) shows the last page instead of an
error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int
    count: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.count else 0

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.count)


def page_of(requested: int | str | None, *, count: int, size: int) -> Page:
    """The requested page (a number, or the raw query value), within the pages there are."""
    try:
        number = int(requested or 1)
    except (TypeError, ValueError):
        number = 1
    last = Page(1, count, size).pages
    return Page(min(max(number, 1), last), count, size)

"""Search-as-you-type pickers: a form field whose widget is a text box that asks a
search endpoint for at most ``SHOWN`` matches as the user types (HTMX), instead of a
``<select>`` of every row.

The chosen row's id travels in a hidden input named as the field, so a form posts the
same names and values it did with a select. The text box is ``<name>_search``:
without JavaScript (or when nothing was picked from the list) the field resolves what
was typed on the server, when it names exactly one row.

Each app serves its own search endpoints (scoped to the user's platform there); this
module knows no app. ``static/js/picker.js`` does the keyboard (ArrowUp/ArrowDown,
Enter, Escape) and the ARIA state of the combobox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.widgets import Script
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

# Rows a search answers with; more matches say "type more".
SHOWN = 20
SEARCH_SUFFIX = "_search"
NO_MATCH = "Nothing matches “{text}”: check the spelling, or type less of it."
MANY_MATCH = "More than one matches “{text}”: type more of it, or pick from the list."
PICK_FROM_LIST = "Choose one of the listed options."
NOTHING_MATCHES = "Nothing matches “{q}”."
NOTHING_YET = "Nothing to choose from yet."
TYPE_MORE = "More match: type more of the name."

Search = Callable[[QuerySet[Any], str], QuerySet[Any]]


def by_search_method(rows: QuerySet[Any], text: str) -> QuerySet[Any]:
    """The queryset's own ``search(text)`` (each app's querysets define theirs)."""
    return rows.search(text)  # type: ignore[attr-defined]  # duck-typed: any queryset with a search()


class Typed(str):
    """What was typed in a picker's text box when no row was picked: a search, not an id."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Matches:
    """What a search endpoint answers: at most ``SHOWN`` options, and whether more match."""

    options: list[Option]
    more: bool


def matches(rows: list[Option]) -> Matches:
    """``rows`` fetched one past ``SHOWN`` (``[:SHOWN + 1]``), to know if there are more."""
    return Matches(rows[:SHOWN], more=len(rows) > SHOWN)


def options_response(request: HttpRequest, found: Matches, *, q: str) -> HttpResponse:
    """A search endpoint's answer: the listbox's options (templates/portal/picker_options.html)."""
    return render(
        request,
        "portal/picker_options.html",
        {
            "options": found.options,
            "more": TYPE_MORE if found.more else "",
            "nothing": NOTHING_MATCHES.format(q=q) if q else NOTHING_YET,
        },
    )


def options_refusal(request: HttpRequest, message: str) -> HttpResponse:
    """Bad search input, said in the listbox where the user looks (422: htmx swaps it)."""
    return render(
        request,
        "portal/picker_options.html",
        {"options": [], "nothing": message},
        status=422,
    )


def _key(field: forms.ModelChoiceField) -> str:
    return field.to_field_name or "pk"


def _rows(field: forms.ModelChoiceField) -> QuerySet[Any]:
    """The field's queryset, which the form sets in its ``__init__``."""
    assert field.queryset is not None, "set the picker field's queryset in the form"
    return field.queryset


class Picker(forms.Widget):
    """One row, picked by searching: a combobox, its listbox and a hidden input."""

    template_name = "portal/picker.html"
    multiple = False

    class Media:
        js = [Script("js/picker.js", defer=True)]

    def __init__(
        self,
        url_name: str,
        *,
        placeholder: str = "Type to search…",
        params: Mapping[str, str] | None = None,
        include: str = "",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.placeholder = placeholder
        # Fixed query parameters of the search (e.g. the platform it looks in) and a
        # CSS selector of inputs sent along (e.g. the chosen customer, for its jobs).
        self.params = dict(params or {})
        self.include = include
        self.choices: Any = ()

    def search_url(self) -> str:
        url = reverse(self.url_name)
        return f"{url}?{urlencode(self.params)}" if self.params else url

    def chosen(self, values: list[str]) -> list[Option]:
        """The rows named by ``values`` (ids), in that order: one query, none if empty."""
        field: forms.ModelChoiceField | None = getattr(self.choices, "field", None)
        if not values or field is None:
            return []
        key = _key(field)
        try:
            rows = {
                str(getattr(row, key)): row
                for row in _rows(field).filter(**{f"{key}__in": values})
            }
        except (ValueError, TypeError, ValidationError):
            return []  # not ids of this field at all (a pk that is not a number)
        return [
            Option(value, field.label_from_instance(rows[value]))
            for value in values
            if value in rows
        ]

    def get_context(
        self, name: str, value: Any, attrs: dict[str, Any] | None
    ) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list | tuple) else [value]
        ids = [
            str(v)
            for v in values
            # A NUL names no row (and PostgreSQL would refuse the lookup).
            if v not in (None, "") and not isinstance(v, Typed) and "\x00" not in str(v)
        ]
        typed = next((v for v in values if isinstance(v, Typed)), "")
        chosen = self.chosen(ids)
        widget = context["widget"]
        widget_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update(
            {
                "id": widget_id,
                "listbox_id": f"{widget_id}-listbox",
                "search_name": name + SEARCH_SUFFIX,
                "search_url": self.search_url(),
                "include": self.include,
                "placeholder": self.placeholder,
                "multiple": self.multiple,
                "chosen": chosen,
                # The text box shows the picked row's label, or what was typed.
                "text": typed
                or ("" if self.multiple or not chosen else chosen[0].label),
            }
        )
        return context

    def value_from_datadict(
        self, data: Mapping[str, Any], files: Any, name: str
    ) -> str | Typed | None:
        picked = data.get(name)
        text = str(data.get(name + SEARCH_SUFFIX) or "").strip()
        if picked or not text:
            return picked
        return Typed(text)

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: Any, name: str
    ) -> bool:
        return name not in data and name + SEARCH_SUFFIX not in data

    def _render(
        self, template_name: str, context: dict[str, Any], renderer: Any = None
    ) -> SafeString:
        # The project's template engine (templates/portal/picker.html), not the form
        # renderer's, which sees only Django's own widget templates.
        return mark_safe(render_to_string(template_name, context))

    def __deepcopy__(self, memo: dict[int, Any]) -> Picker:
        copied = super().__deepcopy__(memo)
        copied.params = dict(self.params)
        return copied


class MultiPicker(Picker):
    """Several rows, each a chip with its hidden input; the text box adds one more."""

    multiple = True

    def value_from_datadict(  # type: ignore[override]
        self, data: Any, files: Any, name: str
    ) -> list[str | Typed]:
        getter = getattr(data, "getlist", None)
        picked = getter(name) if getter else data.get(name) or []
        values: list[str | Typed] = [str(v) for v in picked if v]
        text = str(data.get(name + SEARCH_SUFFIX) or "").strip()
        if text:
            values.append(Typed(text))
        return values


def _refuse_nul(value: Any) -> None:
    # PostgreSQL text cannot hold a NUL: a lookup with one is a DataError, not "none".
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(PICK_FROM_LIST, code="invalid_choice")


def resolve(queryset: QuerySet[Any], search: Search, text: Typed) -> Model:
    """The one row ``text`` names, or the error that says why it names none."""
    _refuse_nul(text)
    found = list(search(queryset, text)[:2])
    if not found:
        raise ValidationError(NO_MATCH.format(text=text), code="no_match")
    if len(found) > 1:
        raise ValidationError(MANY_MATCH.format(text=text), code="many_match")
    return found[0]


class PickerField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` shown as a ``Picker``; ``search`` resolves typed text."""

    def __init__(
        self,
        *,
        widget: Picker,
        label_of: Callable[[Any], str] = str,
        search: Search = by_search_method,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid_choice", PICK_FROM_LIST)
        kwargs.setdefault("queryset", None)
        super().__init__(widget=widget, empty_label=None, **kwargs)
        self.search = search
        self.label_of = label_of

    def label_from_instance(self, obj: Model) -> str:
        return self.label_of(obj)

    def to_python(self, value: Any) -> Model | None:
        _refuse_nul(value)
        if isinstance(value, Typed):
            return resolve(_rows(self), self.search, value)
        return super().to_python(value)


class MultiPickerField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` shown as chips; typed text adds the one it names."""

    def __init__(
        self,
        *,
        widget: MultiPicker,
        label_of: Callable[[Any], str] = str,
        search: Search = by_search_method,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid_choice", PICK_FROM_LIST)
        kwargs["error_messages"].setdefault("invalid_pk_value", PICK_FROM_LIST)
        kwargs.setdefault("queryset", None)
        super().__init__(widget=widget, **kwargs)
        self.search = search
        self.label_of = label_of

    def label_from_instance(self, obj: Model) -> str:
        return self.label_of(obj)

    def clean(self, value: Any) -> QuerySet[Any]:
        values: Iterable[Any] = value or []
        typed = [v for v in values if isinstance(v, Typed)]
        ids = [v for v in values if not isinstance(v, Typed)]
        for value in ids:
            _refuse_nul(value)
        found = super().clean(ids) if ids or not typed else _rows(self).none()
        if not typed:
            return found
        extra = resolve(_rows(self), self.search, typed[0])
        key = _key(self)
        return _rows(self).filter(**{f"{key}__in": [*ids, str(getattr(extra, key))]})

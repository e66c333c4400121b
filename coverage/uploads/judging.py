"""Judging a parsed outside certificate against a requirement: one finding per rule.

A finding passes, fails, needs a person (``review``: the document does not say), or only
warns. A failed finding either denies the certificate (it plainly does not meet the
requirement: a line missing, a limit too low, a policy expired, an endorsement box not
marked) or flags it. The status follows: any denial → denied; else anything for a person
→ flagged; else approved. Nothing that was not read is ever taken as met.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from coverage.uploads import parsing
from coverage.uploads.requirements import (
    GENERAL,
    LIMIT_LABELS,
    WORKERS_COMP,
    Requirement,
)

APPROVED, FLAGGED, DENIED = "approved", "flagged", "denied"
PASS, FAIL, REVIEW, WARN = "pass", "fail", "review", "warn"

LINE_KEYS = {GENERAL: parsing.GL_KEY, WORKERS_COMP: parsing.WC_KEY}
LINE_NAMES = {GENERAL: "general liability", WORKERS_COMP: "workers' compensation"}

UNREADABLE = {
    parsing.ENCRYPTED: (
        "The PDF is password-protected, so it cannot be read. Ask the tech for a "
        "copy without a password."
    ),
    parsing.BROKEN: (
        "The file is damaged or incomplete and cannot be read as a PDF. Ask the "
        "tech to upload the certificate again."
    ),
    parsing.TOO_LARGE: (
        "The PDF expands far beyond a certificate's size when read, so it was not "
        "processed. Ask the tech for the certificate as their broker sent it."
    ),
    "too_complex": (
        "The PDF could not be read in the time allowed, so it was not processed. "
        "Ask the tech for the certificate as their broker sent it."
    ),
}
NO_TEXT = (
    "The PDF has no readable text (it looks like a scan), so nothing was read "
    "automatically. Someone must check it by eye."
)
LINE_MISSING = "{owner} requires {line}, and this certificate shows no {line} policy."
LINE_PRESENT = "The certificate shows a {line} policy ({number})."
# A required line the tech already has from us: the outside certificate need not show it
# (our WC with their own GL, coverage.services.own_cover).
LINE_OURS = "{line} is on the tech's policy with us ({number})."
LIMIT_BELOW = "{label} {actual} is below the {required} {owner} requires."
LIMIT_MET = "{label} {actual} meets the {required} {owner} requires."
LIMIT_UNREAD = (
    "{label} could not be read from the certificate; {owner} requires at least "
    "{required}."
)
EXPIRED = "The {line} policy {number} expired on {date}."
NOT_YET_IN_FORCE = "The {line} policy {number} only takes effect on {date}."
IN_FORCE = "The {line} policy {number} is in force until {date}."
DATES_UNREAD = (
    "The {line} policy's effective and expiration dates could not be read from the "
    "certificate."
)
DISPATCH_OUTSIDE = (
    "The {line} policy {number} runs {effective} to {expires}, which does not cover "
    "dispatch {assignment} ({start} to {end})."
)
INSURED_MISMATCH = 'The named insured "{found}" does not match the tech, {expected}.'
INSURED_MATCHES = 'The named insured "{found}" is the tech.'
INSURED_UNREAD = "The named insured could not be read from the certificate."
AI_NOT_MARKED = (
    "{name} must be an additional insured, but the general liability policy's "
    "ADDL INSD box is not marked."
)
AI_NOT_NAMED = (
    "The ADDL INSD box is marked, but the description of operations does not name "
    "{name} as additional insured."
)
AI_NAMED = "{name} is named as additional insured."
WAIVER_MISSING = (
    "{owner} requires a waiver of subrogation, but the {line} policy's SUBR WVD "
    "box is not marked."
)
WAIVER_SHOWN = "The {line} policy shows a waiver of subrogation."
PRIMARY_MISSING = (
    "{owner} requires primary and non-contributory general liability, but the "
    "description of operations does not say so."
)
PRIMARY_SHOWN = "The description of operations says primary and non-contributory."
HOLDER_MISMATCH = 'The certificate holder is "{found}", not {expected}.'
HOLDER_UNREAD = "The certificate holder could not be read; it should be {expected}."
HOLDER_MATCHES = "The certificate holder is {expected}."


@dataclass(frozen=True)
class Finding:
    rule_name: str
    rule_path: str
    result: str
    message: str
    denies: bool = False


@dataclass(frozen=True)
class Dispatch:
    """A dispatch the certificate may be asked to cover (its window decides)."""

    public_id: str
    starts: datetime
    ends: datetime


def money(dollars: int) -> str:
    return f"${dollars:,}"


def human_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%m/%d/%Y")


def normalized(name: str | None) -> str:
    """Names compared as people read them: no accents, case, punctuation or extra spaces."""
    if not name:
        return ""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9&]+", " ", plain.casefold()).split())


def status_of(findings: Sequence[Finding]) -> str:
    if any(f.denies for f in findings):
        return DENIED
    if any(f.result in (FAIL, REVIEW) for f in findings):
        return FLAGGED
    return APPROVED


def unreadable(reason: str) -> list[Finding]:
    return [
        Finding(
            "readable",
            "file",
            FAIL,
            UNREADABLE.get(reason, UNREADABLE[parsing.BROKEN]),
            denies=True,
        )
    ]


def _insured(parsed: dict[str, Any], names: Sequence[str]) -> Finding:
    found = (parsed.get("insured") or {}).get("name")
    path = "insured.name"
    if not found:
        return Finding("named_insured", path, REVIEW, INSURED_UNREAD)
    mine = normalized(found)
    for name in names:
        theirs = normalized(name)
        if theirs and (mine == theirs or mine.startswith(f"{theirs} dba ")):
            return Finding(
                "named_insured", path, PASS, INSURED_MATCHES.format(found=found)
            )
    expected = " or ".join(n for n in names if n)
    return Finding(
        "named_insured",
        path,
        REVIEW,
        INSURED_MISMATCH.format(found=found, expected=expected),
    )


def _limits(
    line: str, row: dict[str, Any], requirement: Requirement, owner: str
) -> list[Finding]:
    found = []
    for limit, cents in requirement.minimums.get(line, {}).items():
        label = LIMIT_LABELS[line][limit]
        key = f"{limit}_dollars"
        path = f"coverages.{LINE_KEYS[line]}.limits.{key}"
        # Minimums are cents; a certificate prints whole dollars.
        required = money(-(-cents // 100))
        actual = (row.get("limits") or {}).get(key)
        if actual is None:
            message = LIMIT_UNREAD.format(label=label, required=required, owner=owner)
            found.append(Finding(f"minimum_{limit}", path, REVIEW, message))
        elif actual * 100 < cents:
            message = LIMIT_BELOW.format(
                label=label, actual=money(actual), required=required, owner=owner
            )
            found.append(Finding(f"minimum_{limit}", path, FAIL, message, denies=True))
        else:
            message = LIMIT_MET.format(
                label=label, actual=money(actual), required=required, owner=owner
            )
            found.append(Finding(f"minimum_{limit}", path, PASS, message))
    return found


def _dates(
    line: str, row: dict[str, Any], today: date, dispatches: Sequence[Dispatch]
) -> list[Finding]:
    path = f"coverages.{LINE_KEYS[line]}.expiration_date"
    name, number = LINE_NAMES[line], row.get("policy_number") or "(no number)"
    effective, expires = row.get("effective_date"), row.get("expiration_date")
    if not (effective and expires):
        return [Finding("policy_dates", path, REVIEW, DATES_UNREAD.format(line=name))]
    starts, ends = date.fromisoformat(effective), date.fromisoformat(expires)
    if ends <= today:
        message = EXPIRED.format(line=name, number=number, date=human_date(expires))
        return [Finding("policy_in_force", path, FAIL, message, denies=True)]
    found = []
    if starts > today:
        message = NOT_YET_IN_FORCE.format(
            line=name, number=number, date=human_date(effective)
        )
        found.append(Finding("policy_in_force", path, WARN, message))
    else:
        message = IN_FORCE.format(line=name, number=number, date=human_date(expires))
        found.append(Finding("policy_in_force", path, PASS, message))
    for dispatch in dispatches:
        # A policy period runs from 12:01 a.m. on its first day to its last day.
        if dispatch.starts.date() < starts or dispatch.ends.date() > ends:
            message = DISPATCH_OUTSIDE.format(
                line=name,
                number=number,
                effective=human_date(effective),
                expires=human_date(expires),
                assignment=dispatch.public_id,
                start=f"{dispatch.starts:%m/%d/%Y}",
                end=f"{dispatch.ends:%m/%d/%Y}",
            )
            found.append(Finding("dispatch_window", path, WARN, message))
    return found


def _additional_insureds(
    gl: dict[str, Any] | None, parsed: dict[str, Any], names: Sequence[str]
) -> list[Finding]:
    operations = parsed.get("description_of_operations") or {}
    listed = [normalized(n) for n in operations.get("additional_insured_names", ())]
    text = normalized(operations.get("text"))
    path = f"coverages.{parsing.GL_KEY}.additional_insured"
    found = []
    for name in names:
        if gl is None or gl.get("additional_insured") is not True:
            message = AI_NOT_MARKED.format(name=name)
            found.append(
                Finding("additional_insured", path, FAIL, message, denies=True)
            )
            continue
        wanted = normalized(name)
        named = any(wanted and wanted in n for n in listed) or (
            wanted in text and "additional insured" in text
        )
        if named:
            found.append(
                Finding("additional_insured", path, PASS, AI_NAMED.format(name=name))
            )
        else:
            message = AI_NOT_NAMED.format(name=name)
            found.append(
                Finding(
                    "additional_insured",
                    "description_of_operations.additional_insured_names",
                    REVIEW,
                    message,
                )
            )
    return found


def _holder(parsed: dict[str, Any], expected: str) -> Finding:
    found = (parsed.get("certificate_holder") or {}).get("name")
    path = "certificate_holder.name"
    if not found:
        return Finding(
            "certificate_holder", path, REVIEW, HOLDER_UNREAD.format(expected=expected)
        )
    if normalized(found) == normalized(expected):
        return Finding(
            "certificate_holder", path, PASS, HOLDER_MATCHES.format(expected=expected)
        )
    message = HOLDER_MISMATCH.format(found=found, expected=expected)
    return Finding("certificate_holder", path, REVIEW, message)


def judge(
    parsed: dict[str, Any],
    *,
    requirement: Requirement,
    owner: str,
    insured_names: Sequence[str],
    today: date,
    dispatches: Sequence[Dispatch] = (),
    ours: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding of ``parsed`` against ``requirement`` (``owner`` is whose it is).

    ``ours`` maps the lines the tech's active policy with us carries to its number: a
    required line it carries is met without the outside certificate showing it.
    """
    ours = ours or {}
    if parsed.get("source") == "none":
        return [Finding("readable", "file", REVIEW, NO_TEXT)]
    coverages = parsed.get("coverages") or {}
    findings = [_insured(parsed, insured_names)]
    needed = list(requirement.lines)
    needed += [line for line in requirement.minimums if line not in needed]
    if (
        requirement.additional_insureds or requirement.primary_non_contributory
    ) and GENERAL not in needed:
        needed.append(GENERAL)
    for line in needed:
        row = coverages.get(LINE_KEYS[line])
        name = LINE_NAMES[line]
        path = f"coverages.{LINE_KEYS[line]}"
        if row is None and line in ours:
            message = LINE_OURS.format(line=name.capitalize(), number=ours[line])
            findings.append(Finding("required_coverage", path, PASS, message))
            continue
        if row is None:
            message = LINE_MISSING.format(owner=owner, line=name)
            findings.append(
                Finding("required_coverage", path, FAIL, message, denies=True)
            )
            continue
        number = row.get("policy_number") or "(no number)"
        findings.append(
            Finding(
                "required_coverage",
                path,
                PASS,
                LINE_PRESENT.format(line=name, number=number),
            )
        )
        findings += _dates(line, row, today, dispatches)
        findings += _limits(line, row, requirement, owner)
        if requirement.waiver_of_subrogation:
            waived = row.get("subrogation_waived") is True
            message = (WAIVER_SHOWN if waived else WAIVER_MISSING).format(
                owner=owner, line=name
            )
            findings.append(
                Finding(
                    "waiver_of_subrogation",
                    f"{path}.subrogation_waived",
                    PASS if waived else FAIL,
                    message,
                    denies=not waived,
                )
            )
    if requirement.additional_insureds:
        findings += _additional_insureds(
            coverages.get(parsing.GL_KEY), parsed, requirement.additional_insureds
        )
    if (
        requirement.primary_non_contributory
        and coverages.get(parsing.GL_KEY) is not None
    ):
        findings.append(_primary(parsed, owner))
    if requirement.certificate_holder:
        findings.append(_holder(parsed, requirement.certificate_holder))
    return findings


def _primary(parsed: dict[str, Any], owner: str) -> Finding:
    # Wording in the remarks, not a box: a person reads it when it is missing.
    operations = parsed.get("description_of_operations") or {}
    path = "description_of_operations.primary_non_contributory_mentioned"
    if operations.get("primary_non_contributory_mentioned"):
        return Finding("primary_non_contributory", path, PASS, PRIMARY_SHOWN)
    message = PRIMARY_MISSING.format(owner=owner)
    return Finding("primary_non_contributory", path, REVIEW, message)


def covered_lines(parsed: dict[str, Any] | None) -> dict[str, tuple[str, str]]:
    """The lines a parsed certificate shows with readable dates: line → (effective, expires)."""
    found: dict[str, tuple[str, str]] = {}
    for line, key in LINE_KEYS.items():
        row = ((parsed or {}).get("coverages") or {}).get(key)
        if row and row.get("effective_date") and row.get("expiration_date"):
            found[line] = (row["effective_date"], row["expiration_date"])
    return found

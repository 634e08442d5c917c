"""Diagnostics are values: a stable code, a severity, a message, a place.

Stages never print. They return diagnostics, which the driver collects,
sorts by position and hands to one renderer (see `render.py`)::

    Diagnostic("E201", Severity.ERROR, "unknown key `consle_access_enabled` in user `alice`",
               at=Loc("resource/iam.yaml", ("users", "alice", "consle_access_enabled"), key=True),
               help=("did you mean `console_access_enabled`?",))
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .codes import CODES
from .tree import Loc, Locator, Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Label:
    at: Loc
    text: str = ""
    span: Span | None = None  # given directly only where no located tree exists (load errors)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    at: Loc | None = None
    label: str = ""
    related: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: tuple[str, ...] = ()
    span: Span | None = None  # see Label.span

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"diagnostic code {self.code} is not in the catalogue")

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class Diagnostics:
    """A stage's collector. `error`/`warning` take the catalogue's code."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(
        self,
        code: str,
        message: str,
        at: Loc | None = None,
        *,
        label: str = "",
        related: tuple[Label, ...] | list[Label] = (),
        notes: tuple[str, ...] | list[str] = (),
        help: tuple[str, ...] | list[str] | str = (),
        span: Span | None = None,
    ) -> Diagnostic:
        if isinstance(help, str):
            help = (help,)
        d = Diagnostic(
            code,
            CODES[code].severity_value(Severity),
            message,
            at,
            label,
            tuple(related),
            tuple(notes),
            tuple(h for h in help if h),
            span,
        )
        self.items.append(d)
        return d

    def add_at_span(
        self,
        code: str,
        message: str,
        file: str,
        span: Span,
        *,
        label: str = "",
        related_spans: list[tuple[str, Span]] = (),
        help: tuple[str, ...] | list[str] | str = (),
        notes: tuple[str, ...] | list[str] = (),
    ) -> Diagnostic:
        """For the loader, which reports before any located tree exists."""
        related = [Label(Loc(file), text, sp) for text, sp in related_spans]
        return self.add(code, message, Loc(file), label=label, related=related, help=help, notes=notes, span=span)

    def has_errors_in(self, file: str) -> bool:
        return any(d.is_error and d.at is not None and d.at.file == file for d in self.items)

    def extend(self, more: "list[Diagnostic] | Diagnostics") -> None:
        self.items.extend(more.items if isinstance(more, Diagnostics) else more)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Placed:
    """A diagnostic with its position looked up: what renderers consume."""

    diagnostic: Diagnostic
    file: str | None
    span: Span | None
    related: tuple[tuple[Label, Span | None], ...] = field(default=())

    def sort_key(self):
        span = self.span or Span(0, 0, 0, 0)
        return (self.file or "", span.line, span.col, self.diagnostic.code, self.diagnostic.message)


def place(diagnostics: list[Diagnostic], locator: Locator) -> list[Placed]:
    """Look up every position once, and sort by file, line, column."""
    placed = []
    for d in diagnostics:
        span = d.span or (locator.span(d.at) if d.at else None)
        related = tuple((lab, lab.span or locator.span(lab.at)) for lab in d.related)
        placed.append(Placed(d, d.at.file if d.at else None, span, related))
    placed.sort(key=Placed.sort_key)
    return placed

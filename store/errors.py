"""Errors services raise for a person to read (the bot turns them into messages or field errors)."""

from __future__ import annotations


class CrmError(Exception):
    """A problem with what the person asked; `message` is safe to show them (after escaping)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(CrmError):
    pass


class Invalid(CrmError):
    pass


class Duplicate(CrmError):
    """The same effect was already applied (retry, double click)."""

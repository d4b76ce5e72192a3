"""Errors services raise: a code, the field it concerns and the values a message needs.

The store says *what* is wrong; the bot says it to a person (`bot/wording.py` turns codes into text).
"""

from __future__ import annotations


class CrmError(Exception):
    """A problem with what the person asked. `code` names it, `field` is the form field it concerns (if
    any), `params` are the values a message about it may show (they are user text: escape before posting)."""

    def __init__(self, code: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.field = field
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code}({details})" if details else self.code


class NotFound(CrmError):
    pass


class Invalid(CrmError):
    pass


class Duplicate(CrmError):
    """The same effect was already applied (retry, double click)."""

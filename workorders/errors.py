"""Refusals the domain raises; the web shell maps each to its HTTP status."""
from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    """The actor's role or department may not do this."""

    status = 403


class Conflict(DomainError):
    """Not allowed in the order's current state, a window has closed, or the order changed."""

    status = 409


class Invalid(DomainError):
    """The inputs are missing or malformed."""

    status = 422

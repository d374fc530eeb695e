"""Every exception the package raises on purpose, so that callers (CLI, batch) catch them in one place.

The CLI maps them to exit codes: input errors 2, solver failures 3; anything else is a bug.
"""

from __future__ import annotations


class InputError(Exception):
    """Invalid input; ``problems`` holds one human-readable line per defect."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(f"- {p}" for p in problems))


class UnitError(ValueError):
    """A quantity whose unit is unknown or of the wrong dimension."""


class SolveError(RuntimeError):
    """The solver ended without a usable solution: ``status`` says how, ``diagnosis`` why (may be empty)."""

    def __init__(self, message: str, status: str = "error", diagnosis: str = ""):
        super().__init__(message)
        self.status = status
        self.diagnosis = diagnosis


class ImageError(RuntimeError):
    """The PNG images could not be made (kaleido or a Chromium browser missing)."""

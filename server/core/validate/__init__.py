"""Validation of an edited user mapping report, the same rules everywhere.

``validate(uploaded, context)`` takes the rows that ``readback`` read from a
file or from the add-in's values, and a ``ValidationContext`` that the server
builds from its database. See ``rules`` for the rules themselves.
"""

from .annotate import write_annotated
from .context import SchoologyAccount, SisPerson, StoredReport, ValidationContext
from .result import ERROR, OK, WARNING, Issue, RowResult, ValidationResult
from .rules import validate

__all__ = [
    "ERROR",
    "OK",
    "WARNING",
    "Issue",
    "RowResult",
    "SchoologyAccount",
    "SisPerson",
    "StoredReport",
    "ValidationContext",
    "ValidationResult",
    "validate",
    "write_annotated",
]

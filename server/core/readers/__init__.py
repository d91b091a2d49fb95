"""Read Schoology and SIS exports into ``Export`` objects.

``read_schoology`` reads a Schoology user export. ``read_sis`` reads
OneRoster 1.1 or 1.2 CSV, PowerSchool student and staff exports, or any CSV
through a column map. ``detect_format`` names the kind of an export from its
header names. Every ID stays text exactly as exported, so leading zeros and
17-digit IDs survive. Workbooks (``.xlsx``) are read from their first sheet.
"""

from .detect import detect_format
from .schoology import read_schoology
from .sis import SIS_FORMATS, read_sis

__all__ = ["SIS_FORMATS", "detect_format", "read_schoology", "read_sis"]

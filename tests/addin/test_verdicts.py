"""The texts that the add-in writes after Update Users."""

import pytest

from server.addin.verdicts import batch_time


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("2026-12-04T10:15:00.123456+00:00", "2026-12-04 10:15:00 UTC"),
        ("2026-12-04T11:15:00.999999+01:00", "2026-12-04 10:15:00 UTC"),
        ("2026-12-05T01:30:00-05:00", "2026-12-05 06:30:00 UTC"),
        ("2026-12-05T01:30:00+05:00", "2026-12-04 20:30:00 UTC"),
        ("2026-12-04T10:15:00", "2026-12-04 10:15:00 UTC"),
    ],
)
def test_batch_time_in_utc(created_at, expected):
    assert batch_time(created_at) == expected

"""Times relative to the moment the run starts, so that `ago()` windows see the rows."""

from __future__ import annotations

import datetime as dt
import re

_PART = re.compile(r"(\d+)([dhms])")
_RELATIVE = re.compile(r"^-(\d+[dhms])+$")
_UNIT = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class Clock:
    """One fixed `now` (UTC, naive, as KQL datetimes are) that every relative time is taken from."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)

    @staticmethod
    def is_relative(text: object) -> bool:
        return isinstance(text, str) and bool(_RELATIVE.match(text))

    def at(self, text: str) -> dt.datetime:
        """`-2h`, `-49h`, `-1d6h`, `-90m` -> that long before now."""
        if not self.is_relative(text):
            raise ValueError(
                f"`{text}` is not a relative time: write a minus sign and amounts with "
                "units d, h, m or s, e.g. `-2h` or `-1d6h`"
            )
        delta = dt.timedelta()
        for amount, unit in _PART.findall(text):
            delta += dt.timedelta(**{_UNIT[unit]: int(amount)})
        return self.now - delta

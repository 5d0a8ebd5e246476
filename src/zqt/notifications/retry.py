"""Retry policy for SMS/e-mail delivery: exponential backoff, bounded attempts. Pure, no ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_seconds: int = 60
    max_delay_seconds: int = 3600

    def delay_after(self, attempt: int) -> dt.timedelta:
        """Wait before the next try, after `attempt` (1-based) failed: base, 2×base, 4×base, …
        capped at max_delay_seconds."""
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        seconds = self.base_delay_seconds * (2 ** (attempt - 1))
        return dt.timedelta(seconds=min(seconds, self.max_delay_seconds))

    def gives_up_after(self, attempt: int) -> bool:
        """True when `attempt` (1-based) was the last one allowed."""
        return attempt >= self.max_attempts

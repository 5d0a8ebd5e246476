"""Which closed cases get a callback (seed 004 事项六-6): 100% of difficult and complaint cases,
a reproducible 20% of ordinary ones. Pure. The draw hashes a seed with the case reference, so
anyone holding the seed can re-run it and get the same sample (no hidden randomness)."""

from __future__ import annotations

import hashlib

ORDINARY_RATE_PERCENT = 20


def in_sample(*, reference: str, seed: str, rate_percent: int = ORDINARY_RATE_PERCENT) -> bool:
    digest = hashlib.sha256(f"{seed}:{reference}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < rate_percent


def callback_reason(*, reference: str, seed: str, difficult: bool, complaint: bool) -> str | None:
    """'complaint' / 'difficult' (always), 'sample' (if drawn), or None."""
    if complaint:
        return "complaint"
    if difficult:
        return "difficult"
    if in_sample(reference=reference, seed=seed):
        return "sample"
    return None

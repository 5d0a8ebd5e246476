from __future__ import annotations

from zqt.appeals.sampling import callback_reason, in_sample


def test_sample_is_reproducible_and_about_twenty_percent() -> None:
    refs = [f"SQ20260302{n:06d}" for n in range(5000)]
    first = [in_sample(reference=r, seed="2026") for r in refs]
    again = [in_sample(reference=r, seed="2026") for r in refs]
    assert first == again
    share = sum(first) / len(first)
    assert 0.18 < share < 0.22
    other_seed = [in_sample(reference=r, seed="other") for r in refs]
    assert other_seed != first


def test_difficult_and_complaint_cases_are_always_called_back() -> None:
    for n in range(200):
        ref = f"SQ{n}"
        assert (
            callback_reason(reference=ref, seed="s", difficult=False, complaint=True) == "complaint"
        )
        assert (
            callback_reason(reference=ref, seed="s", difficult=True, complaint=False) == "difficult"
        )

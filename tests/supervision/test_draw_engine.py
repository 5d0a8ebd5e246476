"""The draw engine (pure): reproducibility, weighting, conflict exclusion, commitment."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zqt.supervision import draw_engine as de

seeds = st.binary(min_size=32, max_size=32)
keys = st.text(alphabet="0123456789ABCDEFGH", min_size=4, max_size=10)


@st.composite
def populations(draw_: st.DrawFn) -> list[de.Subject]:
    ks = draw_(st.lists(keys, min_size=1, max_size=40, unique=True))
    regions = st.sampled_from(["330802", "330803", "330881", "330100"])
    return [de.Subject(key=k, weight=draw_(st.integers(1, 8)), region=draw_(regions)) for k in ks]


@st.composite
def pools(draw_: st.DrawFn) -> list[de.Assignee]:
    ks = draw_(
        st.lists(
            st.text(alphabet="abcdef", min_size=2, max_size=5), min_size=3, max_size=12, unique=True
        )
    )
    regions = st.sampled_from(["", "330802", "330803", "3308"])
    return [de.Assignee(key=k, region=draw_(regions)) for k in ks]


@given(seed=seeds, population=populations(), data=st.data())
@settings(max_examples=60, deadline=None)
def test_same_public_data_same_result_whatever_the_order(seed, population, data) -> None:  # type: ignore[no-untyped-def]
    k = data.draw(st.integers(1, len(population)))
    shuffled = data.draw(st.permutations(population))
    first = de.draw_subjects(seed=seed, subjects=population, k=k)
    again = de.draw_subjects(seed=seed, subjects=list(shuffled), k=k)
    assert first == again
    assert len(first) == len(set(first)) == k
    # Reproducible from the published lines alone.
    lines = de.population_lines(population)
    assert de.draw_subjects(seed=seed, subjects=de.parse_population(lines), k=k) == first


@given(seed=seeds, population=populations(), pool=pools(), data=st.data())
@settings(max_examples=60, deadline=None)
def test_assignees_never_conflict(seed, population, pool, data) -> None:  # type: ignore[no-untyped-def]
    k = data.draw(st.integers(1, len(population)))
    pairs = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from([s.key for s in population]), st.sampled_from([a.key for a in pool])
            ),
            max_size=30,
        )
    )
    try:
        result = de.draw(
            seed=seed,
            subjects=population,
            k=k,
            assignees=pool,
            m=2,
            conflicts=pairs,
            region_conflict=True,
        )
    except de.DrawError as exc:
        assert exc.field == "m"
        return
    regions = {s.key: s.region for s in population}
    by_key = {a.key: a for a in pool}
    for subject, assigned in result.assignments.items():
        assert len(assigned) == 2 == len(set(assigned))
        for a in assigned:
            assert (subject, a) not in set(pairs)
            own = by_key[a].region
            assert not (own and regions[subject].startswith(own))
    again = de.draw(
        seed=seed,
        subjects=list(reversed(population)),
        k=k,
        assignees=pool[::-1],
        m=2,
        conflicts=list(reversed(pairs)),
        region_conflict=True,
    )
    assert again.lines() == result.lines()


def test_worse_grade_is_drawn_more_often() -> None:
    population = [de.Subject(key=f"L{i:03d}", weight=1) for i in range(50)] + [
        de.Subject(key=f"H{i:03d}", weight=8) for i in range(50)
    ]
    counts: Counter[str] = Counter()
    for n in range(300):
        seed = hashlib.sha256(str(n).encode()).digest()
        for key in de.draw_subjects(seed=seed, subjects=population, k=10):
            counts[key[0]] += 1
    # Weight 8 vs 1: heavy subjects take the large majority of the places.
    assert counts["H"] > 4 * counts["L"]


def test_commitment_round_trip() -> None:
    seed = de.new_seed()
    commitment = de.commitment_for(seed)
    assert de.verify_commitment(seed_hex=seed.hex(), commitment=commitment)
    assert not de.verify_commitment(seed_hex=de.new_seed().hex(), commitment=commitment)
    assert not de.verify_commitment(seed_hex="zz", commitment=commitment)
    assert commitment == hashlib.sha256(seed).hexdigest()


def test_ticket_is_the_documented_construction() -> None:
    seed = bytes(range(32))
    digest = hashlib.blake2b(b"KEY1", key=seed, person=b"zqt-subject").digest()
    words = [int.from_bytes(digest[8 * i : 8 * i + 8], "big") for i in range(3)]
    assert de.subject_ticket(seed, "KEY1", 3) == min(words)


@pytest.mark.parametrize(
    ("k", "population", "field"),
    [
        (5, [de.Subject("A"), de.Subject("B")], "k"),
        (1, [], "population"),
        (0, [de.Subject("A")], "k"),
        (1, [de.Subject("A", weight=9)], "weight"),
        (1, [de.Subject("A"), de.Subject("A")], "population"),
    ],
)
def test_bad_draw_parameters(k: int, population: list[de.Subject], field: str) -> None:
    with pytest.raises(de.DrawError) as info:
        de.draw_subjects(seed=bytes(32), subjects=population, k=k)
    assert info.value.field == field


def test_empty_pool_and_too_many_conflicts() -> None:
    subjects = [de.Subject("A", region="330802"), de.Subject("B", region="330803")]
    with pytest.raises(de.DrawError) as info:
        de.draw(seed=bytes(32), subjects=subjects, k=1, assignees=[], m=1)
    assert info.value.field == "pool"
    pool = [de.Assignee("x", "330802"), de.Assignee("y", "330803")]
    with pytest.raises(de.DrawError):
        de.draw(seed=bytes(32), subjects=subjects, k=2, assignees=pool, m=2, region_conflict=True)
    result = de.draw(
        seed=bytes(32), subjects=subjects, k=2, assignees=pool, m=1, region_conflict=True
    )
    assert result.assignments == {"A": ["y"], "B": ["x"]}


@given(seed=seeds, population=populations())
@settings(max_examples=40, deadline=None)
def test_vectorised_tickets_equal_the_reference_construction(seed, population) -> None:  # type: ignore[no-untyped-def]
    import heapq

    expected = [
        key
        for _, key in heapq.nsmallest(
            len(population), ((de.subject_ticket(seed, s.key, s.weight), s.key) for s in population)
        )
    ]
    assert de.draw_subjects(seed=seed, subjects=population, k=len(population)) == expected

"""The 双随机 draw engine: pure, deterministic, reproducible by anyone from the published record.

Construction (version ``zqt-draw-v1``), documented so that an outside party can re-implement it:

1. **Commitment.** Before the draw a 32-byte seed is generated and only
   ``commitment = SHA-256(seed)`` (hex) is published, together with the population, the pool
   and the conflicts (each as canonical lines with their SHA-256 digest, see `digest_lines`).
   After the draw the seed is revealed; anyone checks ``SHA-256(seed) == commitment``.
2. **Subjects (targets / experts), weighted sampling without replacement.** For a subject with
   key ``s`` (a USCC or an expert id) and integer weight ``w`` (1..8), compute
   ``d = BLAKE2b-512(data=s, key=seed, person=b"zqt-subject")`` and read ``d`` as eight 64-bit
   big-endian integers; the subject's ticket is the minimum of the first ``w`` of them. The K
   subjects with the smallest (ticket, key) are drawn, in that order. The minimum of w independent
   uniforms is the "exponential race" of Efraimidis–Spirakis, i.e. successive sampling with
   probability proportional to weight, done in integers only (no floating point, so every
   platform gets the same result).
3. **Assignees (inspectors / venues).** For each drawn subject, in draw order, the assignees are
   ranked by ``BLAKE2b-64(data=s + "\\x1f" + a, key=seed, person=b"zqt-assign")`` (then by key)
   and the first M that are not in conflict with the subject (published pairs) and have not
   reached ``max_per_assignee`` are taken.

Nothing here reads the database or the clock.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ENGINE_VERSION = "zqt-draw-v1"
SEED_BYTES = 32
MAX_WEIGHT = 8
_SUBJECT_PERSON = b"zqt-subject"
_ASSIGN_PERSON = b"zqt-assign"


class DrawError(ValueError):
    """The draw cannot be made as asked (field names the offending parameter)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Subject:
    key: str
    weight: int = 1
    region: str = ""


@dataclass
class Population:
    """Subjects as parallel lists (a million Subject objects cost seconds to build)."""

    keys: list[str]
    weights: list[int]
    regions: list[str]

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def of(cls, subjects: Sequence[Subject] | Population) -> Population:
        if isinstance(subjects, Population):
            return subjects
        return cls(
            [s.key for s in subjects], [s.weight for s in subjects], [s.region for s in subjects]
        )

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Population:
        keys, weights, regions = [], [], []
        for line in lines:
            key, weight, region = line.split(",")
            keys.append(key)
            weights.append(int(weight))
            regions.append(region)
        return cls(keys, weights, regions)


@dataclass(frozen=True)
class Assignee:
    key: str
    region: str = ""


@dataclass
class DrawResult:
    subjects: list[str]
    assignments: dict[str, list[str]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """Canonical text of the result: one line per subject, 'subject:a1|a2'."""
        return [f"{s}:{'|'.join(self.assignments.get(s, []))}" for s in self.subjects]

    def digest(self) -> str:
        return digest_lines(self.lines())


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def commitment_for(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def verify_commitment(*, seed_hex: str, commitment: str) -> bool:
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError:
        return False
    return len(seed) == SEED_BYTES and secrets.compare_digest(commitment_for(seed), commitment)


def lines_text(lines: Sequence[str]) -> str:
    """The canonical text of published lines: each line terminated by '\\n'."""
    return "\n".join(lines) + "\n" if lines else ""


def digest_lines(lines: Sequence[str]) -> str:
    """SHA-256 (hex) of `lines_text(lines)` in UTF-8."""
    return hashlib.sha256(lines_text(lines).encode()).hexdigest()


def population_lines(subjects: Iterable[Subject]) -> list[str]:
    return [f"{s.key},{s.weight},{s.region}" for s in sorted(subjects, key=lambda s: s.key)]


def parse_population(lines: Iterable[str]) -> list[Subject]:
    out = []
    for line in lines:
        key, weight, region = line.split(",")
        out.append(Subject(key=key, weight=int(weight), region=region))
    return out


def parse_pool(lines: Iterable[str]) -> list[Assignee]:
    out = []
    for line in lines:
        key, region = line.split(",")
        out.append(Assignee(key=key, region=region))
    return out


def parse_conflicts(lines: Iterable[str]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in (line.split(",") for line in lines)]


def pool_lines(assignees: Iterable[Assignee]) -> list[str]:
    return [f"{a.key},{a.region}" for a in sorted(assignees, key=lambda a: a.key)]


def conflict_lines(conflicts: Iterable[tuple[str, str]]) -> list[str]:
    return [f"{s},{a}" for s, a in sorted(set(conflicts))]


def subject_ticket(seed: bytes, key: str, weight: int) -> int:
    digest = hashlib.blake2b(key.encode(), key=seed, person=_SUBJECT_PERSON).digest()
    return min(int.from_bytes(digest[8 * i : 8 * i + 8], "big") for i in range(weight))


def assign_rank(seed: bytes, subject: str, assignee: str) -> int:
    data = f"{subject}\x1f{assignee}".encode()
    return int.from_bytes(
        hashlib.blake2b(data, key=seed, digest_size=8, person=_ASSIGN_PERSON).digest(), "big"
    )


def check_subjects(subjects: Sequence[Subject] | Population, k: int) -> None:
    population = Population.of(subjects)
    if k < 1:
        raise DrawError("抽取数量须至少为 1。", field="k")
    if len(population) == 0:
        raise DrawError("抽查对象名录为空，无法抽取。", field="population")
    if k > len(population):
        raise DrawError(
            f"抽取数量（{k}）大于抽查对象名录中的数量（{len(population)}）。", field="k"
        )
    if population.weights and not (
        1 <= min(population.weights) and max(population.weights) <= MAX_WEIGHT
    ):
        raise DrawError(f"对象权重须在 1 到 {MAX_WEIGHT} 之间。", field="weight")


def tickets(seed: bytes, keys: Sequence[str], weights: Sequence[int]) -> np.ndarray[Any, Any]:
    """Every subject's ticket (module docstring, step 2), vectorised: the digests are computed
    in a tight loop, the minimum over the first `weight` words with numpy."""
    # A keyed BLAKE2b state is set up once and copied per subject: keying it anew for every
    # subject costs five times as much (same digests either way).
    keyed = hashlib.blake2b(key=seed, person=_SUBJECT_PERSON)

    def digest(key: str) -> bytes:
        h = keyed.copy()
        h.update(key.encode())
        return h.digest()

    words = np.frombuffer(b"".join(map(digest, keys)), dtype=">u8").reshape(-1, 8)
    w = np.asarray(weights, dtype=np.int64)
    unused = np.arange(8)[None, :] >= w[:, None]
    return np.where(unused, np.uint64(2**64 - 1), words.astype(np.uint64)).min(axis=1)


def draw_subjects(*, seed: bytes, subjects: Sequence[Subject] | Population, k: int) -> list[str]:
    """K subjects, weighted, without replacement, in draw order (see module docstring)."""
    population = Population.of(subjects)
    check_subjects(population, k)
    if len(seed) != SEED_BYTES:
        raise DrawError("随机种子长度不正确。", field="seed")
    if len(set(population.keys)) != len(population.keys):
        raise DrawError("抽查对象名录中有重复的对象。", field="population")
    values = tickets(seed, population.keys, population.weights)
    if k < len(values):
        kth = values[np.argpartition(values, k - 1)[k - 1]]
        candidates = np.nonzero(values <= kth)[0]  # ties at the boundary included
    else:
        candidates = np.arange(len(values))
    keys = population.keys
    ranked = sorted((int(values[i]), keys[i]) for i in candidates)
    return [key for _, key in ranked[:k]]


def draw(
    *,
    seed: bytes,
    subjects: Sequence[Subject] | Population,
    k: int,
    assignees: Sequence[Assignee] = (),
    m: int = 0,
    conflicts: Iterable[tuple[str, str]] = (),
    region_conflict: bool = False,
    max_per_assignee: int | None = None,
) -> DrawResult:
    """The whole draw: K subjects, then M non-conflicting assignees for each of them.

    Conflicts: the explicit (subject, assignee) pairs, and with `region_conflict` every
    assignee whose own region (non-empty) is a prefix of the subject's region."""
    population = Population.of(subjects)
    chosen = draw_subjects(seed=seed, subjects=population, k=k)
    result = DrawResult(subjects=chosen)
    if m <= 0:
        return result
    if not assignees:
        raise DrawError("执法人员（或场地）库为空，无法抽取。", field="pool")
    if len({a.key for a in assignees}) != len(assignees):
        raise DrawError("执法人员库中有重复的人员。", field="pool")
    blocked = set(conflicts)
    regions: dict[str, str] = {}
    if region_conflict:
        chosen_set = set(chosen)
        regions = {
            key: region
            for key, region in zip(population.keys, population.regions, strict=True)
            if key in chosen_set
        }
    load: dict[str, int] = {}
    for subject in chosen:
        ranked = sorted(assignees, key=lambda a: (assign_rank(seed, subject, a.key), a.key))
        picked: list[str] = []
        for a in ranked:
            if is_conflict(
                subject=subject,
                subject_region=regions.get(subject, ""),
                assignee=a,
                pairs=blocked,
                region_conflict=region_conflict,
            ):
                continue
            if max_per_assignee is not None and load.get(a.key, 0) >= max_per_assignee:
                continue
            picked.append(a.key)
            if len(picked) == m:
                break
        if len(picked) < m:
            raise DrawError(
                f"对象“{subject}”可分派的无利害关系人员不足 {m} 名（回避后仅 {len(picked)} 名）。",
                field="m",
            )
        for key in picked:
            load[key] = load.get(key, 0) + 1
        result.assignments[subject] = picked
    return result


def is_conflict(
    *,
    subject: str,
    subject_region: str,
    assignee: Assignee,
    pairs: set[tuple[str, str]] | frozenset[tuple[str, str]],
    region_conflict: bool,
) -> bool:
    """Whether `assignee` must not be sent to `subject` (回避): a published pair (e.g. a recent
    inspection of the same target), or the subject lies in the assignee's own region."""
    if (subject, assignee.key) in pairs:
        return True
    return bool(region_conflict and assignee.region and subject_region.startswith(assignee.region))

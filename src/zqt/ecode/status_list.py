"""The status list: 2 bits per code holder, compressed. Pure (no ORM).

Entry i (the code's status index) sits in byte i // 4 at bit offset 2 * (i % 4). The list is
padded to at least MIN_ENTRIES (and to a multiple of 4) so its size says nothing about how
many holders there are, and no single holder stands out; padding entries read VALID, which
grants nothing because no valid signature names those indexes.
"""

from __future__ import annotations

import enum
import zlib
from collections.abc import Iterable

MIN_ENTRIES = 131_072
BITS = 2


class CodeStatus(enum.IntEnum):
    VALID = 0
    SUSPENDED = 1  # 歇业: authentic, shown with a warning
    REVOKED = 2  # 吊销/注销, or the code itself was revoked
    UNKNOWN = 3

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    CodeStatus.VALID: "有效",
    CodeStatus.SUSPENDED: "歇业",
    CodeStatus.REVOKED: "已失效（吊销/注销）",
    CodeStatus.UNKNOWN: "未知",
}


def padded_size(count: int) -> int:
    size = max(MIN_ENTRIES, count)
    return size + (-size % 4)


def build(entries: Iterable[tuple[int, int]], *, size: int) -> bytes:
    """The raw bitstring for (index, status) pairs; indexes >= size are an error."""
    data = bytearray(size // 4)
    for index, status in entries:
        if not 0 <= status <= 3:
            raise ValueError(f"status {status} does not fit in 2 bits")
        byte, slot = divmod(index, 4)
        data[byte] = (data[byte] & ~(3 << (2 * slot))) | (status << (2 * slot))
    return bytes(data)


def compress(bits: bytes) -> bytes:
    return zlib.compress(bits, 9)


def decompress(blob: bytes, *, size: int) -> bytes:
    # Bounded: a hostile list cannot expand beyond what its declared size needs.
    decompressor = zlib.decompressobj()
    bits = decompressor.decompress(blob, size // 4 + 1)
    if len(bits) != size // 4 or decompressor.unconsumed_tail:
        raise ValueError("status list length does not match its size")
    return bits


_BY_VALUE = tuple(CodeStatus)  # a tuple index is cheaper than the enum's lookup per scan


def status_at(bits: bytes, index: int) -> CodeStatus:
    if index < 0:
        raise IndexError(index)
    return _BY_VALUE[(bits[index >> 2] >> ((index & 3) << 1)) & 3]  # IndexError past the end

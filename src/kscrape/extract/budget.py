"""How many decompressed bytes one input may produce: the zip-bomb guard.

HWPX members and HWP 5 streams are inflated in chunks that are charged to the budget as
they come out, because the sizes a file declares can lie.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_INFLATE_RATIO = 20
MAX_INFLATE_BYTES = 200 * 1024 * 1024


class TooBig(Exception):
    """Decompressed content exceeded its budget: treat the input as damaged."""


@dataclass
class Budget:
    """How many decompressed bytes one input may still produce (zip-bomb guard)."""

    remaining: int

    def take(self, n: int) -> None:
        self.remaining -= n
        if self.remaining < 0:
            raise TooBig


def budget_for(data: bytes) -> Budget:
    return Budget(min(MAX_INFLATE_BYTES, MAX_INFLATE_RATIO * max(len(data), 1)))

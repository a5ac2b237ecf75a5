"""Which stored releases a command works on: days and ministries, as SQL conditions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Selection:
    """Days `since`..`until` (inclusive, YYYY-MM-DD; None: open) and ministry names (None: all).

    `names` holds every name the chosen ministries published under (see
    `cli.common.ministry_names`); an empty set selects nothing.
    """

    since: str | None = None
    until: str | None = None
    names: frozenset[str] | None = None

    def where(self, table: str = "releases", *,
              ministries: bool = True) -> tuple[list[str], list[Any]]:
        """SQL conditions on `table`'s date and ministry columns, and their parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        for clause, value in ((f"{table}.date >= ?", self.since),
                              (f"{table}.date <= ?", self.until)):
            if value:
                clauses.append(clause)
                params.append(value)
        if ministries and self.names is not None:
            clauses.append(f"{table}.ministry in ({','.join('?' * len(self.names))})")
            params.extend(sorted(self.names))
        return clauses, params

    def as_json(self) -> dict[str, Any]:
        names = sorted(self.names) if self.names is not None else None
        return {"since": self.since, "until": self.until, "ministries": names}

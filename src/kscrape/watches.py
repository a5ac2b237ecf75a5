"""Watches: saved searches that a feed is made of (`kscrape watch add`, `kscrape feed`).

A release belongs to a watch when it is from one of its ministries (any, if none is given),
contains one of its keywords (a keyword of several words needs all of them; any release, if
no keyword is given) and contains none of its excluded words. Words match as `kscrape search`
terms do: any length, inside words too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kscrape.errors import ConfigError
from kscrape.ministries import resolve
from kscrape.paths import safe_component
from kscrape.store.search import Selection, terms

_NAME = re.compile(r"[^\W][\w-]{0,63}")
_CODE = re.compile(r"[A-Z]\d{5}")


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    ministries: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    def selection(self) -> Selection:
        """The releases this watch wants, in the terms of the search index."""
        names = frozenset().union(*(resolve(m).names for m in self.ministries))
        return Selection(any_of=self.keywords, none_of=self.excludes, ministries=names)

    def describe(self) -> str:
        parts = [f"ministry {', '.join(self.ministries)}" if self.ministries else "",
                 f"keyword {' | '.join(self.keywords)}" if self.keywords else "",
                 f"exclude {', '.join(self.excludes)}" if self.excludes else ""]
        return "; ".join(p for p in parts if p)


def make_watch(name: str, ministries: tuple[str, ...], keywords: tuple[str, ...],
               excludes: tuple[str, ...]) -> Watch:
    """A checked Watch: a name usable as a file name, known ministries, non-blank words."""
    clean = name.strip()
    if (not _NAME.fullmatch(clean) or safe_component(clean) != clean or clean.lower() == "all"
            or _CODE.fullmatch(clean.upper())):
        raise ConfigError(f"bad watch name {name!r}: use letters, digits, '-' or '_' (it "
                          "names the feed file; 'all' and ministry codes are taken)")
    for ministry in ministries:
        resolve(ministry)
    words = tuple(k.strip() for k in keywords if k.strip())
    blocked = tuple(e.strip() for e in excludes if e.strip())
    for word in (*words, *blocked):
        if not terms(word):
            raise ConfigError(f"watch word {word!r} has no letters or digits")
    if not ministries and not words:
        raise ConfigError("a watch needs at least one --ministry or --keyword")
    return Watch(clean, tuple(m.strip() for m in ministries), words, blocked)

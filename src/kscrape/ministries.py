"""korea.kr ministry codes (`repCode`), their names over time, and resolving what a user typed.

The site filters by code, but lists releases under the name the body carried when it published
them: a 2020 release of A00015 says 산업통상자원부, not 산업통상부. A filter therefore carries both
the codes to ask the site for and every name to accept when filtering list items locally.

Choice for split bodies (기획재정부 → 기획예산처 + 재정경제부, 검찰청 → 공소청 + 중대범죄수사청):
the old name resolves to its own code *and* its successors' codes and names. Whether the site still
files old releases under the retired code is unverified, so asking for all of them is the only way
a 2023 backfill for 기획재정부 is sure to find its releases; the crawl's date range keeps a 2023
backfill free of successor releases, and a 2026 crawl for 기획재정부 gets its successors' work.
A successor's own name (기획예산처) resolves to that successor only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kscrape.errors import ConfigError
from kscrape.text import squash

__all__ = [
    "AGENCIES_WITHOUT_CODE",
    "CORPUS_LABELS_WITHOUT_CODE",
    "GROUP_AGENCY",
    "GROUP_COMMITTEE",
    "GROUP_MINISTRY",
    "MINISTRIES",
    "Ministry",
    "MinistryFilter",
    "all_ministries",
    "matches",
    "resolve",
]

GROUP_MINISTRY = "부처"
GROUP_AGENCY = "청"
GROUP_COMMITTEE = "위원회 및 감사원"


@dataclass(frozen=True, slots=True)
class Ministry:
    """One `repCode` with the name the site shows today and the names it published under before."""

    code: str
    name: str
    group: str
    former_names: tuple[str, ...] = ()
    current: bool = True
    successors: tuple[str, ...] = ()  # codes that took over a retired body's work


_M, _B, _C = GROUP_MINISTRY, GROUP_AGENCY, GROUP_COMMITTEE

# The 58 codes of the list filter as of 2026-10-07, the four codes seen elsewhere on the site,
# and retired codes. Former names are the labels old releases still carry.
MINISTRIES: tuple[Ministry, ...] = (
    Ministry("A00001", "고용노동부", _M, ("노동부",)),
    Ministry("A00002", "교육부", _M, ("교육과학기술부", "교육인적자원부")),
    Ministry("A00004", "국무조정실", _M, ("국무총리실",)),
    Ministry("A00005", "국방부", _M),
    Ministry("A00006", "국토교통부", _M, ("국토해양부", "건설교통부")),
    Ministry("A00007", "기획재정부", _M, current=False, successors=("A00040", "A00041")),
    Ministry("A00008", "농림축산식품부", _M, ("농림수산식품부", "농림부")),
    Ministry("A00009", "문화체육관광부", _M, ("문화관광부",)),
    Ministry("A00010", "법무부", _M),
    Ministry("A00011", "법제처", _M),
    Ministry("A00012", "보건복지부", _M, ("보건복지가족부",)),
    Ministry("A00013", "성평등가족부", _M, ("여성가족부", "여성부")),
    Ministry("A00014", "외교부", _M, ("외교통상부",)),
    Ministry("A00015", "산업통상부", _M, ("산업통상자원부", "지식경제부")),
    Ministry("A00016", "청와대", _M, ("대통령비서실",), current=False),
    Ministry("A00017", "통일부", _M),
    Ministry("A00019", "기후에너지환경부", _M, ("환경부",)),
    Ministry("A00023", "해양수산부", _M),
    Ministry("A00027", "식품의약품안전처", _M, ("식품의약품안전청",)),
    Ministry("A00030", "인사혁신처", _M),
    Ministry("A00031", "행정안전부", _M, ("행정자치부", "안전행정부", "국민안전처")),
    Ministry("A00032", "중소벤처기업부", _M, ("중소기업청",)),
    Ministry("A00033", "과학기술정보통신부", _M, ("미래창조과학부",)),
    Ministry("A00036", "대통령실", _M),
    Ministry("A00037", "국가보훈부", _M, ("국가보훈처",)),
    Ministry("A00038", "국가데이터처", _M, ("통계청",)),
    Ministry("A00039", "지식재산처", _M, ("특허청",)),
    Ministry("A00040", "기획예산처", _M),
    Ministry("A00041", "재정경제부", _M),
    Ministry("B00001", "검찰청", _B, current=False, successors=("B00027", "B00028")),
    Ministry("B00002", "경찰청", _B),
    Ministry("B00003", "관세청", _B),
    Ministry("B00004", "국세청", _B),
    Ministry("B00005", "기상청", _B),
    Ministry("B00006", "농촌진흥청", _B),
    Ministry("B00008", "방위사업청", _B),
    Ministry("B00009", "병무청", _B),
    Ministry("B00010", "산림청", _B),
    Ministry("B00013", "조달청", _B),
    Ministry("B00017", "해양경찰청", _B),
    Ministry("B00018", "행정중심복합도시건설청", _B),
    Ministry("B00021", "새만금개발청", _B),
    Ministry("B00022", "소방청", _B),
    Ministry("B00023", "질병관리청", _B, ("질병관리본부",)),
    Ministry("B00024", "재외동포청", _B),
    Ministry("B00025", "국가유산청", _B, ("문화재청",)),
    Ministry("B00026", "우주항공청", _B),
    Ministry("B00027", "공소청", _B),
    Ministry("B00028", "중대범죄수사청", _B),
    Ministry("C00001", "공정거래위원회", _C),
    Ministry("C00002", "국민권익위원회", _C),
    Ministry("C00003", "금융위원회", _C),
    Ministry("C00005", "방송미디어통신위원회", _C, ("방송통신위원회",)),
    Ministry("C00012", "원자력안전위원회", _C),
    Ministry("C00015", "국가인권위원회", _C),
    Ministry("C00016", "중앙선거관리위원회", _C),
    Ministry("C00019", "개인정보보호위원회", _C),
    Ministry("C00022", "감사원", _C),
    Ministry("E00001", "경제사회노동위원회", _C, ("경제사회발전노사정위원회", "노사정위원회")),
    Ministry("E00023", "국민통합위원회", _C),
    Ministry("E00027", "국가기후위기대응위원회", _C),
    Ministry("E00028", "국가교육위원회", _C),
    Ministry("E00029", "기본사회위원회", _C),
    Ministry("E00030", "인구전략위원회", _C),
)

# Bodies that publish on korea.kr (seen in the 2023-06 corpus) but have no known code:
# selectable only by name, by filtering a full listing locally.
AGENCIES_WITHOUT_CODE: tuple[str, ...] = (
    "국가기술표준원",
    "국립환경과학원",
    "부산세계박람회유치위원회",
    "새만금위원회",
    "야생동물질병관리원",
    "저출산고령사회위원회",
    "주제네바대표부",
    "탄소중립녹색성장위원회",
    "한국산업기술진흥원",
)

# Other ministry labels of the 2023-06 corpus, verbatim. Most were mis-extracted from body text by
# the source archive (천억원, 명실상부); they are accepted so that every corpus release stays
# selectable by the label it carries, but not listed as bodies.
CORPUS_LABELS_WITHOUT_CODE: tuple[str, ...] = (
    "경제관광체육부", "공동조직위원", "공무원", "국가지질공원", "국립부", "국립청", "기초원",
    "명실상부", "무역대표부", "문의처", "미래원", "미분류", "발전원", "비점오염원", "상무부",
    "수소환원", "수의과대학원", "수자원", "순환자원", "아동·청", "어린이정원", "업무처",
    "에너지·자원", "에너지바우처", "오염원", "운영위원회", "월성원", "유통매장부", "의무부",
    "이자부", "자문위원", "재생원", "재정지원", "종합지원", "주민건강지원", "줄이기부", "지방정부",
    "지역본부", "집행위원", "집행위원회", "천억원", "추진여부", "폐광심의위원회", "피해지원",
    "핵심부", "핵심원", "확장현실", "환경과학원", "환경산업기술원",
)  # fmt: skip

_CODE = re.compile(r"[A-Z]\d{5}")


@dataclass(frozen=True, slots=True)
class MinistryFilter:
    """Codes to ask the site for (none for bodies without a code) and the list labels to keep."""

    codes: tuple[str, ...]
    names: frozenset[str]
    label: str
    _keys: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keys", frozenset(squash(n) for n in self.names))


_BY_CODE: dict[str, Ministry] = {m.code: m for m in MINISTRIES}


def _filter_for(ministry: Ministry) -> MinistryFilter:
    """A ministry's filter: its code and names, plus those of the bodies that took over from it."""
    successors = [_BY_CODE[c] for c in ministry.successors]
    names = {ministry.name, *ministry.former_names, *(s.name for s in successors)}
    return MinistryFilter((ministry.code, *ministry.successors), frozenset(names), ministry.name)


def _name_index() -> dict[str, Ministry]:
    """Every current and former name, whitespace-free, to its ministry."""
    index: dict[str, Ministry] = {}
    for m in MINISTRIES:
        for name in (m.name, *m.former_names):
            index.setdefault(squash(name), m)
    return index


_BY_NAME = _name_index()
_UNCODED = {squash(n): n for n in (*AGENCIES_WITHOUT_CODE, *CORPUS_LABELS_WITHOUT_CODE)}


def split_labels(values: Iterable[str]) -> list[str]:
    """Ministry labels as given: repeated, comma-separated or both; blanks dropped."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def resolve(value: str) -> MinistryFilter:
    """Turn a code, a current or former name, or a known name without code into a filter."""
    key = squash(value)
    if _CODE.fullmatch(key.upper()) and key.upper() in _BY_CODE:
        return _filter_for(_BY_CODE[key.upper()])
    if key in _BY_NAME:
        return _filter_for(_BY_NAME[key])
    if key in _UNCODED:
        name = _UNCODED[key]
        return MinistryFilter((), frozenset({name}), name)
    raise ConfigError(f"unknown ministry '{value}' (see 'kscrape ministries')")


def matches(flt: MinistryFilter, ministry_name: str) -> bool:
    """Whether a list item's ministry label belongs to the filter, ignoring spacing differences."""
    return squash(ministry_name) in flt._keys


def all_ministries() -> tuple[Ministry, ...]:
    """Every known code, current ones and retired ones, in code order."""
    return MINISTRIES

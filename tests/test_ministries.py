"""The ministry table and how user input resolves to codes and names."""

from __future__ import annotations

import dataclasses
import gzip
import json
import unicodedata
from pathlib import Path

import pytest

from kscrape.errors import ConfigError
from kscrape.ministries import (
    AGENCIES_WITHOUT_CODE,
    GROUP_AGENCY,
    GROUP_COMMITTEE,
    GROUP_MINISTRY,
    MinistryFilter,
    all_ministries,
    matches,
    resolve,
)

CORPUS = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "kscrape"
    / "replica"
    / "data"
    / "2023-06.jsonl.gz"
)

# The list filter of the real page on 2026-10-07.
LIST_FILTER = {
    GROUP_MINISTRY: {
        "A00001": "고용노동부", "A00002": "교육부", "A00004": "국무조정실", "A00005": "국방부",
        "A00006": "국토교통부", "A00008": "농림축산식품부", "A00009": "문화체육관광부",
        "A00010": "법무부", "A00011": "법제처", "A00012": "보건복지부", "A00013": "성평등가족부",
        "A00014": "외교부", "A00015": "산업통상부", "A00017": "통일부",
        "A00019": "기후에너지환경부",
        "A00023": "해양수산부", "A00027": "식품의약품안전처", "A00030": "인사혁신처",
        "A00031": "행정안전부", "A00032": "중소벤처기업부", "A00033": "과학기술정보통신부",
        "A00037": "국가보훈부", "A00038": "국가데이터처", "A00039": "지식재산처",
        "A00040": "기획예산처", "A00041": "재정경제부",
    },
    GROUP_AGENCY: {
        "B00002": "경찰청", "B00003": "관세청", "B00004": "국세청", "B00005": "기상청",
        "B00006": "농촌진흥청", "B00008": "방위사업청", "B00009": "병무청", "B00010": "산림청",
        "B00013": "조달청", "B00017": "해양경찰청", "B00018": "행정중심복합도시건설청",
        "B00021": "새만금개발청", "B00022": "소방청", "B00023": "질병관리청",
        "B00024": "재외동포청", "B00025": "국가유산청", "B00026": "우주항공청", "B00027": "공소청",
        "B00028": "중대범죄수사청",
    },
    GROUP_COMMITTEE: {
        "C00001": "공정거래위원회", "C00002": "국민권익위원회", "C00003": "금융위원회",
        "C00005": "방송미디어통신위원회", "C00012": "원자력안전위원회",
        "C00019": "개인정보보호위원회",
        "C00022": "감사원", "E00001": "경제사회노동위원회", "E00023": "국민통합위원회",
        "E00027": "국가기후위기대응위원회", "E00028": "국가교육위원회", "E00029": "기본사회위원회",
        "E00030": "인구전략위원회",
    },
}  # fmt: skip


def test_table_holds_the_58_list_filter_codes_with_names_and_groups() -> None:
    """Every code of the real list filter is current, with the page's name and group."""
    assert sum(len(codes) for codes in LIST_FILTER.values()) == 58
    table = {m.code: m for m in all_ministries()}
    for group, codes in LIST_FILTER.items():
        for code, name in codes.items():
            assert (table[code].name, table[code].group, table[code].current) == (name, group, True)


def test_table_holds_codes_seen_outside_the_list_filter() -> None:
    """Header-list and script codes are known too."""
    table = {m.code: m.name for m in all_ministries()}
    assert table["C00015"] == "국가인권위원회"
    assert table["C00016"] == "중앙선거관리위원회"
    assert table["A00036"] == "대통령실"
    assert table["A00016"] == "청와대"


def test_retired_codes_are_marked_not_current() -> None:
    """기획재정부 and 검찰청 are history, with the codes that took over."""
    table = {m.code: m for m in all_ministries()}
    assert (table["A00007"].name, table["A00007"].current) == ("기획재정부", False)
    assert table["A00007"].successors == ("A00040", "A00041")
    assert (table["B00001"].name, table["B00001"].current) == ("검찰청", False)
    assert table["B00001"].successors == ("B00027", "B00028")


def test_table_is_consistent() -> None:
    """Codes are unique, successors exist, and no name belongs to two codes."""
    ministries = all_ministries()
    codes = [m.code for m in ministries]
    assert len(codes) == len(set(codes)) == 64  # 58 list codes, 4 seen elsewhere, 2 retired
    assert all(s in codes for m in ministries for s in m.successors)
    names = [n for m in ministries for n in (m.name, *m.former_names)]
    assert len(names) == len(set(names))
    assert not set(names) & set(AGENCIES_WITHOUT_CODE)


def test_ministry_records_are_frozen() -> None:
    """The table cannot be changed at run time."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        all_ministries()[0].name = "x"  # type: ignore[misc]


def test_resolve_by_code() -> None:
    """A code gives itself, its name and its label."""
    assert resolve("A00005") == MinistryFilter(("A00005",), frozenset({"국방부"}), "국방부")


def test_resolve_code_ignores_case_and_spaces() -> None:
    """Codes typed loosely still resolve."""
    assert resolve(" a00005 ").codes == ("A00005",)


def test_resolve_current_name_includes_former_names() -> None:
    """A renamed ministry's filter accepts its old labels too."""
    flt = resolve("행정안전부")
    assert flt.codes == ("A00031",)
    assert flt.names == frozenset({"행정안전부", "행정자치부", "안전행정부", "국민안전처"})
    assert flt.label == "행정안전부"


@pytest.mark.parametrize(
    ("former", "code", "label"),
    [
        ("산업통상자원부", "A00015", "산업통상부"),
        ("환경부", "A00019", "기후에너지환경부"),
        ("여성가족부", "A00013", "성평등가족부"),
        ("통계청", "A00038", "국가데이터처"),
        ("특허청", "A00039", "지식재산처"),
        ("문화재청", "B00025", "국가유산청"),
        ("방송통신위원회", "C00005", "방송미디어통신위원회"),
        ("행정자치부", "A00031", "행정안전부"),
        ("안전행정부", "A00031", "행정안전부"),
        ("국민안전처", "A00031", "행정안전부"),
        ("미래창조과학부", "A00033", "과학기술정보통신부"),
        ("국가보훈처", "A00037", "국가보훈부"),
        ("중소기업청", "A00032", "중소벤처기업부"),
        ("경제사회발전노사정위원회", "E00001", "경제사회노동위원회"),
    ],
)
def test_former_names_resolve_to_todays_code(former: str, code: str, label: str) -> None:
    """An old label finds the code that publishes under a new name today."""
    flt = resolve(former)
    assert (flt.codes, flt.label) == ((code,), label)
    assert {former, label} <= flt.names


def test_split_ministry_resolves_to_itself_and_its_successors() -> None:
    """기획재정부 asks for its own code and both successors, accepting all three labels."""
    assert resolve("기획재정부") == MinistryFilter(
        ("A00007", "A00040", "A00041"),
        frozenset({"기획재정부", "기획예산처", "재정경제부"}),
        "기획재정부",
    )
    assert resolve("A00007").codes == ("A00007", "A00040", "A00041")


def test_successor_resolves_to_itself_only() -> None:
    """기획예산처 is one of two successors, so it does not pull in 기획재정부."""
    assert resolve("기획예산처") == MinistryFilter(
        ("A00040",), frozenset({"기획예산처"}), "기획예산처"
    )


def test_names_match_after_whitespace_and_unicode_normalisation() -> None:
    """Spaces, NBSP and NFD in the typed name do not matter."""
    assert resolve(" 국방\xa0부 ").codes == ("A00005",)
    assert resolve(unicodedata.normalize("NFD", "국방부")).codes == ("A00005",)


def test_agency_without_code_resolves_by_name_only() -> None:
    """A body with no repCode gives no codes, only its name for local filtering."""
    assert resolve("국립환경과학원") == MinistryFilter(
        (), frozenset({"국립환경과학원"}), "국립환경과학원"
    )


def test_every_corpus_label_resolves() -> None:
    """Each ministry label of the bundled 2023-06 corpus is accepted and matches itself."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        labels = {json.loads(line)["ministry"] for line in fh}
    assert len(labels) == 107
    for label in labels:
        assert matches(resolve(label), label), label


@pytest.mark.parametrize("value", ["없는부", "A99999", "", "국방"])
def test_unknown_value_raises_config_error(value: str) -> None:
    """Anything not in the table or the known names is refused with a pointer to the list."""
    with pytest.raises(ConfigError) as caught:
        resolve(value)
    assert str(caught.value) == f"unknown ministry '{value}' (see 'kscrape ministries')"


def test_matches_accepts_current_and_former_labels() -> None:
    """List labels of any era of the ministry match, spacing aside; others do not."""
    flt = resolve("A00031")
    assert matches(flt, "행정안전부")
    assert matches(flt, "국민안전처")
    assert matches(flt, " 행정 안전부\n")
    assert not matches(flt, "국방부")
    assert not matches(flt, "")

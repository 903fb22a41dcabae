"""The onboarding file (libs/common/onboarding_file.py): YAML and Excel read to the shape of
`POST /v1/townships`, and a bad file refused with ONE error that lists every problem and where."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from libs.common import onboarding_file
from libs.common.onboarding_file import OnboardingFileError

EXPECTED = [
    {
        "code": "napo",
        "name": "那坡镇",
        "villages": [
            {
                "code": "baiyun",
                "name": "百云村",
                "groups": [{"code": "g01", "name": "第一组"}, {"code": "g02", "name": "2"}],
            },
            {"code": "dongsheng", "name": "东胜村", "groups": []},
        ],
    },
    {"code": "tianzhou", "name": "田州镇", "villages": []},
]

GOOD_YAML = """
townships:
  - code: napo
    name: 那坡镇
    villages:
      - code: baiyun
        name: 百云村
        groups:
          - {code: g01, name: 第一组}
          - {code: g02, name: 2}
      - {code: dongsheng, name: " 东胜村 "}
  - code: tianzhou
    name: 田州镇
"""


def xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


GOOD_SHEETS = {
    "townships": [["code", "name"], ["napo", "那坡镇"], ["tianzhou", "田州镇"]],
    "villages": [
        ["township", "code", "name", "notes"],
        ["napo", "baiyun", "百云村", "ignored"],
        [None, None, None],  # blank rows are skipped
        ["napo", "dongsheng", "东胜村 "],
    ],
    "groups": [
        ["township", "village", "code", "name"],
        ["napo", "baiyun", "g01", "第一组"],
        ["napo", "baiyun", "g02", 2],  # a number cell is text
    ],
}


def problems_of(path: Path) -> list[str]:
    with pytest.raises(OnboardingFileError) as caught:
        onboarding_file.load(path)
    assert str(path) in str(caught.value) and "nothing was sent" in str(caught.value)
    for p in caught.value.problems:  # one error, listing each problem on its own line
        assert p in str(caught.value)
    return caught.value.problems


def test_good_yaml(tmp_path: Path) -> None:
    path = tmp_path / "county.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    assert onboarding_file.load(path) == EXPECTED
    (tmp_path / "county.yml").write_text(GOOD_YAML, encoding="utf-8")
    assert onboarding_file.load(tmp_path / "county.yml") == EXPECTED


def test_good_excel(tmp_path: Path) -> None:
    assert onboarding_file.load(xlsx(tmp_path / "county.xlsx", GOOD_SHEETS)) == EXPECTED


def test_excel_with_chinese_sheet_and_column_names(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "县.xlsx",
        {
            "乡镇": [["代码", "名称"], ["napo", "那坡镇"], ["tianzhou", "田州镇"]],
            "村": [["乡镇", "代码", "名称"], ["napo", "baiyun", "百云村"], ["napo", "dongsheng", "东胜村"]],
            "组": [
                ["乡镇", "村", "代码", "名称"],
                ["napo", "baiyun", "g01", "第一组"],
                ["napo", "baiyun", "g02", "2"],
            ],
        },
    )
    assert onboarding_file.load(path) == EXPECTED


def test_excel_townships_only(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "t.xlsx", {"townships": [["code", "name"], ["napo", "那坡镇"]]})
    assert onboarding_file.load(path) == [{"code": "napo", "name": "那坡镇", "villages": []}]


def test_same_file_and_township_give_the_same_idempotency_key() -> None:
    key = onboarding_file.idempotency_key(b"content", "napo")
    assert key == onboarding_file.idempotency_key(b"content", "napo")
    assert key != onboarding_file.idempotency_key(b"content", "tianzhou")
    assert key != onboarding_file.idempotency_key(b"other content", "napo")


def test_bad_excel_lists_every_problem_with_its_row(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "bad.xlsx",
        {
            "townships": [
                ["code", "name"],
                ["napo", "那坡镇"],
                ["Napo-2", "坏代码镇"],  # bad code
                ["napo", "又一个那坡"],  # duplicate
                ["tianzhou", None],  # empty name
                ["longguang", "龙光乡"],
            ],
            "villages": [
                ["township", "code", "name"],
                ["napo", "baiyun", "百云村"],
                ["napo", "baiyun", "百云村二"],  # duplicate in napo
                ["longguang", "baiyun", "百云村"],  # same code, other township: fine
                ["nowhere", "xinxu", "新圩村"],  # unknown township
                ["napo", "", "无代码村"],  # empty code
            ],
            "groups": [
                ["township", "village", "code", "name"],
                ["napo", "baiyun", "g01", "第一组"],
                ["napo", "baiyun", "g01", "第一组又"],  # duplicate
                ["napo", "nocun", "g01", "第一组"],  # unknown village
                ["nowhere", "baiyun", "g01", "第一组"],  # unknown township
                ["napo", "baiyun", "1 st", "第一组"],  # bad code
            ],
        },
    )
    problems = problems_of(path)
    expected = [
        ("sheet townships, row 3", "bad township code 'Napo-2'"),
        ("sheet townships, row 4", "duplicate township 'napo' (first at sheet townships, row 2)"),
        ("sheet townships, row 5", "empty cell in column 'name'"),
        ("sheet villages, row 3", "duplicate village 'baiyun' in 'napo' (first at sheet villages, row 2)"),
        ("sheet villages, row 5", "unknown township 'nowhere'"),
        ("sheet villages, row 6", "empty cell in column 'code'"),
        ("sheet groups, row 3", "duplicate group 'g01'"),
        ("sheet groups, row 4", "unknown village 'nocun' in township 'napo'"),
        ("sheet groups, row 5", "unknown township 'nowhere'"),
        ("sheet groups, row 6", "bad group code '1 st'"),
    ]
    for where, what in expected:
        assert any(p.startswith(f"{where}: ") and what in p for p in problems), (where, what, problems)
    assert len(problems) == len(expected), problems
    assert not any("row 4:" in p and "sheet villages" in p for p in problems)  # cross-township: fine


def test_excel_missing_columns_and_sheets(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "cols.xlsx",
        {
            "villages": [["township", "nmae"], ["napo", "百云村"]],
            "groups": [["township", "village", "code", "name"]],
            "notes": [["anything"]],
        },
    )
    problems = problems_of(path)
    assert "file: no sheet 'townships'" in problems
    assert "sheet villages, row 1: missing columns code, name" in problems
    assert any(p.startswith("sheet notes: unknown sheet") for p in problems)
    assert len(problems) == 3, problems


def test_excel_with_no_townships(tmp_path: Path) -> None:
    assert problems_of(xlsx(tmp_path / "empty.xlsx", {"townships": [["code", "name"]]})) == [
        "file: no townships in it"
    ]


def test_bad_yaml_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        """
townships:
  - code: napo
    name: 那坡镇
    villages:
      - {code: baiyun, name: 百云村, groups: [{code: g01, name: 一组}, {code: g01, name: 又一组}]}
      - {code: baiyun, name: 重复村}
      - {code: "B D", name: ""}
      - {code: xinxu, name: 新圩村, vilages: []}
  - code: napo
    name: 重复镇
  - {code: tianzhou}
  - name: 无代码镇
    villages: not-a-list
  - just a string
  - {code: longguang, name: [a, list]}
""",
        encoding="utf-8",
    )
    problems = problems_of(path)
    expected = [
        "townships[0].villages[0].groups[1]: duplicate group 'g01' in village 'baiyun' of 'napo' "
        "(first at townships[0].villages[0].groups[0])",
        "townships[0].villages[1]: duplicate village 'baiyun' in 'napo' (first at townships[0].villages[0])",
        "townships[0].villages[2].code: bad village code 'B D'",
        "townships[0].villages[2].name: missing or empty",
        "townships[0].villages[3].vilages: unknown key",
        "townships[1]: duplicate township 'napo' (first at townships[0])",
        "townships[2].name: missing or empty",
        "townships[3].code: missing or empty",
        "townships[3].villages: expected a list, got str",
        "townships[4]: expected a mapping",
        "townships[5].name: expected text, got list",
    ]
    for what in expected:
        assert any(p.startswith(what) for p in problems), (what, problems)
    assert len(problems) == len(expected), problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("townships: [\n  {code: napo, name: x\n", "line "),  # a syntax error, with its line
        ("", "file: expected a mapping with the key 'townships'"),
        ("towns: []", "file: expected a mapping with the key 'townships'"),
        ("townships: []", "file: no townships in it"),
    ],
)
def test_yaml_that_is_not_an_onboarding_file(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_unsupported_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "county.csv").write_text("code,name\nnapo,那坡镇\n")
    [problem] = problems_of(tmp_path / "county.csv")
    assert "unsupported file type '.csv' (save it as .xlsx)" in problem
    [problem] = problems_of(tmp_path / "missing.yaml")
    assert "cannot read the file" in problem
    (tmp_path / "fake.xlsx").write_text("this is not a workbook")
    [problem] = problems_of(tmp_path / "fake.xlsx")
    assert "cannot read it as an Excel workbook" in problem
    (tmp_path / "latin1.yaml").write_bytes("townships: [{code: napo, name: caf\xe9}]".encode("latin-1"))
    [problem] = problems_of(tmp_path / "latin1.yaml")
    assert "not valid YAML" in problem

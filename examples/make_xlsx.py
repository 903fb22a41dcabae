"""Writes the example workbooks: `python examples/make_xlsx.py` (run again after editing the data
below or townships.yaml; tests/unit/cli/test_examples.py loads what it wrote through the real
parsers).

- onboarding/townships.xlsx: the townships of onboarding/townships.yaml, with the Chinese sheet
  and column names a county office would type (乡镇/村/组; 代码, 名称, 乡镇, 村);
- households/households.xlsx: the households of households/households.yaml with Chinese column
  names and flags (户主, 电话, 标识 五保 …), as `bianmin client proxy households import` reads it;
- catalogue/catalogue.xlsx: a county catalogue template, with Chinese sheet, column and value
  names (事项/材料; 事项代码, 类别 民政 …), as `bianmin client catalog import` reads it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import yaml
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent

ITEM_HEADER = [
    "事项代码", "事项名称", "类别", "办理层级", "类型", "法定时限", "承诺时限",
    "可代办", "需本人到场", "涉及隐私", "部门", "收费", "办理流程", "法律依据",
]  # fmt: skip
ITEMS = [
    [
        "shebao_canbao", "城乡居民基本养老保险参保登记", "社保", "乡镇", "登记", 20, 5,
        "是", "否", "否", "shebao", 0,
        "申请人或代办员提交材料 → 窗口受理审核 → 录入社保信息系统 → 办结并告知缴费档次",
        "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
    ],
    [
        "minzheng_dibao", "城乡居民最低生活保障申请", "民政", "县", "审批", 30, 20,
        "否", "是", "是", "minzheng", 0,
        "受理 → 家庭经济状况调查核对 → 民主评议 → 乡镇审核并公示 → 县民政局审批",
        "《社会救助暂行办法》第九条至第十一条",
    ],
    [
        "jisheng_shengyu", "生育登记", "计生", "乡镇", "登记", 5, 0,
        "是", "否", "否", "jisheng", 0,
        "当场受理，材料齐全即时登记并出具生育登记服务单",
        "《广西壮族自治区人口和计划生育条例》",
    ],
    [
        "linye_caifa", "林木采伐许可证核发", "林业", "县", "审批", 20, 10,
        "是", "否", "否", "linye,ziranziyuan", 0,
        "受理 → 林业站现场核查伐区 → 报县林业局审批 → 发证",
        "《中华人民共和国森林法》第五十六条",
    ],
    [
        "huji_sfz_huanling", "居民身份证换领", "户籍", "乡镇", "登记", 60, 30,
        "否", "是", "否", "paichusuo", 20,
        "本人到场采集照片和指纹 → 受理 → 制证 → 领证",
        "《中华人民共和国居民身份证法》第十一条",
    ],
]  # fmt: skip

MATERIAL_HEADER = ["事项", "代码", "名称", "必需", "原件", "复印件", "可后补"]
MATERIALS = [
    ["shebao_canbao", "id_card", "居民身份证", "是", 1, 1, "否"],
    ["shebao_canbao", "hukou", "居民户口簿", "是", 1, 1, "否"],
    ["shebao_canbao", "form", "城乡居民基本养老保险参保登记表", "是", 1, 0, "否"],
    ["minzheng_dibao", "id_card", "申请人及家庭成员居民身份证", "是", 1, 1, "否"],
    ["minzheng_dibao", "hukou", "居民户口簿", "是", 1, 1, "否"],
    ["minzheng_dibao", "income", "家庭收入及财产状况申报表", "是", 1, 0, "否"],
    ["minzheng_dibao", "consent", "家庭经济状况核对授权书", "是", 1, 0, "否"],
    ["minzheng_dibao", "medical", "患病或残疾证明", "否", 0, 1, "是"],
    ["jisheng_shengyu", "id_cards", "夫妻双方居民身份证", "是", 1, 0, "否"],
    ["jisheng_shengyu", "marriage", "结婚证", "是", 1, 0, "否"],
    ["linye_caifa", "application", "林木采伐申请书", "是", 1, 0, "否"],
    ["linye_caifa", "forest_right", "林权证或林地使用权证明", "是", 1, 1, "否"],
    ["linye_caifa", "design", "伐区调查设计文件", "是", 1, 0, "是"],
    ["huji_sfz_huanling", "old_card", "原居民身份证", "是", 1, 0, "否"],
    ["huji_sfz_huanling", "hukou", "居民户口簿", "是", 1, 0, "否"],
]


def onboarding_workbook() -> openpyxl.Workbook:
    townships = yaml.safe_load((HERE / "onboarding" / "townships.yaml").read_text("utf-8"))["townships"]
    book = openpyxl.Workbook()
    sheets = {"乡镇": ["代码", "名称"], "村": ["乡镇", "代码", "名称"], "组": ["乡镇", "村", "代码", "名称"]}
    for i, (title, header) in enumerate(sheets.items()):
        sheet = book.active if i == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(header)
    for t in townships:
        book["乡镇"].append([t["code"], t["name"]])
        for v in t.get("villages") or []:
            book["村"].append([t["code"], v["code"], v["name"]])
            for g in v.get("groups") or []:
                book["组"].append([t["code"], v["code"], g["code"], g["name"]])
    return book


HOUSEHOLD_HEADER = ["村", "组", "户主", "电话", "住址", "标识", "代办员"]
FLAG_NAMES = {"wubao": "五保", "dibao": "低保", "poor": "贫困户", "ill": "重病户", "disabled": "残疾",
              "elderly_alone": "独居老人"}  # fmt: skip


def households_workbook() -> openpyxl.Workbook:
    households = yaml.safe_load((HERE / "households" / "households.yaml").read_text("utf-8"))["households"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "农户"
    sheet.append(HOUSEHOLD_HEADER)
    for h in households:
        flags = "、".join(FLAG_NAMES[f] for f in h.get("flags") or [])
        row = [h["village"], h.get("group"), h["head_name"], h["phone"], h.get("address")]
        sheet.append([*row, flags or None, h.get("agent")])
    return book


def catalogue_workbook() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    items = book.active
    items.title = "事项"
    items.append(ITEM_HEADER)
    for row in ITEMS:
        items.append(row)
    materials = book.create_sheet("材料")
    materials.append(MATERIAL_HEADER)
    for row in MATERIALS:
        materials.append(row)
    return book


def save(book: openpyxl.Workbook, path: Path) -> None:
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    book.save(path)
    print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    save(onboarding_workbook(), HERE / "onboarding" / "townships.xlsx")
    save(households_workbook(), HERE / "households" / "households.xlsx")
    save(catalogue_workbook(), HERE / "catalogue" / "catalogue.xlsx")

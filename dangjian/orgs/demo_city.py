"""A small built-in demo city, written for this project.

Used when the real data sets (``../shared/data``) are not on the machine.
The unit names are the generic names of a Chinese city's offices.
"""

from typing import Any

BUILTIN_UNITS: list[dict[str, Any]] = [
    {
        "name": "中共示范市委",
        "kind": "committee",
        "parent": None,
        "maintains_kb": False,
    },
    {
        "name": "市委办公室",
        "kind": "party_department",
        "parent": "中共示范市委",
        "maintains_kb": False,
    },
    {
        "name": "市委组织部",
        "kind": "party_department",
        "parent": "中共示范市委",
        "maintains_kb": True,
    },
    {
        "name": "市委宣传部",
        "kind": "party_department",
        "parent": "中共示范市委",
        "maintains_kb": True,
    },
    {
        "name": "示范市人民政府",
        "kind": "government",
        "parent": None,
        "maintains_kb": False,
    },
    {
        "name": "市政府办公室",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {
        "name": "市教育局",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {
        "name": "市公安局",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {
        "name": "市民政局",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {
        "name": "市人力资源和社会保障局",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {
        "name": "市住房和城乡建设局",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {
        "name": "市医疗保障局",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {
        "name": "市住房公积金管理中心",
        "kind": "government_department",
        "parent": "示范市人民政府",
        "maintains_kb": True,
    },
    {"name": "东城区", "kind": "district", "parent": None, "maintains_kb": True},
    {
        "name": "东城区新华街道",
        "kind": "subdistrict",
        "parent": "东城区",
        "maintains_kb": True,
    },
    {
        "name": "市热力公司",
        "kind": "public_service",
        "parent": None,
        "maintains_kb": True,
    },
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯健俊帆帅旭宁龙林欣怡晨阳雪梅琳婷颖佳慧鑫波斌海峰云飞丹岩冬梅春松柏"

"""The demo's map: 瑞安市 (Ruian, Zhejiang), its streets and towns, and some of their villages.

Codes follow the shape of the 12-digit statistical division codes (统计用区划代码): the city is
330381000000; streets (街道) are 330381001000–0xx000, towns (镇) 1xx000 and townships (乡) 2xx000;
below them residents' committees (社区) take 001–199 and villages (村) 201–399. The names are the
real streets and towns; the village lists are a plausible sample, and exact codes are not claimed.
"""
from fundportal.models import Region

CITY_CODE = "330381000000"
CITY_NAME = "瑞安市"

# (3-digit town code, town/street name, [villages and communities])
TOWNS: list[tuple[str, str, list[str]]] = [
    # 街道 streets
    ("001", "安阳街道", ["万松社区", "西山社区", "虹桥社区", "隆山社区", "安阳社区"]),
    ("002", "玉海街道", ["忠义街社区", "解放路社区", "小沙堤社区", "城南社区"]),
    ("003", "锦湖街道", ["瑞祥社区", "锦湖社区", "新湖社区", "南门村"]),
    ("004", "东山街道", ["东山社区", "上埠村", "下埠村", "埭头村"]),
    ("005", "上望街道", ["上望社区", "新华村", "薛里村", "庄泉村"]),
    ("006", "莘塍街道", ["莘塍社区", "周田村", "董田村", "上村村", "下村村"]),
    ("007", "汀田街道", ["汀田社区", "九里村", "三甲村", "蔡宅村"]),
    ("008", "飞云街道", ["飞云社区", "孙桥村", "云江村", "新渡村"]),
    ("009", "仙降街道", ["仙降社区", "江溪村", "翔底村", "前金村"]),
    ("010", "南滨街道", ["阁巷社区", "梅头村", "林川村", "沙园村"]),
    ("011", "云周街道", ["云周社区", "周苌村", "渔潭村", "李山村"]),
    # 镇 towns
    ("101", "塘下镇", ["塘下社区", "韩田村", "鲍田村", "场桥村", "罗凤村", "海安村"]),
    ("102", "马屿镇", ["马屿社区", "篁社村", "儒阳村", "汇头村"]),
    ("103", "陶山镇", ["陶山社区", "沙洲村", "荆谷村", "桐溪村"]),
    ("104", "湖岭镇", ["湖岭社区", "黄林村", "鹤溪村", "潮基村"]),
    ("105", "高楼镇", ["高楼社区", "宁益村", "营前村", "双桂村"]),
    ("106", "平阳坑镇", ["平阳坑社区", "东岙村", "江头村"]),
    # 乡 townships
    ("201", "芳庄乡", ["芳庄村", "新庄村", "东元村"]),
    ("202", "北麂乡", ["北麂村", "关帝村", "壳菜岙村"]),
]

# Where the demo's town and village officers work.
DEMO_TOWN = "塘下镇"
DEMO_VILLAGE = "韩田村"


def town_code(number: str) -> str:
    return f"330381{number}000"


def village_codes(number: str, names: list[str]) -> list[tuple[str, str]]:
    """Communities are numbered 001.., villages 201.., each in list order."""
    communities = villages = 0
    codes = []
    for name in names:
        if name.endswith("社区"):
            communities += 1
            codes.append((f"330381{number}{communities:03d}", name))
        else:
            villages += 1
            codes.append((f"330381{number}{200 + villages:03d}", name))
    return codes


def _upsert(*, code: str, name: str, level: str, parent: Region | None) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is not None and (region.name, region.level, region.parent_id) == (
            name, level, parent.pk if parent else None):
        return region
    region = region or Region(code=code)
    region.name, region.level, region.parent = name, level, parent
    region.save()
    return region


def load_regions() -> Region:
    """Create (or bring up to date) the city, its towns and villages. Returns the city."""
    city = _upsert(code=CITY_CODE, name=CITY_NAME, level=Region.Level.CITY, parent=None)
    for number, town_name, villages in TOWNS:
        town = _upsert(code=town_code(number), name=town_name, level=Region.Level.TOWN, parent=city)
        for code, village_name in village_codes(number, villages):
            _upsert(code=code, name=village_name, level=Region.Level.VILLAGE, parent=town)
    return city


def region_named(name: str, *, parent_name: str | None = None) -> Region:
    qs = Region.objects.filter(name=name, path__startswith=CITY_CODE + "/")
    if parent_name:
        qs = qs.filter(parent__name=parent_name)
    return qs.get()

"""A deterministic generator of realistic records of every event kind, some of them made to break a rule.

    python benchmarks/generate.py --events 1000 --out /tmp/bench-1000 [--violations 0.1] [--seed 7]

writes

    DIR/records/base.json               units, people, annual meeting plans, bulletin periodicals (not events)
    DIR/records/<kind>-NNNN.json        the events of one kind, split per 1,000 events of the run
    DIR/expected.json                   {event id: [shape names]} for the events made to violate
    DIR/manifest.json                   counts per kind and per shape, the seed and the share asked for

Validate `DIR/records` (`kb validate DIR/records`, or `kb.checking.pipeline.validate_paths([...])`); `expected.json`
lies outside it so that it is not read as records. The records are plain JSON in the bundled format
(docs/records.md), modelled on data/examples/ and on the cases under tests/cases/, and the same seed always gives
the same files.

About 1,000 events fall in each calendar year (2024 first, then 2023, 2025, 2022 ... back to 2017, inside the
working-day calendar 2016-2026); a tenth of the documents are received on the last working day before a holiday
of three days or more (the Spring Festival and National Day weeks, May Day, Qingming ...), so their deadlines run
over it. Rules over several records are respected on purpose: two receptions of one municipal unit are at least
30 days apart (A03.2), two inspections of one unit at least 31 days apart (A06.7), two Office internal meetings
never share a day (A06.4), each unit compiles one periodical (A12.3); where no such date is left, the record
carries the reason it was not combined, as a real one would.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import ClassVar

from kb.reasoning.derive import character_count  # the engine's own character count (catalogue P_charCount)

HOME = Path(__file__).resolve().parent.parent
CALENDAR_FILE = HOME / "data" / "calendar" / "working-days.ttl"
BASE_FILE = HOME / "data" / "examples" / "people-and-units.json"
YEARS = (2024, 2023, 2025, 2022, 2021, 2020, 2019, 2018, 2017)
EVENTS_PER_YEAR = 1000
FILE_SIZE = 1000

# Share of each kind of event (documents and bulletin issues are counted as events: each is one record a rule
# judges on its own date).
KIND_WEIGHTS = {
    "meeting": 26, "document": 24, "reception": 10, "visit": 10, "bulletin": 12, "trip": 6, "inspection": 6,
    "activity": 3, "request": 3,
}


# --- The working-day calendar (read from the repository's calendar file, no rdflib needed) ----------------------

_DAY = re.compile(r"^dxcal:(\d{4}-\d{2}-\d{2})\n(.*?)\n\.\n", re.S | re.M)


@cache
def _working() -> dict[date, bool]:
    text = CALENDAR_FILE.read_text(encoding="utf-8")
    return {date.fromisoformat(m.group(1)): "dxo:isWorkingDay true" in m.group(2) for m in _DAY.finditer(text)}


def is_working(day: date) -> bool:
    return _working().get(day, day.weekday() < 5)


def add_working_days(day: date, count: int) -> date:
    """The `count`-th working day after `day` (`day` itself not counted)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working(day):
            count -= 1
    return day


@cache
def working_days(year: int) -> tuple[date, ...]:
    return tuple(sorted(d for d, working in _working().items() if working and d.year == year))


@cache
def holiday_eves(year: int) -> tuple[date, ...]:
    """Working days followed by three or more days off: the eves of the Spring Festival, National Day ..."""
    return tuple(d for d in working_days(year) if not any(is_working(d + timedelta(days=k)) for k in (1, 2, 3)))


def at(day: date, hhmm: str) -> str:
    return f"{day.isoformat()}T{hhmm}:00+08:00"


def plus_minutes(day: date, hhmm: str, minutes: int) -> str:
    start = datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time()) + timedelta(minutes=minutes)
    return f"{start.date().isoformat()}T{start.strftime('%H:%M')}:00+08:00"


# --- Who and what: units, people, topics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    slug: str
    name: str
    short: str
    vice_mayor: str
    principal: str
    in_charge: str
    municipal: str | None = None
    topics: tuple[str, ...] = ()
    classification: str = "FunctionalDepartment"

    @property
    def id(self) -> str:
        return f"org/{self.slug}"


VICE_MAYORS = {
    "wang-fang": ("王芳", "常务副区长, 分管发展改革、财政、统计工作"),
    "li-wei": ("李伟", "副区长, 分管应急管理、住房城乡建设、水务工作"),
    "chen-jing": ("陈静", "副区长, 分管商务、外事、临空经济区工作"),
    "zhang-hua": ("张华", "副区长, 分管教育、卫生健康、文化旅游、民政工作"),
    "liu-yang": ("刘洋", "副区长, 分管城市管理、交通、生态环境、农业农村工作"),
}
MAYOR = "person/zhou-ming"
OFFICE = "org/district-government-office"
DIRECTOR = "person/liu-jianguo"
DEPUTIES = ("person/zhao-xiaodong", "person/sun-li")
SECTIONS = {  # section -> its staff in the examples
    "dgo-general-section": ("person/ma-jun",),
    "dgo-secretariat": ("person/he-jing", "person/huang-xiaoyan"),
    "dgo-information-section": ("person/yang-fan",),
    "dgo-supervision-section": ("person/wu-tao",),
    "dgo-duty-section": ("person/song-jie",),
    "dgo-foreign-affairs-section": ("person/zheng-lei", "person/lu-yang"),
}

DEPARTMENTS = (
    Unit("development-reform-commission", "大兴区发展和改革委员会", "区发展改革委", "wang-fang", "xu-wen", "he-bin",
         "beijing-development-reform-commission", ("重点项目投资进度", "营商环境优化提升", "年度经济社会发展计划执行")),
    Unit("finance-bureau", "大兴区财政局", "区财政局", "wang-fang", "gao-feng", "lin-na", "beijing-finance-bureau",
         ("区级预算执行", "政府专项债券资金使用", "财政资金绩效评价")),
    Unit("statistics-bureau", "大兴区统计局", "区统计局", "wang-fang", "statistics-bureau-director",
         "statistics-bureau-deputy", "beijing-statistics-bureau", ("经济普查数据质量", "统计执法检查整改")),
    Unit("emergency-bureau", "大兴区应急管理局", "区应急管理局", "li-wei", "han-zhiqiang", "cao-yang",
         "beijing-emergency-bureau", ("汛期安全生产和防汛准备", "危险化学品安全专项整治", "森林防火和冬季安全生产")),
    Unit("housing-commission", "大兴区住房和城乡建设委员会", "区住房城乡建设委", "li-wei",
         "housing-commission-director", "ding-lei", "beijing-housing-commission",
         ("回迁安置房建设", "老旧小区综合整治", "建筑施工安全")),
    Unit("water-bureau", "大兴区水务局", "区水务局", "li-wei", "water-bureau-director", "pan-yue",
         "beijing-water-authority", ("城市积水点治理", "农村供水保障", "河道综合治理")),
    Unit("commerce-bureau", "大兴区商务局", "区商务局", "chen-jing", "xie-min", "qian-hao", "beijing-commerce-bureau",
         ("便民商业网点建设", "外资招商引资", "消费季活动组织")),
    Unit("airport-economic-zone", "北京大兴国际机场临空经济区(大兴)管理委员会", "临空经济区管委会", "chen-jing",
         "yuan-li", "airport-economic-zone-deputy", None, ("临空经济区重点项目落地", "综合保税区招商"),
         classification="DistrictUnit"),
    Unit("education-commission", "大兴区教育委员会", "区教委", "zhang-hua", "zhu-hong", "education-commission-deputy",
         "beijing-education-commission", ("中小学学位建设", "校园安全", "义务教育优质均衡")),
    Unit("health-commission", "大兴区卫生健康委员会", "区卫生健康委", "zhang-hua", "health-commission-director",
         "health-commission-deputy", "beijing-health-commission", ("基层医疗卫生服务能力", "传染病防控")),
    Unit("culture-tourism-bureau", "大兴区文化和旅游局", "区文化旅游局", "zhang-hua", "culture-tourism-bureau-director",
         "culture-tourism-bureau-deputy", "beijing-culture-tourism-bureau", ("文旅消费季", "文物安全检查")),
    Unit("civil-affairs-bureau", "大兴区民政局", "区民政局", "zhang-hua", "civil-affairs-bureau-director",
         "civil-affairs-bureau-deputy", "beijing-civil-affairs-bureau", ("农村互助养老服务", "困难群众救助")),
    Unit("urban-management-committee", "大兴区城市管理委员会", "区城市管理委", "liu-yang",
         "urban-management-committee-director", "urban-management-committee-deputy",
         "beijing-urban-management-commission", ("冬季供暖保障", "生活垃圾分类", "背街小巷环境整治")),
    Unit("transport-bureau", "大兴区交通局", "区交通局", "liu-yang", "transport-bureau-director",
         "transport-bureau-deputy", "beijing-transport-commission", ("社区公交接驳线路", "农村公路养护")),
    Unit("ecology-environment-bureau", "大兴区生态环境局", "区生态环境局", "liu-yang",
         "ecology-environment-bureau-director", "ecology-environment-bureau-deputy",
         "beijing-ecology-environment-bureau", ("大气污染防治", "土壤污染风险管控")),
    Unit("agriculture-rural-bureau", "大兴区农业农村局", "区农业农村局", "liu-yang",
         "agriculture-rural-bureau-director", "agriculture-rural-bureau-deputy", "beijing-agriculture-rural-bureau",
         ("农村人居环境整治", "高标准农田建设")),
)
TOWNS = (
    ("lixian-town", "大兴区礼贤镇人民政府", "礼贤镇", "luo-gang", "fan-lihua"),
    ("qingyundian-town", "大兴区青云店镇人民政府", "青云店镇", "qingyundian-town-head", "jiang-tao"),
    ("guanyinsi-street", "大兴区观音寺街道办事处", "观音寺街道", "guanyinsi-street-director",
     "guanyinsi-street-deputy"),
    ("xihongmen-town", "大兴区西红门镇人民政府", "西红门镇", "xihongmen-town-head", "xihongmen-town-deputy"),
    ("huangcun-town", "大兴区黄村镇人民政府", "黄村镇", "huangcun-town-head", "huangcun-town-deputy"),
    ("yufa-town", "大兴区榆垡镇人民政府", "榆垡镇", "yufa-town-head", "yufa-town-deputy"),
    ("anding-town", "大兴区安定镇人民政府", "安定镇", "anding-town-head", "anding-town-deputy"),
    ("panggezhuang-town", "大兴区庞各庄镇人民政府", "庞各庄镇", "panggezhuang-town-head", "panggezhuang-town-deputy"),
    ("weishanzhuang-town", "大兴区魏善庄镇人民政府", "魏善庄镇", "weishanzhuang-town-head",
     "weishanzhuang-town-deputy"),
    ("caiyu-town", "大兴区采育镇人民政府", "采育镇", "caiyu-town-head", "caiyu-town-deputy"),
    ("changziying-town", "大兴区长子营镇人民政府", "长子营镇", "changziying-town-head", "changziying-town-deputy"),
    ("qingyuan-street", "大兴区清源街道办事处", "清源街道", "qingyuan-street-director", "qingyuan-street-deputy"),
    ("xingfeng-street", "大兴区兴丰街道办事处", "兴丰街道", "xingfeng-street-director", "xingfeng-street-deputy"),
    ("tiangongyuan-street", "大兴区天宫院街道办事处", "天宫院街道", "tiangongyuan-street-director",
     "tiangongyuan-street-deputy"),
)
GRASSROOTS = tuple(Unit(slug, name, short, tuple(VICE_MAYORS)[i % len(VICE_MAYORS)], head, deputy,
                        topics=("农村人居环境整治", "老旧小区改造", "安置房配套设施"), classification="GrassrootsUnit")
                   for i, (slug, name, short, head, deputy) in enumerate(TOWNS))
MUNICIPAL_NAMES = {
    "beijing-finance-bureau": "北京市财政局", "beijing-statistics-bureau": "北京市统计局",
    "beijing-housing-commission": "北京市住房和城乡建设委员会", "beijing-water-authority": "北京市水务局",
    "beijing-education-commission": "北京市教育委员会", "beijing-health-commission": "北京市卫生健康委员会",
    "beijing-culture-tourism-bureau": "北京市文化和旅游局", "beijing-civil-affairs-bureau": "北京市民政局",
    "beijing-urban-management-commission": "北京市城市管理委员会", "beijing-transport-commission": "北京市交通委员会",
    "beijing-ecology-environment-bureau": "北京市生态环境局", "beijing-agriculture-rural-bureau": "北京市农业农村局",
}
MUNICIPAL_LEADERS = {  # municipal unit -> the leader who comes (three of them are in the examples)
    "beijing-emergency-bureau": "chen-weidong", "beijing-commerce-bureau": "liang-yu",
    "beijing-development-reform-commission": "tang-ning",
}
PEER_OFFICES = {"tongzhou-government-office": "北京市通州区人民政府办公室",
                "fangshan-government-office": "北京市房山区人民政府办公室",
                "shunyi-government-office": "北京市顺义区人民政府办公室",
                "changping-government-office": "北京市昌平区人民政府办公室"}
ABROAD = (
    ("德国汉堡", "Hamburg Port Authority", "与汉堡港务局洽谈临空物流合作并签署合作备忘录"),
    ("荷兰鹿特丹", "Netherlands Foreign Investment Agency (NFIA)", "举办北京大兴国际机场临空经济区招商推介会"),
    ("新加坡", "Changi Airport Group", "考察樟宜机场临空产业园区运营并洽谈合作"),
    ("日本大阪", "Osaka Chamber of Commerce and Industry", "与大阪商工会议所洽谈生物医药企业投资项目"),
    ("韩国仁川", "Incheon Free Economic Zone Authority", "考察仁川自由经济区综合保税区建设"),
    ("法国巴黎", "Business France", "参加中法临空经济合作论坛并作招商推介"),
)
STUDY_ABROAD = (
    ("香港特别行政区", "香港特别行政区政府档案处", "公文电子化流转和档案数字化管理"),
    ("澳门特别行政区", "澳门特别行政区政府行政公职局", "政务服务一网通办和电子政务"),
    ("新加坡", "Singapore Civil Service College", "政府信息公开和公共服务数字化"),
)
STUDY_DOMESTIC = (
    ("浙江省杭州市", "政务信息报送和数字政府一网协同"), ("上海市浦东新区", "一网统管城市运行管理"),
    ("广东省深圳市", "政务服务标准化和营商环境"), ("江苏省苏州市", "公文办理质效提升"),
    ("四川省成都市", "基层治理和接诉即办"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "霞",
         "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "立新", "国庆", "红梅", "文博", "子涵")


def _ref(person: str) -> str:
    return person if person.startswith("person/") else f"person/{person}"


def part(person: str | None = None, role: str | None = None, unit: str | None = None, **more) -> dict:
    """One participation object, as docs/records.md describes it."""
    found = {}
    if person:
        found["person"] = _ref(person)
    if role:
        found["role"] = role
    if unit:
        found["unit"] = unit
    found.update(more)
    return found


# --- The generator ------------------------------------------------------------------------------------------------


@dataclass
class Generated:
    """What one run produced: records by kind, the intended findings, and counts."""

    base: list[dict] = field(default_factory=list)
    events: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    expected: dict[str, list[str]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)  # event id -> position in the run

    def records(self) -> list[dict]:
        return self.base + [r for kind in sorted(self.events) for r in self.events[kind]]

    def event_count(self) -> int:
        return sum(len(v) for v in self.events.values())


class _Generator:
    def __init__(self, events: int, violation_share: float, seed: int):
        self.rng = random.Random(seed)
        self.target = events
        self.share = violation_share
        self.out = Generated()
        self.seq = 0
        self.years = YEARS[:max(1, min(len(YEARS), -(-events // EVENTS_PER_YEAR)))]
        self.people: dict[str, dict] = {}
        self.orgs: dict[str, dict] = {}
        self.busy: dict[str, list[date]] = defaultdict(list)  # key -> dates taken (scheduling of grouped rules)
        self.meetings_for_minutes: list[tuple[str, date, str]] = []
        self.issue_numbers: Counter = Counter()
        self.events_made = 0
        self.violating = 0

    # -- helpers --

    def next_id(self, prefix: str, day: date, slug: str) -> str:
        self.seq += 1
        return f"{prefix}/{day.isoformat()}-{slug}-{self.seq:05d}"

    def day(self, year: int | None = None, avoid_monday: bool = False) -> date:
        year = year or self.rng.choice(self.years)
        days = working_days(year)
        while True:
            chosen = self.rng.choice(days)
            if not (avoid_monday and chosen.isoweekday() == 1):
                return chosen

    def receipt_day(self) -> date:
        """A working day; one in ten is the eve of a holiday of three days or more."""
        year = self.rng.choice(self.years)
        if self.rng.random() < 0.1 and holiday_eves(year):
            return self.rng.choice(holiday_eves(year))
        return self.day(year)

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def free(self, keys: list[str], day: date, gap: int) -> bool:
        return all(abs((day - other).days) >= gap for key in keys for other in self.busy[key])

    def schedule(self, keys: list[str], gap: int, tries: int = 40, **day_options) -> tuple[date, bool]:
        """A day on which none of `keys` is busy within `gap` days; (day, False) when none was found."""
        for _ in range(tries):
            chosen = self.day(**day_options)
            if self.free(keys, chosen, gap):
                for key in keys:
                    self.busy[key].append(chosen)
                return chosen, True
        chosen = self.day(**day_options)
        for key in keys:
            self.busy[key].append(chosen)
        return chosen, False

    def violation(self, options: list[tuple[str, tuple[str, ...]]]) -> tuple[str | None, tuple[str, ...]]:
        """(name, shapes) of the violation this event is made to carry, or (None, ()) for a conforming one."""
        if self.rng.random() >= self.share or not options:
            return None, ()
        return self.rng.choice(options)

    def emit(self, kind: str, record: dict, shapes: tuple[str, ...] = ()) -> None:
        self.out.events[kind].append(record)
        self.out.order[record["id"]] = self.events_made
        self.events_made += 1
        if shapes:
            self.out.expected[record["id"]] = sorted(set(shapes))
            self.violating += 1

    def person(self, ident: str, name: str, role: str | None, unit: str, status: str = "CivilServant",
               note: str | None = None) -> str:
        ref = _ref(ident)
        if ref not in self.people:
            post = {"unit": unit}
            if role:
                post = {"role": role, **post}
            record = {"id": ref, "type": "Person", "name": name, "status": status, "posts": [post]}
            if note:
                record["note"] = note
            self.people[ref] = record
        return ref

    # -- base records --

    def build_base(self) -> None:
        known = json.loads(BASE_FILE.read_text(encoding="utf-8"))
        for record in known:
            (self.people if record["type"] == "Person" else self.orgs)[record["id"]] = record
        for slug, (name, note) in VICE_MAYORS.items():
            self.person(slug, name, "ViceDistrictMayor", "org/district-government", note=note)
        for unit in (*DEPARTMENTS, *GRASSROOTS):
            if unit.id not in self.orgs:
                self.orgs[unit.id] = {"id": unit.id, "type": "Organisation", "name": unit.name,
                                      "classification": unit.classification}
                if unit.classification == "FunctionalDepartment":
                    self.orgs[unit.id]["subOrganizationOf"] = "org/district-government"
            self.person(unit.principal, self.name(), "UnitPrincipalLeader", unit.id, note=f"{unit.short}主要负责人")
            self.person(unit.in_charge, self.name(), "UnitLeaderInCharge", unit.id, note=f"{unit.short}分管领导")
            self.person(f"{unit.slug}-staff", self.name(), None, unit.id, note=f"{unit.short}科室负责人")
            self.person(f"{unit.slug}-clerk", self.name(), None, unit.id, note=f"{unit.short}办公室工作人员")
            periodical = f"periodical/{unit.slug}-bulletin"
            self.orgs[periodical] = {"id": periodical, "type": "BulletinPeriodical", "title": f"{unit.short}工作简报",
                                     "compiledBy": unit.id, "since": "2016-06-01"}
        for slug, name in {**MUNICIPAL_NAMES, **PEER_OFFICES}.items():
            ident = f"org/{slug}"
            if ident not in self.orgs:
                self.orgs[ident] = {"id": ident, "type": "Organisation", "name": name}
                if slug in MUNICIPAL_NAMES:
                    self.orgs[ident]["classification"] = "MunicipalLevelUnit"
        for unit in DEPARTMENTS:
            if unit.municipal and unit.municipal not in MUNICIPAL_LEADERS:
                self.person(f"{unit.municipal}-leader", self.name(), "MunicipalUnitLeader", f"org/{unit.municipal}",
                            note=f"{MUNICIPAL_NAMES[unit.municipal]}副局长")
        for k in range(1, 3):
            self.person(f"enterprise-representative-{k}", self.name(), None, "org/airport-zone-development-company",
                        status="EnterpriseStaff", note="区属国有企业代表")
        self.orgs["periodical/daxing-information"] = {
            "id": "periodical/daxing-information", "type": "BulletinPeriodical", "title": "大兴信息",
            "publication": "DaxingInformation", "compiledBy": "org/dgo-information-section"}
        self.orgs["periodical/decision-reference"] = {
            "id": "periodical/decision-reference", "type": "BulletinPeriodical", "title": "决策参考",
            "compiledBy": "org/dgo-information-section", "note": "区政府办公室编发的参考类简报"}
        for year in self.years:
            self.orgs[f"plan/{year}"] = {
                "id": f"plan/{year}", "type": "AnnualMeetingPlan", "year": str(year), "adopted": f"{year}-01-15",
                "title": f"大兴区人民政府{year}年全体会、常务会和专题会计划"}

    def finish_base(self) -> None:
        self.out.base = list(self.orgs.values()) + list(self.people.values())

    # -- meetings --

    def meeting(self) -> None:
        kind = self.rng.choices(["special", "mayor-special", "executive", "plenary", "conference", "training",
                                 "internal", "grassroots"], [30, 6, 12, 4, 8, 12, 10, 18])[0]
        getattr(self, f"_meeting_{kind.replace('-', '_')}")()

    def _speeches_units(self, unit: Unit, count: int) -> list[Unit]:
        same = [u for u in DEPARTMENTS if u.vice_mayor == unit.vice_mayor and u != unit]
        return [unit, *self.rng.sample(same, min(count - 1, len(same)))]

    def _notice(self, day: date, theme: str, content: str) -> dict:
        issued = day - timedelta(days=self.rng.randint(2, 6))
        return {"issued": at(issued, self.rng.choice(["10:00", "15:00", "16:30"])), "theme": theme, "content": content}

    def _meeting_special(self) -> None:
        unit = self.rng.choice(DEPARTMENTS)
        units = self._speeches_units(unit, self.rng.randint(2, 3))
        topic = self.rng.choice(unit.topics)
        day = self.day()
        start = self.rng.choice(["09:00", "10:30", "14:30", "15:00"])
        minutes = self.rng.randint(40, 60)
        leader = self.rng.randint(8, 14)
        reports = [self.rng.randint(6, 10) for _ in units[:2]]
        name, shapes = self.violation([("61 minutes", ("A08-3_SpecialTopicMeetingMaxOneHour",)),
                                       ("16-minute speech", ("A08-5_LeaderSpeechMaxFifteenMinutes",)),
                                       ("notice after start", ("A07-6_NoticeIssuedBeforeMeeting",))])
        if name == "61 minutes":
            minutes = 61
        elif name == "16-minute speech":
            leader = 16
        ident = self.next_id("meeting", day, "special-topic")
        notice = self._notice(day, f"研究{topic}工作", "; ".join(f"{u.short}汇报{topic}有关情况" for u in units[:2]))
        if name == "notice after start":
            notice["issued"] = plus_minutes(day, start, 30)
        record = {
            "id": ident, "type": "Meeting", "kind": "SpecialTopicMeeting", "title": f"研究{topic}工作专题会",
            "organiser": "org/district-government", "plan": f"plan/{day.year}",
            "purpose": self.rng.choice(["Coordination", "Decision"]),
            "start": at(day, start), "end": plus_minutes(day, start, minutes),
            "venue": {"name": self.rng.choice(["区政府第二会议室", "区政府第三会议室"]), "kind": "InternalMeetingRoom"},
            "notice": notice,
            "convener": part(unit.vice_mayor, "DistrictLeaderInCharge"),
            "participants": [part(u.in_charge, "UnitLeaderInCharge", u.id) for u in units],
            "agenda": [{"title": f"{topic}有关问题", "relatedUnits": [u.id for u in units]}],
            "speeches": [*({"kind": "ItemReport", "speaker": _ref(u.in_charge), "minutes": m}
                           for u, m in zip(units, reports, strict=False)),
                         {"kind": "LeaderSpeech", "speaker": _ref(unit.vice_mayor), "minutes": leader}],
            "flowersOrPlants": False, "backdrop": False,
        }
        self.emit("meeting", record, shapes)
        self.meetings_for_minutes.append((ident, day, plus_minutes(day, start, minutes)))

    def _meeting_mayor_special(self) -> None:
        unit = self.rng.choice(DEPARTMENTS)
        units = self._speeches_units(unit, 2)
        topic = self.rng.choice(unit.topics)
        day = self.day()
        minutes = self.rng.randint(45, 60)
        name, shapes = self.violation([("61 minutes", ("A08-3_SpecialTopicMeetingMaxOneHour",)),
                                       ("backdrop", ("A09-10_NoBackdrop",))])
        if name == "61 minutes":
            minutes = 61
        ident = self.next_id("meeting", day, "mayor-special-topic")
        record = {
            "id": ident, "type": "Meeting", "kind": "SpecialTopicMeeting", "title": f"研究{topic}专题会",
            "organiser": "org/district-government", "plan": f"plan/{day.year}", "purpose": "Decision",
            "start": at(day, "15:00"), "end": plus_minutes(day, "15:00", minutes),
            "venue": {"name": "区政府第二会议室", "kind": "InternalMeetingRoom"},
            "notice": self._notice(day, f"研究{topic}中的重点问题",
                                   f"一、{unit.short}汇报{topic}情况; 二、研究解决措施"),
            "convener": part(MAYOR, "DistrictMayor"),
            "participants": [part(unit.vice_mayor, "RelevantViceDistrictMayor"),
                             *(part(u.principal, "UnitPrincipalLeader", u.id) for u in units)],
            "agenda": [{"title": f"{topic}重点问题", "relatedUnits": [u.id for u in units]}],
            "speeches": [{"kind": "ItemReport", "speaker": _ref(unit.principal), "minutes": self.rng.randint(8, 12)},
                         {"kind": "LeaderSpeech", "speaker": MAYOR, "minutes": self.rng.randint(8, 12)}],
            "flowersOrPlants": False, "backdrop": name == "backdrop",
        }
        self.emit("meeting", record, shapes)
        self.meetings_for_minutes.append((ident, day, plus_minutes(day, "15:00", minutes)))

    def _meeting_executive(self) -> None:
        day = self.day()
        units = self.rng.sample(DEPARTMENTS, 2)
        mayor_minutes = self.rng.randint(10, 15)
        # The speech caps of A08.4 and A08.5 do not apply to the executive meeting (catalogue IQ01); A08.6 does.
        name, shapes = self.violation([("two district leaders speak", ("A08-6_OneDistrictLeaderSpeechPerMeeting",))])
        speeches = [{"kind": "ItemReport", "speaker": _ref(u.principal), "minutes": self.rng.randint(8, 12)}
                    for u in units]
        if name == "two district leaders speak":
            speeches.append({"kind": "LeaderSpeech", "speaker": _ref(units[0].vice_mayor), "minutes": 8})
        speeches.append({"kind": "LeaderSpeech", "speaker": MAYOR, "minutes": mayor_minutes})
        number = self.rng.randint(20, 60)
        ident = self.next_id("meeting", day, "executive")
        topics = [self.rng.choice(u.topics) for u in units]
        record = {
            "id": ident, "type": "Meeting", "kind": "ExecutiveMeeting", "title": f"区政府第{number}次常务会议",
            "organiser": "org/district-government", "plan": f"plan/{day.year}", "purpose": "Decision",
            "start": at(day, "09:00"), "end": at(day, "11:30"),
            "venue": {"name": "区政府第一会议室", "kind": "InternalMeetingRoom"},
            "notice": self._notice(day, f"审议{topics[0]}和{topics[1]}有关事项",
                                   f"一、审议{topics[0]}方案; 二、审议{topics[1]}方案"),
            "convener": part(MAYOR, "DistrictMayor"),
            "participants": [*(part(vm, "ViceDistrictMayor") for vm in VICE_MAYORS),
                             *(part(u.principal, "UnitPrincipalLeader", u.id) for u in units)],
            "agenda": [{"title": f"{t}方案", "relatedUnits": [u.id]} for t, u in zip(topics, units, strict=True)],
            "speeches": speeches, "flowersOrPlants": False, "backdrop": False,
        }
        self.emit("meeting", record, shapes)
        self.meetings_for_minutes.append((ident, day, at(day, "11:30")))

    def _meeting_plenary(self) -> None:
        day = self.day()
        units = self.rng.sample(DEPARTMENTS[1:], 4)
        main, leader = self.rng.randint(15, 20), self.rng.randint(12, 15)
        name, shapes = self.violation([("21-minute main report", ("A08-4_MainReportMaxTwentyMinutes",)),
                                       ("16-minute speech", ("A08-5_LeaderSpeechMaxFifteenMinutes",)),
                                       ("flowers", ("A09-9_NoFlowersOrPlants",))])
        if name == "21-minute main report":
            main = 21
        elif name == "16-minute speech":
            leader = 16
        drc = DEPARTMENTS[0]
        record = {
            "id": self.next_id("meeting", day, "plenary"), "type": "Meeting", "kind": "PlenaryMeeting",
            "title": f"区政府第{self.rng.randint(3, 12)}次全体会议", "organiser": "org/district-government",
            "plan": f"plan/{day.year}", "purpose": "Briefing", "start": at(day, "14:30"), "end": at(day, "16:10"),
            "venue": {"name": "区政府多功能厅", "kind": "InternalMeetingRoom"},
            "notice": self._notice(day, "通报全区经济运行情况, 安排下一阶段重点工作",
                                   "一、区发展改革委通报经济运行情况; 二、区长讲话"),
            "convener": part(MAYOR, "DistrictMayor"),
            "participants": [*(part(vm, "ViceDistrictMayor") for vm in VICE_MAYORS),
                             part(drc.principal, "UnitPrincipalLeader", drc.id),
                             *(part(u.principal, "UnitPrincipalLeader", u.id) for u in units)],
            "speeches": [{"kind": "MainReport", "speaker": _ref(drc.principal), "minutes": main},
                         {"kind": "LeaderSpeech", "speaker": MAYOR, "minutes": leader}],
            "flowersOrPlants": name == "flowers", "backdrop": False,
        }
        self.emit("meeting", record, shapes)

    def _meeting_conference(self) -> None:
        name, shapes = self.violation([("flowers", ("A09-9_NoFlowersOrPlants",)),
                                       ("on a Monday", ("A06-3_NoDistrictWideMassMeetingOnMonday",)),
                                       ("backdrop", ("A09-10_NoBackdrop",))])
        day = self.day(avoid_monday=name != "on a Monday")
        if name == "on a Monday":
            while day.isoweekday() != 1:
                day = self.day()
        unit = self.rng.choice(DEPARTMENTS)
        topic = self.rng.choice(unit.topics)
        others = self.rng.sample([u for u in (*DEPARTMENTS, *GRASSROOTS) if u != unit], 4)
        record = {
            "id": self.next_id("meeting", day, "work-conference"), "type": "Meeting",
            "kind": ["WorkConference", "DistrictWideMassMeeting"], "title": f"{day.year}年大兴区{topic}工作会",
            "organiser": unit.id, "scope": "DistrictWide", "purpose": "WorkDeployment",
            "start": at(day, "14:30"), "end": at(day, "16:00"),
            "venue": {"name": "区政府多功能厅", "kind": "InternalMeetingRoom"},
            "notice": self._notice(day, f"部署{day.year}年{topic}重点任务",
                                   f"一、{unit.short}作工作报告; 二、签订责任书; 三、区长讲话"),
            "participants": [part(MAYOR, "DistrictMayor"), part(unit.vice_mayor, "DistrictLeaderInCharge"),
                             part(unit.principal, "UnitPrincipalLeader", unit.id),
                             *(part(u.principal, "UnitPrincipalLeader", u.id) for u in others)],
            "speeches": [{"kind": "ChairRemarks", "speaker": _ref(unit.vice_mayor), "minutes": 6},
                         {"kind": "MainReport", "speaker": _ref(unit.principal), "minutes": self.rng.randint(15, 20)},
                         {"kind": "LeaderSpeech", "speaker": MAYOR, "minutes": self.rng.randint(12, 15)}],
            "distributedItems": [{"title": f"{day.year}年{topic}工作要点", "class": "MeetingMaterial"}],
            "flowersOrPlants": name == "flowers", "backdrop": name == "backdrop",
            "exceptions": [{"provision": "A06-6", "justification": "责任书须由区长与各镇街、部门主要负责人当场签订, "
                                                                   "并对重点任务作面对面部署, 无法以文件传达代替"}],
        }
        self.emit("meeting", record, shapes)

    def _meeting_training(self) -> None:
        day = self.day()
        deputy = self.rng.choice(DEPUTIES)
        section = self.rng.choice(list(SECTIONS))
        headcount = self.rng.randint(40, 80)
        standard = 60
        per_head = self.rng.randint(40, 60)
        name, shapes = self.violation([("table banquet", ("A09-5_WorkingMealIsBuffet",)),
                                       ("meal over standard", ("A09-6_MealWithinStandard",)),
                                       ("flowers", ("A09-9_NoFlowersOrPlants",)),
                                       ("resort evening", ("A09-7_NoHighConsumptionActivity",))])
        if name == "meal over standard":
            per_head = 75
        units = self.rng.sample(DEPARTMENTS, 4)
        record = {
            "id": self.next_id("meeting", day, "office-training"), "type": "Meeting",
            "kind": "OfficeLedInterdepartmentalMeeting", "title": "全区政务信息和公文办理业务培训会",
            "organiser": OFFICE, "purpose": "Training", "start": at(day, "09:00"), "end": at(day, "16:30"),
            "venue": {"name": "区政府第三会议室", "kind": "InternalMeetingRoom"},
            "notice": self._notice(day, "提高政务信息报送和公文办理质量",
                                   "上午: 业务要求解读; 下午: 案例讲评和写作练习"),
            "participants": [part(deputy, "OfficeDeputyDirector", OFFICE),
                             part(SECTIONS[section][0], "OfficePersonnel", OFFICE),
                             *({"unit": u.id} for u in units)],
            "speeches": [{"kind": "LeaderSpeech", "speaker": _ref(deputy), "minutes": self.rng.randint(8, 12)}],
            "meals": [{"title": "培训会午间工作餐", "kind": "TableBanquet" if name == "table banquet" else "Buffet",
                       "headcount": headcount, "totalCost": headcount * per_head, "standardPerHead": standard,
                       "venue": {"name": "区政府机关食堂", "kind": "GovernmentCanteen"}}],
            "flowersOrPlants": name == "flowers", "backdrop": False,
        }
        if name == "resort evening":
            record["sideActivities"] = [{"title": "组织参训人员到温泉度假村娱乐",
                                         "kind": "HighConsumptionEntertainment", "highConsumption": True}]
        self.emit("meeting", record, shapes)

    def _meeting_internal(self) -> None:
        day, alone = self.schedule(["office-internal-meeting"], gap=1)
        all_staff = self.rng.random() < 0.15
        name, shapes = self.violation([("flowers", ("A09-9_NoFlowersOrPlants",)),
                                       ("backdrop", ("A09-10_NoBackdrop",))])
        staff = [s for staff in SECTIONS.values() for s in staff]
        record = {
            "id": self.next_id("meeting", day, "all-staff" if all_staff else "office-internal"), "type": "Meeting",
            "kind": "AllStaffMeeting" if all_staff else "OfficeInternalMeeting",
            "title": "区政府办公室全体干部职工大会" if all_staff else "区政府办公室主任办公会",
            "organiser": OFFICE, "scope": "Office", "purpose": "Briefing" if all_staff else "Coordination",
            "start": at(day, "16:00"), "end": at(day, "16:45"),
            "venue": {"name": "区政府办公室小会议室", "kind": "InternalMeetingRoom"},
            "participants": [part(DIRECTOR, "OfficeDirector", OFFICE),
                             *(part(d, "OfficeDeputyDirector", OFFICE) for d in DEPUTIES),
                             *(part(s, "OfficePersonnel", OFFICE) for s in self.rng.sample(staff, 2))],
            "speeches": [{"kind": "LeaderSpeech", "speaker": DIRECTOR, "minutes": self.rng.randint(6, 15)}],
            "flowersOrPlants": name == "flowers", "backdrop": name == "backdrop",
        }
        if all_staff:
            record["exceptions"] = [{"provision": "A06-5", "justification": "传达学习上级会议精神并开展作风建设动员, "
                                                                           "要求全体干部职工参加"}]
        if not alone:
            record["noCombineReason"] = "当日另有主任办公会, 议题和参会范围不同, 不宜合并"
        self.emit("meeting", record, shapes)
        self.meetings_for_minutes.append((record["id"], day, at(day, "16:45")))

    def _meeting_grassroots(self) -> None:
        town = self.rng.choice(GRASSROOTS)
        unit = self.rng.choice(DEPARTMENTS)
        day = self.day()
        name, shapes = self.violation([("flowers", ("A09-9_NoFlowersOrPlants",))])
        record = {
            "id": self.next_id("meeting", day, "grassroots-coordination"), "type": "Meeting",
            "kind": ["Meeting", "WorkMeeting"], "title": f"{town.short}{self.rng.choice(unit.topics)}问题现场协调会",
            "organiser": OFFICE, "purpose": "Coordination", "start": at(day, "10:00"), "end": at(day, "11:10"),
            "venue": {"name": f"{town.short}第二会议室"}, "relatedUnits": [town.id, unit.id],
            "participants": [part(self.rng.choice(DEPUTIES), "OfficeDeputyDirector", OFFICE),
                             part("ma-jun", "OfficePersonnel", OFFICE),
                             part(town.in_charge, "UnitLeaderInCharge", town.id),
                             part(unit.in_charge, "UnitLeaderInCharge", unit.id)],
            "flowersOrPlants": name == "flowers", "backdrop": False,
            "note": "只通知涉及问题的单位, 未安排接待用餐",
        }
        self.emit("meeting", record, shapes)

    # -- receptions --

    def reception(self) -> None:
        kind = self.rng.choices(["unit-leader", "municipal-leader", "combined", "office"], [55, 12, 13, 20])[0]
        getattr(self, f"_reception_{kind.replace('-', '_')}")()

    def _reception_violation(self, with_meal: bool) -> tuple[str | None, tuple[str, ...]]:
        options = [("flowers", ("A05-5_NoFlowersOrPlants",)), ("fruit", ("A05-5_NoFruit",)),
                   ("banner", ("A05-6_NoWelcomeBanner",)), ("welcome ceremony", ("A05-3_NoWelcomeCeremony",))]
        if with_meal:
            options.append(("high-end dish", ("A05-10_NoHighEndDishes",)))
        return self.violation(options)

    def _courtesies(self, name: str | None) -> dict:
        return {"welcomeCeremony": name == "welcome ceremony", "vipLounge": False, "flowersOrPlants": name == "flowers",
                "fruit": name == "fruit", "welcomeBanner": name == "banner", "policeEscort": False}

    def _meal(self, headcount: int, name: str | None) -> dict:
        dishes = self.rng.sample(["西红柿炒鸡蛋", "清炒时蔬", "红烧鸡块", "宫保鸡丁", "麻婆豆腐", "家常豆腐",
                                  "土豆丝"], 3)
        served = [{"name": d, "highEnd": False} for d in dishes]
        if name == "high-end dish":
            served.append({"name": "清蒸鲍鱼", "highEnd": True})
        return {"title": "工作午餐", "kind": ["ExternalReceptionWorkMeal", "SetMeal"],
                "venue": {"name": "区政府机关食堂", "kind": "GovernmentCanteen"}, "headcount": headcount,
                "totalCost": headcount * 40, "standardPerHead": 40, "dishes": served,
                "drinks": [{"name": self.rng.choice(["矿泉水", "茶水"]), "highEnd": False, "alcoholic": False}]}

    def _reception_unit_leader(self) -> None:
        units = [u for u in DEPARTMENTS if u.municipal]
        lead = self.rng.choice(units)
        related = self.rng.choice([u for u in DEPARTMENTS if u.vice_mayor == lead.vice_mayor and u != lead]
                                  or [u for u in DEPARTMENTS if u != lead])
        municipal = f"org/{lead.municipal}"
        day, alone = self.schedule([municipal], gap=30)
        name, shapes = self._reception_violation(with_meal=True)
        topic = self.rng.choice(lead.topics)
        leader = MUNICIPAL_LEADERS.get(lead.municipal, f"{lead.municipal}-leader")
        record = {
            "id": self.next_id("reception", day, "municipal-unit-visit"), "type": "Reception",
            "kind": "HigherLevelInspectionVisit", "title": f"接待{self.orgs[municipal]['name']}来区调研{topic}工作",
            "topic": topic, "organiser": "org/dgo-general-section",
            "start": at(day, "09:30"), "end": at(day, "12:30"), "guestTier": "MunicipalUnitLeader",
            "guests": [part(leader, "MunicipalUnitLeader", municipal), {"unit": municipal, "serviceStaff": True}],
            "leadUnit": lead.id, "relatedUnits": [related.id],
            "participants": [part(lead.vice_mayor, "DistrictLeaderInCharge"),
                             part(lead.principal, "LeadUnitPrincipalLeader", lead.id),
                             part(related.in_charge, "UnitLeaderInCharge", related.id),
                             part("ma-jun", "OfficePersonnel", "org/dgo-general-section", serviceStaff=True)],
            **self._courtesies(name),
            "mealsServed": [self._meal(self.rng.randint(6, 10), name)],
        }
        if not alone:
            record["noCombineReason"] = "两次调研由市级部门不同处室分别安排, 调研主题和点位不同, 经沟通无法合并"
        self.emit("reception", record, shapes)

    def _reception_municipal_leader(self) -> None:
        lead = self.rng.choice([u for u in DEPARTMENTS if u.municipal])
        town = self.rng.choice(GRASSROOTS)
        municipal = f"org/{lead.municipal}"
        day, alone = self.schedule(["org/beijing-municipal-government", municipal], gap=30)
        name, shapes = self._reception_violation(with_meal=False)
        topic = self.rng.choice(lead.topics)
        leader = MUNICIPAL_LEADERS.get(lead.municipal, f"{lead.municipal}-leader")
        record = {
            "id": self.next_id("reception", day, "municipal-leader-visit"), "type": "Reception",
            "kind": ["Reception", "HigherLevelInspectionVisit"], "title": f"接待张立新副市长来区调研{topic}",
            "topic": topic, "organiser": "org/dgo-general-section",
            "start": at(day, "14:00"), "end": at(day, "16:30"), "guestTier": "MunicipalLeader",
            "guests": [part("zhang-lixin", "MunicipalLeader", "org/beijing-municipal-government"),
                       part(leader, "MunicipalUnitLeader", municipal)],
            "involvedUnits": [lead.id, town.id],
            "participants": [part(MAYOR, "DistrictMayor"), part(lead.vice_mayor, "DistrictLeaderInCharge"),
                             part(lead.principal, "UnitPrincipalLeader", lead.id),
                             part(town.principal, "UnitPrincipalLeader", town.id)],
            **self._courtesies(name),
            "note": "调研结束后副市长一行返回市区, 未安排用餐",
        }
        if not alone:
            record["noCombineReason"] = "市领导调研日程由市政府办公厅统一安排, 无法与其他调研合并"
        self.emit("reception", record, shapes)

    def _reception_combined(self) -> None:
        vice_mayor = self.rng.choice([vm for vm in VICE_MAYORS
                                      if sum(1 for u in DEPARTMENTS if u.vice_mayor == vm and u.municipal) >= 2])
        lead, other = self.rng.sample([u for u in DEPARTMENTS if u.vice_mayor == vice_mayor and u.municipal], 2)
        keys = [f"org/{lead.municipal}", f"org/{other.municipal}"]
        day, alone = self.schedule(keys, gap=30)
        name, shapes = self._reception_violation(with_meal=False)
        leaders = [MUNICIPAL_LEADERS.get(u.municipal, f"{u.municipal}-leader") for u in (lead, other)]
        record = {
            "id": self.next_id("reception", day, "combined-visit"), "type": "Reception",
            "kind": ["CombinedReception", "HigherLevelInspectionVisit"],
            "title": f"合并接待{self.orgs[keys[0]]['name']}、{self.orgs[keys[1]]['name']}来区调研",
            "topic": f"{self.rng.choice(lead.topics)}和{self.rng.choice(other.topics)}",
            "organiser": "org/dgo-general-section", "start": at(day, "09:00"), "end": at(day, "11:30"),
            "guestTier": "MunicipalUnitLeader",
            "guests": [part(leaders[0], "MunicipalUnitLeader", keys[0]),
                       part(leaders[1], "MunicipalUnitLeader", keys[1])],
            "leadUnit": lead.id, "relatedUnits": [other.id],
            "participants": [part(vice_mayor, "DistrictLeaderInCharge"),
                             part(lead.principal, "LeadUnitPrincipalLeader", lead.id),
                             part(other.in_charge, "UnitLeaderInCharge", other.id)],
            **self._courtesies(name),
            "note": "两家市级单位原分别安排来区调研, 经综合科沟通机制协调合并为一次接待",
        }
        if not alone:
            record["noCombineReason"] = "另一次调研由市级部门临时安排, 无法提前协调合并"
        self.emit("reception", record, shapes)

    def _reception_office(self) -> None:
        peer = self.rng.choice(list(PEER_OFFICES))
        day = self.day()
        name, shapes = self._reception_violation(with_meal=True)
        record = {
            "id": self.next_id("reception", day, "peer-office-exchange"), "type": "Reception",
            "kind": ["OfficeReception", "ExternalReception"],
            "title": f"接待{PEER_OFFICES[peer]}来区交流政务公开和政务信息工作",
            "topic": "政务公开标准化规范化建设和政务信息报送", "organiser": OFFICE,
            "start": at(day, "09:30"), "end": at(day, "12:40"),
            "guests": [{"unit": f"org/{peer}", "note": "副主任"}, {"unit": f"org/{peer}", "note": "政务公开科科长"}],
            "participants": [part(self.rng.choice(DEPUTIES), "OfficeDeputyDirector", OFFICE),
                             part("yang-fan", "OfficePersonnel", "org/dgo-information-section")],
            **self._courtesies(name),
            "mealsServed": [self._meal(6, name)],
        }
        self.emit("reception", record, shapes)

    # -- grassroots visits and citizens' requests --

    def visit(self) -> None:
        town = self.rng.choice(GRASSROOTS)
        unit = self.rng.choice(DEPARTMENTS)
        section = self.rng.choice(["dgo-general-section", "dgo-supervision-section"])
        day = self.day()
        topic = self.rng.choice(unit.topics)
        name, shapes = self.violation([("hospitality meal", ("A02-4_NoHospitalityMeal",)),
                                       ("liaised with an unrelated unit", ("A02-2_LiaiseOnlyWithConcernedUnits",))])
        liaised = [town.id, unit.id]
        if name == "liaised with an unrelated unit":
            liaised.append(self.rng.choice([u for u in DEPARTMENTS if u != unit]).id)
        record = {
            "id": self.next_id("visit", day, f"grassroots-{town.slug}"), "type": "GrassrootsVisit",
            "kind": "GrassrootsVisit", "title": f"赴{town.short}调研{topic}情况",
            "topic": f"{town.short}{topic}中的突出问题",
            "organiser": f"org/{section}",
            "visitedUnits": [town.id], "relatedUnits": [unit.id], "liaisedUnits": liaised,
            "participants": [part(self.rng.choice(DEPUTIES), "LeadingCadre", OFFICE),
                             part(SECTIONS[section][0], "OfficePersonnel", f"org/{section}"),
                             part(town.in_charge, "UnitLeaderInCharge", town.id)],
        }
        if self.rng.random() < 0.2:
            record["date"] = day.isoformat()
        else:
            record["start"], record["end"] = at(day, "08:30"), at(day, "12:30")
        if name == "hospitality meal":
            record["mealsServed"] = [{"title": "镇政府安排午餐", "kind": "HospitalityMeal", "organiser": town.id,
                                      "venue": {"name": f"{town.short}政府食堂", "kind": "GovernmentCanteen"},
                                      "headcount": 6, "totalCost": 480, "publicFunds": True}]
        elif self.rng.random() < 0.5:
            record["mealsServed"] = [{"title": "在镇政府食堂就餐, 按标准交纳餐费", "kind": "SetMeal",
                                      "venue": {"name": f"{town.short}政府食堂", "kind": "GovernmentCanteen"},
                                      "headcount": 2, "totalCost": 40, "publicFunds": False}]
        self.emit("visit", record, shapes)

    def request(self) -> None:
        day = self.day()
        town = self.rng.choice(GRASSROOTS)
        unit = self.rng.choice(DEPARTMENTS)
        hotline = self.rng.random() < 0.7
        name, shapes = self.violation([("facts not verified", ("A01-3_RequestFactsVerified",)),
                                       ("no department coordinated", ("A01-3_RequestCoordinatedWithDepartments",))])
        topic = self.rng.choice(unit.topics)
        record = {
            "id": self.next_id("request", day, "hotline" if hotline else "citizen-visit"),
            "type": "PublicRequestHandling", "kind": "HotlineCallHandling" if hotline else "PublicVisitReception",
            "title": f"{'12345热线转办' if hotline else '接待群众来访'}: {town.short}居民反映{topic}问题",
            "start": at(day, "08:40"), "verified": at(day, "11:00"), "coordinated": at(day, "11:30"),
            "coordinatedUnits": [unit.id, town.id],
            "resolved": add_working_days(day, self.rng.randint(1, 5)).isoformat(),
            "participants": [part(self.rng.choice(["ma-jun", "huang-xiaoyan"]), "OfficePersonnel", OFFICE)],
        }
        if name == "facts not verified":
            record["verified"] = []  # recorded as never verified: a field left out would only be unknown
        elif name == "no department coordinated":
            record["coordinatedUnits"] = []
            del record["coordinated"]
        self.emit("request", record, shapes)

    # -- documents --

    def document(self) -> None:
        kind = self.rng.choices(["request", "report", "urgent", "minutes", "relay", "proposal"],
                                [35, 15, 8, 17, 10, 15])[0]
        if kind == "minutes" and not self.meetings_for_minutes:
            kind = "request"
        if kind == "relay" and self.events_made + 2 > self.target:
            kind = "request"
        getattr(self, f"_document_{kind}")()

    def _number(self, unit: Unit, year: int) -> str:
        self.issue_numbers[(unit.slug, year)] += 1
        return f"京兴{unit.short.removeprefix('区')[:2]}文〔{year}〕{self.issue_numbers[(unit.slug, year)]}号"

    def _staff(self) -> dict:
        person = self.rng.choice(SECTIONS["dgo-secretariat"])
        return part(person, "OfficePersonnel", "org/dgo-secretariat")

    def _document_request(self) -> None:
        unit = self.rng.choice(DEPARTMENTS)
        received = self.receipt_day()
        name, shapes = self.violation([
            ("issued down on the 3rd working day", ("A10-6_IssuedDownWithinTwoWorkingDays",)),
            ("sent to the leader the next day", ("A10-4_RoutineDocumentSentOnDayOfReceipt",))])
        sent = at(received, "15:10")
        instructed_day, instructed = add_working_days(received, 1), "09:30"
        issued_day = add_working_days(instructed_day, self.rng.randint(1, 2))
        if name == "issued down on the 3rd working day":
            instructed_day, instructed = received, "17:20"
            issued_day = add_working_days(received, 3)
        elif name == "sent to the leader the next day":
            sent = at(instructed_day, "09:00")
            instructed = "11:00"
            issued_day = add_working_days(instructed_day, 1)
        topic = self.rng.choice(unit.topics)
        record = {
            "id": self.next_id("document", received, "request"), "type": "Document",
            "documentKind": ["RequestForInstructions", "RoutineDocument"], "title": f"关于{topic}有关事项的请示",
            "number": self._number(unit, received.year), "from": unit.id, "received": at(received, "10:20"),
            "channel": "OnlineOfficeSystem", "onlineEligible": True, "paperCopy": False,
            "pages": self.rng.randint(2, 6),
            "handling": {"start": at(received, "10:20"), "end": at(issued_day, "16:00")},
            "routing": [
                {"action": "SubmitUpward", "time": sent, "actor": self._staff(),
                 "recipients": [part(unit.vice_mayor, "DistrictLeaderInCharge")]},
                {"action": "Instruction", "time": at(instructed_day, instructed), "lastRequired": True,
                 "actor": part(unit.vice_mayor, "DistrictLeaderInCharge"),
                 "note": f"请{unit.short}会同有关部门按程序办理。"},
                {"action": "IssueDown", "time": at(issued_day, "15:30"), "actor": self._staff(),
                 "recipients": [{"unit": unit.id}]},
            ],
            "issuedDown": issued_day.isoformat(),
        }
        self.emit("document", record, shapes)

    def _document_report(self) -> None:
        unit = self.rng.choice(DEPARTMENTS)
        received = self.receipt_day()
        other = self.rng.choice([vm for vm in VICE_MAYORS if vm != unit.vice_mayor])
        name, shapes = self.violation([("circulated to a Vice Mayor not relevant",
                                        ("A10-3_ReportOnlyToMayorAndRelevantViceMayors",))])
        circulated = add_working_days(received, 1)
        record = {
            "id": self.next_id("document", received, "report"), "type": "Document",
            "documentKind": ["Report", "RoutineDocument"], "title": f"关于{self.rng.choice(unit.topics)}情况的报告",
            "number": self._number(unit, received.year), "from": unit.id, "received": at(received, "09:05"),
            "channel": "OnlineOfficeSystem", "onlineEligible": True, "paperCopy": False,
            "pages": self.rng.randint(3, 8),
            "handling": {"start": at(received, "09:05"), "end": at(add_working_days(received, 2), "17:00")},
            "routing": [
                {"action": "SubmitUpward", "time": at(received, "14:00"), "actor": self._staff(),
                 "recipients": [part(MAYOR, "DistrictMayor"), part(unit.vice_mayor, "RelevantViceDistrictMayor")]},
                {"action": "Circulate", "time": at(circulated, "16:00"), "actor": self._staff(),
                 "recipients": [part(other, "ViceDistrictMayor" if name else "RelevantViceDistrictMayor")],
                 "note": "区长阅后批转相关副区长阅知"},
            ],
            "note": "报告类文件, 领导阅知后归档, 无需下发",
        }
        self.emit("document", record, shapes)

    def _document_urgent(self) -> None:
        year = self.rng.choice(self.years)
        received = self.rng.choice([d for d in _working() if d.year == year])  # any day, holidays included
        unit = self.rng.choice(DEPARTMENTS)
        name, shapes = self.violation([("forwarded the next day", ("A10-5_UrgentDocumentSentOnDayOfReceipt",))])
        sent_day = received + timedelta(days=1) if name else received
        sent = at(sent_day, "08:30") if name else at(received, "21:25")
        instructed = at(sent_day, "09:00") if name else at(received, "21:50")
        issued = at(sent_day, "10:00") if name else at(received, "22:30")
        record = {
            "id": self.next_id("document", received, "urgent"), "type": "Document", "documentKind": "UrgentDocument",
            "title": f"关于做好{self.rng.choice(unit.topics)}应急处置工作的紧急通知",
            "number": f"京政办发明电〔{received.year}〕{self.rng.randint(1, 40)}号",
            "from": "org/beijing-government-general-office", "received": at(received, "21:10"),
            "requiresLocalImplementation": True, "channel": "OnlineOfficeSystem", "onlineEligible": True,
            "paperCopy": False, "handling": {"start": at(received, "21:10"), "end": issued},
            "routing": [
                {"action": "SubmitUpward", "time": sent,
                 "actor": part("song-jie", "OfficePersonnel", "org/dgo-duty-section"),
                 "recipients": [part(MAYOR, "DistrictMayor"), part(unit.vice_mayor, "RelevantViceDistrictMayor")]},
                {"action": "Instruction", "time": instructed, "lastRequired": True,
                 "actor": part(MAYOR, "DistrictMayor"),
                 "note": f"请{VICE_MAYORS[unit.vice_mayor][0]}同志牵头, 连夜部署各镇街和相关部门做好应对。"},
                {"action": "IssueDown", "time": issued,
                 "actor": part("song-jie", "OfficePersonnel", "org/dgo-duty-section"),
                 "recipients": [{"unit": unit.id}, *({"unit": t.id} for t in self.rng.sample(GRASSROOTS, 3))]},
            ],
            "issuedDown": issued[:10],
        }
        self.emit("document", record, shapes)

    def _document_minutes(self) -> None:
        meeting, day, ended = self.meetings_for_minutes.pop(self.rng.randrange(len(self.meetings_for_minutes)))
        name, shapes = self.violation([("submitted the next day", ("A11-9_MinutesSubmittedOnMeetingDay",))])
        submitted = at(add_working_days(day, 1), "09:00") if name else plus_minutes(day, ended[11:16], 70)
        if not name and submitted[:10] != day.isoformat():
            submitted = at(day, "23:30")
        record = {
            "id": self.next_id("document", day, "minutes"), "type": "Document", "documentKind": "MeetingMinutes",
            "title": "会议纪要", "number": f"会议纪要〔{day.year}〕{self.rng.randint(1, 80)}号", "from": OFFICE,
            "minutesOf": meeting, "submittedForApproval": submitted, "pages": 2, "channel": "OnlineOfficeSystem",
        }
        self.emit("document", record, shapes)

    def _document_relay(self) -> None:
        unit = self.rng.choice(DEPARTMENTS)
        received = self.receipt_day()
        instructed = add_working_days(received, 1)
        issued = add_working_days(instructed, self.rng.randint(1, 2))
        topic = self.rng.choice(unit.topics)
        notice_id = self.next_id("document", received, "municipal-notice")
        notice = {
            "id": notice_id, "type": "Document", "documentKind": ["HigherLevelGeneralDocument", "RoutineDocument"],
            "title": f"北京市人民政府办公厅关于做好{topic}工作的通知",
            "number": f"京政办发〔{received.year}〕{self.rng.randint(1, 60)}号",
            "from": "org/beijing-government-general-office", "received": at(received, "10:00"),
            "requiresLocalImplementation": True, "channel": "OnlineOfficeSystem", "onlineEligible": True,
            "paperCopy": False, "handling": {"start": at(received, "10:00"), "end": at(issued, "16:00")},
            "routing": [
                {"action": "SubmitUpward", "time": at(received, "14:30"), "actor": self._staff(),
                 "recipients": [part(unit.vice_mayor, "RelevantViceDistrictMayor")]},
                {"action": "Instruction", "time": at(instructed, "11:00"), "lastRequired": True,
                 "actor": part(unit.vice_mayor, "RelevantViceDistrictMayor"),
                 "note": "请区政府办结合我区实际提出具体贯彻意见后转发。"},
            ],
            "issuedDown": issued.isoformat(),
        }
        self.emit("document", notice)
        name, shapes = self.violation([("copies and relays", ("A11-4_NoCopyAndRelay",)),
                                       ("issued above the competent level", ("A11-5_NotIssuedAboveCompetentLevel",)),
                                       ("printed as well", ("A10-7_NotPrintedWhenOnline",))])
        record = {
            "id": self.next_id("document", issued, "relay"), "type": "Document", "documentKind": "OfficialDocument",
            "title": f"北京市大兴区人民政府办公室关于转发《北京市人民政府办公厅关于做好{topic}工作的通知》的通知",
            "number": f"京兴政办发〔{issued.year}〕{self.rng.randint(1, 90)}号", "from": OFFICE,
            "issued": at(issued, "16:00"), "relays": notice_id, "copyForward": name == "copies and relays",
            "implementingMeasures": name != "copies and relays",
            "issuingLevel": "DistrictGovernment" if name == "issued above the competent level"
            else "DistrictGovernmentOffice",
            "competentLevel": "DistrictGovernmentOffice", "departmentRemit": False, "fullTextPublic": False,
            "providedByLaw": False, "pages": self.rng.randint(3, 6), "characters": self.rng.randint(1800, 3600),
            "channel": "OnlineOfficeSystem", "onlineEligible": True, "paperCopy": name == "printed as well",
            "note": f"在转发的同时明确了{unit.short}和各镇街的责任分工",
        }
        self.emit("document", record, shapes)

    def _document_proposal(self) -> None:
        received = self.receipt_day()
        unit = self.rng.choice(DEPARTMENTS)
        npc = self.rng.random() < 0.5
        name, shapes = self.violation([("assigned on paper", ("A10-8_AssignedOnline",)),
                                       ("printed paper package", ("A10-8_NoPrintedPaperAssignment",))])
        record = {
            "id": self.next_id("document", received, "npc-suggestion" if npc else "cppcc-proposal"), "type": "Document",
            "documentKind": "NPCDeputySuggestion" if npc else "CPPCCProposal",
            "title": f"关于加强{self.rng.choice(unit.topics)}的{'建议' if npc else '提案'}",
            "number": f"{'区人大会议第' if npc else '区政协会议第'}{self.rng.randint(1, 300):03d}号"
                      + ("建议" if npc else "提案"),
            "from": "org/district-peoples-congress" if npc else "org/district-cppcc", "received": at(received, "10:00"),
            "routing": [{"action": "Assign", "time": at(add_working_days(received, 2), "10:00"),
                         "channel": "Paper" if name == "assigned on paper" else "OnlineAssignment",
                         "actor": self._staff(), "recipients": [{"unit": unit.id}]}],
            "paperCopy": name == "printed paper package",
        }
        self.emit("document", record, shapes)

    # -- bulletins --

    def bulletin(self) -> None:
        kind = self.rng.choices(["unit", "information", "disclosure", "emergency", "duty", "updates", "supervision",
                                 "reference"], [40, 20, 5, 10, 7, 6, 6, 6])[0]
        getattr(self, f"_bulletin_{kind}")()

    def _issue_number(self, periodical: str, year: int) -> str:
        self.issue_numbers[(periodical, year)] += 1
        return f"{year}年第{self.issue_numbers[(periodical, year)]}期"

    def _bulletin_unit(self) -> None:
        unit = self.rng.choice((*DEPARTMENTS, *GRASSROOTS))
        day = self.day()
        key_work = self.rng.random() < 0.6
        options = [("two matters", ("A12-4_OneMatterPerBulletin",)),
                   ("old news", ("A12-2_BulletinReportsRecentEvent",)),
                   ("not classified", ("A12-1_UnitBulletinClassified",))]
        if not key_work:
            options.append(("general bulletin forwarded", ("A12-6_GeneralWorkBulletinNotForwarded",
                                                           "A12-5_OnlyKeyWorkBulletinsForwarded")))
        name, shapes = self.violation(options)
        topic = self.rng.choice(unit.topics)
        event_day = day - timedelta(days=self.rng.randint(45, 80) if name == "old news" else self.rng.randint(0, 7))
        periodical = f"periodical/{unit.slug}-bulletin"
        record = {
            "id": self.next_id("bulletin", day, unit.slug), "type": "BulletinIssue", "periodical": periodical,
            "number": self._issue_number(periodical, day.year), "title": f"{unit.short}扎实推进{topic}工作",
            "compiledBy": unit.id, "issued": at(day, "10:00"),
            "category": "KeyWorkBulletin" if key_work else "GeneralWorkBulletin",
            "substantive": True, "pages": self.rng.randint(1, 3), "matters": [f"{topic}工作进展"],
            "eventDate": event_day.isoformat(),
        }
        if name == "two matters":
            other = self.rng.choice([t for t in unit.topics if t != topic] or ["安全生产"])
            record["matters"].append(f"{other}工作部署")
        if name == "not classified":
            record["category"] = []  # recorded as unclassified; and, unclassified, it is not forwarded
        elif key_work or name == "general bulletin forwarded":
            record["submittedTo"] = [part(unit.vice_mayor, "DistrictLeaderInCharge")]
        self.emit("bulletin", record, shapes)

    def _item(self, category: str, town: Unit, unit: Unit, long: bool = False) -> dict:
        topic = self.rng.choice(unit.topics)
        households = self.rng.randint(120, 900)
        text = (f"近日, {town.short}会同{unit.short}推进{topic}, 解决了群众反映集中的问题, 惠及居民{households}户。"
                f"下一步将建立问题台账, 逐项明确责任单位和完成时限。")
        if long:
            text += ("同时, 镇街将组织村居干部入户走访, 听取群众意见建议, 对排查发现的问题实行清单化管理, "
                     "每周调度一次进展, 确保按期完成整改任务并接受群众监督。")
        title = f"{town.short}{topic}取得新进展"
        return {"category": category, "title": title, "text": text, "characters": character_count(title + text),
                "substantive": True}

    def _bulletin_information(self) -> None:
        day = self.day()
        name, shapes = self.violation([("item of 150 characters", ("A13-4_DaxingInformationItemMax120Characters",)),
                                       ("5 pages", ("A13-6_DaxingInformationIssueMaxFourPages",)),
                                       ("routine meeting item", ("A13-8_NoRoutineMeetingOrCeremonyItems",))])
        items = [self._item(self.rng.choice(["SingleItem", "ExperienceExchangeItem"]), self.rng.choice(GRASSROOTS),
                            self.rng.choice(DEPARTMENTS), long=(name == "item of 150 characters" and k == 0))
                 for k in range(self.rng.randint(2, 3))]
        if name == "routine meeting item":
            items[-1]["category"] = "RoutineMeetingItem"
        if self.rng.random() < 0.3:
            items.append({"category": "ResearchItem",
                          "title": f"关于我区{self.rng.choice(DEPARTMENTS[4].topics)}的调研",
                          "characters": self.rng.randint(900, 1480), "substantive": True})
        record = {
            "id": self.next_id("bulletin", day, "daxing-information"), "type": "BulletinIssue",
            "periodical": "periodical/daxing-information",
            "number": self._issue_number("daxing-information", day.year),
            "compiledBy": "org/dgo-information-section", "issued": at(day, "16:00"), "substantive": True,
            "pages": 5 if name == "5 pages" else self.rng.randint(2, 4), "items": items,
        }
        self.emit("bulletin", record, shapes)

    def _bulletin_disclosure(self) -> None:
        day = self.day()
        name, shapes = self.violation([("5 pages", ("A13-21_DisclosureMonthlyMaxFourPages",))])
        month = (day.replace(day=1) - timedelta(days=1))
        record = {
            "id": self.next_id("bulletin", day, "info-disclosure-monthly"), "type": "BulletinIssue",
            "publication": "InfoDisclosureMonthly", "number": self._issue_number("disclosure", day.year),
            "title": f"大兴区政府信息公开月报({month.year}年{month.month}月)",
            "compiledBy": "org/dgo-disclosure-section", "issued": at(day, "10:00"), "substantive": True,
            "pages": 5 if name else self.rng.randint(2, 4),
        }
        self.emit("bulletin", record, shapes)

    def _bulletin_emergency(self) -> None:
        year = self.rng.choice(self.years)
        day = self.rng.choice([d for d in _working() if d.year == year])  # incidents happen on holidays too
        town = self.rng.choice(GRASSROOTS)
        name, shapes = self.violation([("two matters", ("A13-12_EmergencyWorkOneMatterPerReport",))])
        matters = [f"{town.short}一物流仓库火情"]
        if name:
            matters.append(f"{town.short}一在建工地塔吊故障")
        record = {
            "id": self.next_id("bulletin", day, "emergency-work"), "type": "BulletinIssue",
            "publication": "EmergencyWork", "number": self._issue_number("emergency-work", day.year),
            "compiledBy": "org/dgo-duty-section", "category": "UrgentBulletin", "substantive": True,
            "issued": at(day, "16:10"), "pages": 1, "matters": matters,
            "items": [{"category": "EmergencyIncidentInfo", "title": f"{town.short}一仓库发生火情 无人员伤亡",
                       "text": f"{town.short}一物流仓库发生火情, 区消防救援支队到场处置, 明火已扑灭, 无人员伤亡。",
                       "characters": 48,
                       "incidents": [{"title": f"{town.short}物流仓库火情", "occurred": at(day, "14:20"),
                                      "known": at(day, "14:28")}],
                       "reported": at(day, "16:10")}],
        }
        self.emit("bulletin", record, shapes)

    def _bulletin_duty(self) -> None:
        day = self.day()
        record = {
            "id": self.next_id("bulletin", day, "duty-highlights"), "type": "BulletinIssue",
            "publication": "DutyHighlights", "number": self._issue_number("duty", day.year),
            "compiledBy": "org/dgo-duty-section", "issued": at(day, "09:00"), "substantive": True, "pages": 2,
            "items": [{"category": "WeeklyDutyItem", "title": "一周值班情况",
                       "text": f"上周全区共接报各类突发事件信息{self.rng.randint(3, 15)}起, 均已妥善处置。",
                       "characters": 30},
                      {"category": "EconomicOperationItem", "title": "全区经济运行情况",
                       "text": f"全区地区生产总值同比增长{self.rng.randint(40, 70) / 10}%。", "characters": 24}],
        }
        self.emit("bulletin", record)

    def _bulletin_updates(self) -> None:
        day = self.day()
        record = {
            "id": self.next_id("bulletin", day, "emergency-updates"), "type": "BulletinIssue",
            "publication": "EmergencyUpdates", "number": self._issue_number("updates", day.year),
            "compiledBy": "org/dgo-duty-section", "issued": at(day, "10:00"), "substantive": True, "pages": 3,
            "items": [{"category": "ResearchItem",
                       "title": f"关于我区{self.rng.choice(DEPARTMENTS[3].topics)}薄弱环节的调研",
                       "characters": self.rng.randint(1000, 1450), "substantive": True}],
        }
        self.emit("bulletin", record)

    def _bulletin_supervision(self) -> None:
        day = self.day()
        unit = self.rng.choice(DEPARTMENTS)
        name, shapes = self.violation([("no recommendation", ("A13-10_SupervisionPutsForwardRecommendations",))])
        item = {"category": "KeyWorkProgressItem", "title": f"{unit.short}{self.rng.choice(unit.topics)}进展",
                "text": "全区重点任务中, 多数按计划推进, 个别项目因手续办理进度滞后。", "characters": 32}
        if not name:
            item["recommendations"] = [f"对进度滞后的项目实行周调度, 由{unit.short}每周报送进展"]
        record = {
            "id": self.next_id("bulletin", day, "daxing-supervision"), "type": "BulletinIssue",
            "publication": "DaxingSupervision", "number": self._issue_number("supervision", day.year),
            "compiledBy": "org/dgo-supervision-section", "issued": at(day, "10:00"), "category": "KeyWorkBulletin",
            "substantive": True, "pages": 3, "items": [item],
        }
        self.emit("bulletin", record, shapes)

    def _bulletin_reference(self) -> None:
        day = self.day()
        name, shapes = self.violation([("item without reference value", ("A13-17_ReferenceItemHasReferenceValue",))])
        record = {
            "id": self.next_id("bulletin", day, "decision-reference"), "type": "BulletinIssue",
            "periodical": "periodical/decision-reference", "number": self._issue_number("reference", day.year),
            "compiledBy": "org/dgo-information-section", "issued": at(day, "10:00"), "category": "ReferenceBulletin",
            "substantive": True, "pages": 2,
            "items": [{"category": "ProblemCountermeasureItem", "title": "外省市推进\"高效办成一件事\"的做法及启示",
                       "text": "上海、浙江等地以企业和群众视角梳理高频事项, 推行一表申请、一网通办。", "characters": 58,
                       "referenceValue": not name}],
        }
        self.emit("bulletin", record, shapes)

    # -- trips --

    def trip(self) -> None:
        kind = self.rng.choices(["outbound", "study-abroad", "study", "inbound", "leader"], [40, 15, 20, 15, 10])[0]
        getattr(self, f"_trip_{kind.replace('-', '_')}")()

    def _trip_outbound(self) -> None:
        unit = self.rng.choice([u for u in DEPARTMENTS if u.vice_mayor == "chen-jing"] or DEPARTMENTS)
        day = self.day()
        places = self.rng.sample(ABROAD, 2)
        name, shapes = self.violation([("7 members", ("A15-3_DelegationMaxSixMembers",)),
                                       ("approved after departure", ("A15-1_ApprovedBeforeDeparture",)),
                                       ("member without function", ("A15-2_MemberHasFunction",)),
                                       ("task without counterpart", ("A14-1_TaskNamesCounterpart",))])
        members = [part(unit.vice_mayor, "ViceDistrictMayor", "org/district-government", function="团长"),
                   part(f"{unit.slug}-staff", "DelegationMember", unit.id, function="项目洽谈"),
                   part("du-wei", "DelegationMember", "org/investment-promotion-centre", function="推介会组织"),
                   part("hu-ming", "DelegationMember", "org/airport-zone-development-company", function="企业代表"),
                   part("lu-yang", "OfficePersonnel", "org/dgo-foreign-affairs-section", function="翻译")]
        if name == "7 members":
            members += [part(f"enterprise-representative-{k}", "DelegationMember",
                             "org/airport-zone-development-company", function="企业代表") for k in (1, 2)]
        if name == "member without function":
            members[3]["function"] = []
        for member in members:
            member["souvenirsBrought"] = False
        tasks = [{"title": task, "counterpart": counterpart} for _, counterpart, task in places]
        if name == "task without counterpart":
            tasks[1]["counterpart"] = []
        back = day + timedelta(days=self.rng.randint(5, 7))
        approved = day + timedelta(days=2) if name == "approved after departure" else day - timedelta(
            days=self.rng.randint(12, 30))
        record = {
            "id": self.next_id("visit", day, "outbound"), "type": "OutboundVisit", "kind": "OutboundVisit",
            "title": f"大兴区经贸代表团赴{places[0][0]}、{places[1][0]}开展临空经济招商推介", "organiser": unit.id,
            "start": at(day, "08:10"), "end": at(back, "06:30"), "destinations": [p[0] for p in places],
            "approvedOn": approved.isoformat(),
            "approvalReference": f"京外审〔{day.year}〕{self.rng.randint(100, 1999)}号",
            "workRelated": True, "ordinary": False, "tasks": tasks, "members": members,
            "sendOffs": [{"kind": "SendOffWelcome", "title": "团组回京接机", "start": at(back, "06:30"),
                          "venue": {"name": "北京首都国际机场T3航站楼", "kind": "Airport"},
                          "participants": [part(f"{unit.slug}-clerk", unit=unit.id)],
                          "note": "派一名工作人员接机办理公务护照收缴, 区政府办公室领导未到机场接送"}],
        }
        self.emit("trip", record, shapes)

    def _trip_study_abroad(self) -> None:
        day = self.day()
        place, counterpart, topic = self.rng.choice(STUDY_ABROAD)
        deputy = self.rng.choice(DEPUTIES)
        name, shapes = self.violation([("souvenirs brought", ("A16-3_OfficeLeaderBringsNoSouvenirs",)),
                                       ("send-off arranged", ("A16-2_NoSendOffForOfficeLeader",))])
        back = day + timedelta(days=3)
        record = {
            "id": self.next_id("visit", day, "study-tour-abroad"), "type": "OutboundVisit",
            "kind": ["OutboundVisit", "StudyTourAbroad"], "title": f"区政府办公室赴{place}学习{topic}经验",
            "organiser": OFFICE, "start": at(day, "09:00"), "end": at(back, "20:00"), "destinations": [place],
            "topic": topic, "approvedOn": (day - timedelta(days=self.rng.randint(14, 30))).isoformat(),
            "approvalReference": f"京外审〔{day.year}〕{self.rng.randint(100, 1999)}号", "workRelated": True,
            "ordinary": True,
            "tasks": [{"title": f"考察{topic}做法, 形成我区改进方案", "counterpart": counterpart}],
            "members": [part(deputy, "OfficeDeputyDirector", OFFICE, function="团长",
                             souvenirsBrought=name == "souvenirs brought"),
                        part("he-jing", "OfficePersonnel", "org/dgo-secretariat", function="公文流转业务",
                             souvenirsBrought=False),
                        part("huang-xiaoyan", "OfficePersonnel", "org/dgo-secretariat", function="档案数字化业务",
                             souvenirsBrought=False)],
            "note": "区政府办公室领导出访, 出发和回京均未安排迎送",
        }
        if name == "send-off arranged":
            record["sendOffs"] = [{"kind": "SendOffWelcome", "title": "送行", "start": at(day, "07:30"),
                                   "venue": {"name": "北京首都国际机场T3航站楼", "kind": "Airport"},
                                   "participants": [part("ma-jun", "OfficePersonnel", "org/dgo-general-section")]}]
            record["note"] = "综合科安排人员到机场送行"
        self.emit("trip", record, shapes)

    def _trip_study(self) -> None:
        day = self.day()
        place, topic = self.rng.choice(STUDY_DOMESTIC)
        section = self.rng.choice(list(SECTIONS))
        name, shapes = self.violation([("unrelated to work", ("A14-6_StudyTripRelatedToWork",)),
                                       ("no learning theme", ("A14-5_StudyTripHasLearningTheme",))])
        record = {
            "id": self.next_id("visit", day, "study-trip"), "type": "StudyTrip", "kind": "StudyTrip",
            "title": f"赴{place}学习{topic}经验", "organiser": f"org/{section}",
            "start": at(day, "07:30"), "end": at(day + timedelta(days=2), "21:00"), "destinations": [place],
            "topic": topic, "workRelated": name != "unrelated to work",
            "participants": [part(s, "OfficePersonnel", f"org/{section}") for s in SECTIONS[section]],
        }
        if name == "no learning theme":
            record["topic"] = []
        self.emit("trip", record, shapes)

    def _trip_inbound(self) -> None:
        day = self.day()
        place = self.rng.choice(ABROAD)[0]
        record = {
            "id": self.next_id("visit", day, "inbound"), "type": "InboundVisit", "kind": "InboundVisit",
            "title": f"{place}经济代表团来区访问", "organiser": "org/dgo-foreign-affairs-section",
            "start": at(day, "09:30"), "end": at(day, "12:00"), "ordinary": True,
            "guests": [{"note": f"{place}经济代表团一行{self.rng.randint(4, 9)}人"}],
            "participants": [part("chen-jing", "ViceDistrictMayor"),
                             part("xie-min", "UnitPrincipalLeader", "org/commerce-bureau"),
                             part("zheng-lei", "OfficePersonnel", "org/dgo-foreign-affairs-section")],
            "note": "礼节性会见和临空经济区参观, 一般性来访",
        }
        self.emit("trip", record)

    def _trip_leader(self) -> None:
        day = self.day()
        unit = self.rng.choice(DEPARTMENTS)
        record = {
            "id": self.next_id("visit", day, "leader-trip"), "type": "LeaderTrip", "kind": "LeaderTrip",
            "title": "区长带队赴雄安新区考察学习", "organiser": "org/district-government",
            "start": at(day, "07:30"), "end": at(day, "18:30"), "destinations": ["河北省雄安新区"],
            "topic": f"{self.rng.choice(unit.topics)}经验",
            "participants": [part(MAYOR, "DistrictMayor"), part(unit.principal, "UnitPrincipalLeader", unit.id)],
        }
        self.emit("trip", record)

    # -- inspections and activities --

    INSPECTION_KINDS = ("EmergencySafetyInspection", "GovInfoDisclosureInspection", "PracticalMattersZheziSupervision")
    INSPECTION_TITLES: ClassVar[dict[str, str]] = {
        "EmergencySafetyInspection": "安全检查", "GovInfoDisclosureInspection": "政府信息公开工作检查",
                         "PracticalMattersZheziSupervision": "实事和折子工程督查"}

    def _inspection(self, unit: Unit, day: date, kinds: list[str], **more) -> dict:
        what = "和".join(self.INSPECTION_TITLES[k] for k in kinds if k in self.INSPECTION_TITLES)
        return {
            "id": self.next_id("inspection", day, unit.slug), "type": "Inspection",
            "kind": kinds if len(kinds) > 1 else kinds[0],
            "title": f"对{unit.short}开展{what}" + ("(合并进行)" if len(kinds) > 1 else ""),
            "topic": self.rng.choice(unit.topics), "organiser": "org/dgo-supervision-section",
            "start": at(day, "09:00"), "end": at(day, "11:30"), "inspectedUnits": [unit.id],
            "participants": [part("wu-tao", "OfficePersonnel", "org/dgo-supervision-section"),
                             part(unit.in_charge, "UnitLeaderInCharge", unit.id)],
            **more,
        }

    def inspection(self) -> None:
        unit = self.rng.choice((*DEPARTMENTS, *GRASSROOTS))
        pair = self.rng.random() < self.share and self.events_made + 2 <= self.target
        if pair:  # two inspections of one unit, of different kinds, 3-20 days apart, neither combined
            for _ in range(200):
                first = self.day()
                second = first + timedelta(days=self.rng.randint(3, 20))
                if is_working(second) and self.free([unit.id], first, 31) and self.free([unit.id], second, 31):
                    self.busy[unit.id] += [first, second]
                    kinds = self.rng.sample(self.INSPECTION_KINDS, 2)
                    shape = ("A06-7_InspectionsOfOneUnitCombined",)
                    self.emit("inspection", self._inspection(unit, first, [kinds[0]]), shape)
                    self.emit("inspection", self._inspection(unit, second, [kinds[1]]), shape)
                    return
        day, alone = self.schedule([unit.id], gap=31)
        count = self.rng.choices([1, 2], [75, 25])[0]
        kinds = self.rng.sample(self.INSPECTION_KINDS, count)
        more = {} if alone else {"noCombineReason": "本季度对该单位的其他检查已先期完成, 无法合并"}
        self.emit("inspection", self._inspection(unit, day, (["Inspection"] if count > 1 else []) + kinds, **more))

    def activity(self) -> None:
        kind = self.rng.choice(["tea", "gala", "dinner", "walk", "gift"])
        section = self.rng.choice(list(SECTIONS))
        day = self.day()
        # A09.7 is checked on an event's side activities (dxo:sideActivity), so a stand-alone outing flagged
        # high-consumption is no finding; the generator plants A09.7 on a training's side activity instead.
        options = {"tea": [("paid with public funds", ("A03-3_NoPublicFundsForListedSocialActivities",))]}.get(kind, [])
        name, shapes = self.violation(options)
        common = {"publicFunds": name == "paid with public funds", "workRelated": False}
        if kind == "tea":
            record = {"type": "SocialActivity", "kind": "TeaParty", "title": "科室迎新春茶话会",
                      "organiser": f"org/{section}", "start": at(day, "16:30"), "end": at(day, "17:30"),
                      "venue": {"name": "科室办公室"}, **common,
                      "note": "茶点使用科室公用经费购买" if name else "茶点由科室干部自带, 未使用公款"}
        elif kind == "gala":
            record = {"type": "SocialActivity", "kind": "GalaParty", "title": "区政府办公室迎新春联欢会",
                      "organiser": OFFICE, "start": at(day, "15:00"), "end": at(day, "17:00"),
                      "venue": {"name": "区政府多功能厅", "kind": "InternalMeetingRoom"}, **common,
                      "note": "节目由干部职工自编自演, 未租用场地、未聘请演出人员"}
        elif kind == "dinner":
            record = {"type": "SocialActivity", "kind": "Banquet", "title": "科室同事为退休老同志送行聚餐",
                      "organiser": f"org/{section}", "start": at(day, "18:00"), "end": at(day, "19:30"), **common,
                      "totalCost": self.rng.randint(400, 900), "note": "工作日下班后, AA制自费, 未饮酒"}
        elif kind == "gift":
            record = {"type": "SocialActivity", "kind": "GiftGiving", "title": "科室同事凑钱为退休老同志制作纪念相册",
                      "organiser": f"org/{section}", "date": day.isoformat(), **common,
                      "totalCost": self.rng.randint(100, 300), "note": "个人自愿凑钱, 未使用公款"}
        else:
            record = {"type": "Event", "kind": "FitnessActivity", "title": "区政府办公室干部职工健步走",
                      "organiser": OFFICE, "start": at(day, "12:10"), "end": at(day, "12:50"),
                      "venue": {"name": "兴旺公园"}, "highConsumption": False, **common,
                      "note": "午休时间在区政府附近公园开展, 不产生费用"}
        record = {"id": self.next_id("activity", day, kind), **record}
        self.emit("activity", record, shapes)

    # -- the run --

    def run(self) -> Generated:
        self.build_base()
        kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
        while self.events_made < self.target:
            getattr(self, self.rng.choices(kinds, weights)[0])()
        self.finish_base()
        return self.out


def generate(events: int, violation_share: float = 0.1, seed: int = 7) -> list[dict]:
    """`events` event records (and the units, people, plans and periodicals they refer to) as plain JSON records.

    A share `violation_share` of the events is made to break one rule (two for a forwarded general-work
    bulletin); `expected(records)` lists them. The same arguments always give the same records."""
    return generate_all(events, violation_share, seed).records()


_LAST: dict[tuple[int, float, int], Generated] = {}


def generate_all(events: int, violation_share: float = 0.1, seed: int = 7) -> Generated:
    key = (events, violation_share, seed)
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = _Generator(events, violation_share, seed).run()
    return _LAST[key]


def expected(events: int, violation_share: float = 0.1, seed: int = 7) -> dict[str, list[str]]:
    """{event id: [shape names]} of the events `generate` made to violate, with the same arguments."""
    return dict(generate_all(events, violation_share, seed).expected)


def write(out: Path, events: int, violation_share: float = 0.1, seed: int = 7) -> dict:
    """Write the records under out/records, expected.json and manifest.json; return the manifest."""
    made = generate_all(events, violation_share, seed)
    folder = out / "records"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    _dump(folder / "base.json", made.base)
    order = made.order
    for kind, records in sorted(made.events.items()):
        chunks: dict[int, list[dict]] = defaultdict(list)
        for record in records:
            chunks[order[record["id"]] // FILE_SIZE].append(record)
        for chunk, rows in sorted(chunks.items()):
            _dump(folder / f"{kind}-{chunk + 1:04d}.json", rows)
    (out / "expected.json").write_text(json.dumps(made.expected, ensure_ascii=False, indent=1, sort_keys=True),
                                       encoding="utf-8")
    manifest = {
        "events": made.event_count(), "seed": seed, "violation_share_asked": violation_share,
        "violating_events": len(made.expected),
        "violation_share": round(len(made.expected) / max(1, made.event_count()), 4),
        "base_records": len(made.base), "events_by_kind": {k: len(v) for k, v in sorted(made.events.items())},
        "violations_by_shape": dict(sorted(Counter(s for shapes in made.expected.values() for s in shapes).items())),
        "years": sorted({int(r["id"].split("/")[1][:4]) for v in made.events.values() for r in v}),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _dump(path: Path, records: list[dict]) -> None:
    path.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True, help="number of event records")
    parser.add_argument("--out", type=Path, required=True, help="output folder (records/ and expected.json)")
    parser.add_argument("--violations", type=float, default=0.1, help="share of events made to violate a rule")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if str(HOME) not in sys.path:
        sys.path.insert(0, str(HOME))
    manifest = write(args.out, args.events, args.violations, args.seed)
    print(json.dumps(manifest, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

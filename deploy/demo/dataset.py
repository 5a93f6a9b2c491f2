"""The fixed part of the demo dataset (`deploy/demo/`): the partner institutions, the agreements with them, the
studbook, the training catalogue and the phrases that titles, names and places are made of.

The institutions are real zoos, universities and NGOs abroad that cooperate on giant pandas; their names, cities
and web sites are theirs. Everything else is made up: the terms of the agreements, the pandas and their studbook
numbers, the people (their e-mail addresses are under the reserved `.example` domain), the works (their DOIs use
Crossref's example prefix 10.5555, so none resolves to a real paper) and the events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

D = dt.date

BASE_NAME = {"en": "Chengdu Research Base of Giant Panda Breeding", "zh": "成都大熊猫繁育研究基地"}
BASE_CITY, BASE_COUNTRY, BASE_TZ = "Chengdu", "CN", "Asia/Shanghai"
WOLONG = "China Conservation and Research Center for the Giant Panda, Wolong"


@dataclass(frozen=True)
class PartnerSpec:
    key: str
    name: dict[str, str]
    kind: str
    country: str
    city: str
    timezone: str
    website: str | None
    contact_role: str = "Curator of giant pandas"


def _p(key: str, en: str, zh: str, kind: str, country: str, city: str, tz: str, website: str | None,
       local: dict[str, str] | None = None, role: str = "Curator of giant pandas") -> PartnerSpec:
    return PartnerSpec(key, {"en": en, **(local or {}), "zh": zh}, kind, country, city, tz, website, role)


PARTNERS: list[PartnerSpec] = [
    _p("zoo_vienna", "Zoo Vienna", "维也纳美泉宫动物园", "zoo", "AT", "Vienna", "Europe/Vienna",
       "https://www.zoovienna.at", {"de": "Tiergarten Schönbrunn"}),
    _p("smithsonian", "Smithsonian's National Zoo and Conservation Biology Institute", "史密森尼国家动物园", "zoo",
       "US", "Washington", "America/New_York", "https://nationalzoo.si.edu"),
    _p("zoo_atlanta", "Zoo Atlanta", "亚特兰大动物园", "zoo", "US", "Atlanta", "America/New_York",
       "https://zooatlanta.org"),
    _p("san_diego", "San Diego Zoo Wildlife Alliance", "圣地亚哥动物园野生动物联盟", "zoo", "US", "San Diego",
       "America/Los_Angeles", "https://sandiegozoowildlifealliance.org"),
    _p("memphis", "Memphis Zoo", "孟菲斯动物园", "zoo", "US", "Memphis", "America/Chicago",
       "https://www.memphiszoo.org"),
    _p("toronto", "Toronto Zoo", "多伦多动物园", "zoo", "CA", "Toronto", "America/Toronto",
       "https://www.torontozoo.com", {"fr": "Zoo de Toronto"}),
    _p("rzss", "Edinburgh Zoo, Royal Zoological Society of Scotland", "苏格兰皇家动物学会爱丁堡动物园", "zoo", "GB",
       "Edinburgh", "Europe/London", "https://www.edinburghzoo.org.uk"),
    _p("beauval", "ZooParc de Beauval", "博瓦勒动物园", "zoo", "FR", "Saint-Aignan", "Europe/Paris",
       "https://www.zoobeauval.com", {"fr": "ZooParc de Beauval"}),
    _p("pairi_daiza", "Pairi Daiza", "天堂公园", "zoo", "BE", "Brugelette", "Europe/Brussels",
       "https://www.pairidaiza.eu", {"fr": "Pairi Daiza", "nl": "Pairi Daiza"}),
    _p("zoo_berlin", "Zoo Berlin", "柏林动物园", "zoo", "DE", "Berlin", "Europe/Berlin", "https://www.zoo-berlin.de",
       {"de": "Zoologischer Garten Berlin"}),
    _p("ouwehand", "Ouwehand Zoo", "欧维汉动物园", "zoo", "NL", "Rhenen", "Europe/Amsterdam",
       "https://www.ouwehand.nl", {"nl": "Ouwehands Dierenpark"}),
    _p("ahtari", "Ähtäri Zoo", "艾赫泰里动物园", "zoo", "FI", "Ähtäri", "Europe/Helsinki", "https://www.ahtarizoo.fi",
       {"fi": "Ähtärin eläinpuisto"}),
    _p("copenhagen", "Copenhagen Zoo", "哥本哈根动物园", "zoo", "DK", "Frederiksberg", "Europe/Copenhagen",
       "https://www.zoo.dk", {"da": "Zoologisk Have København"}),
    _p("madrid", "Madrid Zoo Aquarium", "马德里动物园", "zoo", "ES", "Madrid", "Europe/Madrid",
       "https://www.zoomadrid.com", {"es": "Zoo Aquarium de Madrid"}),
    _p("adelaide", "Adelaide Zoo", "阿德莱德动物园", "zoo", "AU", "Adelaide", "Australia/Adelaide",
       "https://www.adelaidezoo.com.au"),
    _p("ueno", "Ueno Zoological Gardens", "上野动物园", "zoo", "JP", "Tokyo", "Asia/Tokyo",
       "https://www.tokyo-zoo.net/zoo/ueno/", {"ja": "恩賜上野動物園"}),
    _p("kobe_oji", "Kobe Oji Zoo", "神户王子动物园", "zoo", "JP", "Kobe", "Asia/Tokyo", "https://www.kobe-ojizoo.jp",
       {"ja": "神戸市立王子動物園"}),
    _p("everland", "Everland", "爱宝乐园", "zoo", "KR", "Yongin", "Asia/Seoul", "https://www.everland.com",
       {"ko": "에버랜드"}),
    _p("zoo_negara", "Zoo Negara Malaysia", "马来西亚国家动物园", "zoo", "MY", "Kuala Lumpur", "Asia/Kuala_Lumpur",
       "https://www.zoonegaramalaysia.my", {"ms": "Zoo Negara Malaysia"}),
    _p("chiang_mai", "Chiang Mai Zoo", "清迈动物园", "zoo", "TH", "Chiang Mai", "Asia/Bangkok",
       "https://www.chiangmai.zoothailand.org", {"th": "สวนสัตว์เชียงใหม่"}),
    _p("taman_safari", "Taman Safari Indonesia", "印尼塔曼野生动物园", "zoo", "ID", "Bogor", "Asia/Jakarta",
       "https://www.tamansafari.com", {"id": "Taman Safari Indonesia"}),
    _p("chapultepec", "Chapultepec Zoo", "查普尔特佩克动物园", "zoo", "MX", "Mexico City", "America/Mexico_City",
       None, {"es": "Zoológico de Chapultepec"}),
    _p("moscow", "Moscow Zoo", "莫斯科动物园", "zoo", "RU", "Moscow", "Europe/Moscow", "https://moscowzoo.ru",
       {"ru": "Московский зоопарк"}),
    _p("al_khor", "Panda House, Al Khor Park", "卡塔尔豪尔公园大熊猫馆", "zoo", "QA", "Al Khor", "Asia/Qatar", None,
       {"ar": "بيت الباندا، حديقة الخور"}),
    _p("cambridge", "University of Cambridge", "剑桥大学", "university", "GB", "Cambridge", "Europe/London",
       "https://www.cam.ac.uk", role="Professor of conservation science"),
    _p("msu", "Michigan State University", "密歇根州立大学", "university", "US", "East Lansing", "America/Detroit",
       "https://msu.edu", role="Director, Center for Systems Integration and Sustainability"),
    _p("wwf", "WWF International", "世界自然基金会", "ngo", "CH", "Gland", "Europe/Zurich", "https://wwf.panda.org",
       {"fr": "WWF International"}, role="Asia-Pacific species programme lead"),
]

# Partners whose own systems get a partner API key: they enroll their staff and register their visitors.
PARTNER_KEYS = ("zoo_vienna", "smithsonian", "zoo_negara", "chiang_mai", "taman_safari", "everland")

# Languages spoken at a country's events, beside English and Chinese.
LOCAL_LANGUAGE = {"AT": "de", "DE": "de", "FR": "fr", "BE": "fr", "NL": "nl", "FI": "fi", "DK": "da", "ES": "es",
                  "MX": "es", "JP": "ja", "KR": "ko", "MY": "ms", "TH": "th", "ID": "id", "RU": "ru", "QA": "ar",
                  "CH": "fr"}

# --- agreements ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanSpec:
    panda: str
    start: dt.date
    planned_end: dt.date
    returned_on: dt.date | None = None


@dataclass(frozen=True)
class CubSpec:
    """A cub born on the loan of `mother`; `returned_on`: when the cub's own loan ended (it went home)."""

    panda: str
    mother: str
    returned_on: dt.date | None = None


@dataclass(frozen=True)
class AgreementSpec:
    key: str
    kind: str
    state: str  # draft, negotiating, signed, active, terminated; "expiring": active, its term ends today
    partners: tuple[str, ...]
    title: dict[str, str]
    effective_from: dt.date | None = None  # None: made up from the seed
    effective_until: dt.date | None = None
    signed_on: dt.date | None = None
    renew_to: dt.date | None = None  # activated with effective_until, then renewed to this
    seats: int | None = None
    cub_return_age: int | None = None
    loans: tuple[LoanSpec, ...] = ()
    cubs: tuple[CubSpec, ...] = ()
    terminate_reason: str | None = None
    projects: int = 0


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


AGREEMENTS: list[AgreementSpec] = [
    # panda loans (12)
    AgreementSpec(
        "pl_vienna", "panda_loan", "active", ("zoo_vienna",),
        _t("Giant panda cooperative research and breeding loan: Zoo Vienna",
           "大熊猫合作研究与繁育协议（维也纳美泉宫动物园）"),
        D(2016, 4, 1), D(2029, 3, 31), D(2016, 1, 12), renew_to=D(2034, 3, 31), cub_return_age=4,
        loans=(LoanSpec("hua_yue", D(2023, 3, 20), D(2033, 3, 19)),
               LoanSpec("jin_bao", D(2023, 3, 20), D(2033, 3, 19))),
        cubs=(CubSpec("an_le", "hua_yue"),)),
    AgreementSpec(
        "pl_smithsonian", "panda_loan", "active", ("smithsonian",),
        _t("Giant panda conservation and research loan: Smithsonian's National Zoo",
           "大熊猫保护研究合作协议（史密森尼国家动物园）"),
        D(2024, 10, 1), D(2034, 9, 30), D(2024, 5, 29),
        loans=(LoanSpec("xiao_yu", D(2024, 10, 15), D(2034, 9, 30)),
               LoanSpec("yun_shan", D(2024, 10, 15), D(2034, 9, 30)))),
    AgreementSpec(
        "pl_madrid", "panda_loan", "active", ("madrid",),
        _t("Giant panda breeding loan: Madrid Zoo Aquarium", "大熊猫繁育合作协议（马德里动物园）"),
        D(2017, 1, 1), D(2032, 12, 31), D(2016, 11, 8),
        loans=(LoanSpec("fu_xing", D(2021, 4, 1), D(2031, 3, 31)),)),
    AgreementSpec(
        "pl_ouwehand", "panda_loan", "active", ("ouwehand",),
        _t("Giant panda conservation loan: Ouwehand Zoo", "大熊猫保护合作协议（欧维汉动物园）"),
        D(2016, 6, 1), D(2031, 5, 31), D(2016, 2, 18),
        loans=(LoanSpec("chen_xi", D(2022, 9, 1), D(2030, 8, 31)),)),
    AgreementSpec(
        "pl_san_diego", "panda_loan", "terminated", ("san_diego",),
        _t("Giant panda research loan: San Diego Zoo", "大熊猫合作研究协议（圣地亚哥动物园）"),
        D(2007, 9, 1), D(2027, 8, 31), D(2007, 6, 20), cub_return_age=4,
        loans=(LoanSpec("lan_xin", D(2008, 3, 1), D(2018, 2, 28), D(2019, 5, 10)),
               LoanSpec("shi_tou", D(2008, 3, 1), D(2018, 2, 28), D(2019, 5, 10))),
        cubs=(CubSpec("xiao_yu", "lan_xin", returned_on=D(2015, 10, 28)),),
        terminate_reason="Both pandas went home in May 2019; the loan was closed early by mutual consent."),
    AgreementSpec(
        "pl_ahtari", "panda_loan", "terminated", ("ahtari",),
        _t("Giant panda conservation loan: Ähtäri Zoo", "大熊猫保护合作协议（艾赫泰里动物园）"),
        D(2017, 11, 1), D(2033, 10, 31), D(2017, 4, 5),
        loans=(LoanSpec("qing_qing", D(2018, 1, 18), D(2033, 1, 17), D(2024, 1, 18)),
               LoanSpec("da_yun", D(2018, 1, 18), D(2033, 1, 17), D(2024, 1, 18))),
        terminate_reason="Ended early at the zoo's request for financial reasons; both pandas returned in "
                         "January 2024."),
    AgreementSpec(
        "pl_pairi_daiza", "panda_loan", "active", ("pairi_daiza",),
        _t("Giant panda breeding loan: Pairi Daiza", "大熊猫繁育合作协议（天堂公园）"), D(2014, 2, 23), D(2029, 2, 22)),
    AgreementSpec(
        "pl_moscow", "panda_loan", "active", ("moscow",),
        _t("Giant panda cooperative research loan: Moscow Zoo", "大熊猫合作研究协议（莫斯科动物园）"),
        D(2019, 4, 29), D(2034, 4, 28)),
    AgreementSpec(
        "pl_beauval", "panda_loan", "expiring", ("beauval",),
        _t("Giant panda breeding loan: ZooParc de Beauval", "大熊猫繁育合作协议（博瓦勒动物园）")),
    AgreementSpec(
        "pl_adelaide", "panda_loan", "signed", ("adelaide",),
        _t("Giant panda loan renewal: Adelaide Zoo", "大熊猫合作协议续约（阿德莱德动物园）")),
    AgreementSpec(
        "pl_zoo_negara", "panda_loan", "negotiating", ("zoo_negara",),
        _t("Giant panda conservation loan, second term: Zoo Negara", "大熊猫保护合作协议第二期（马来西亚国家动物园）")),
    AgreementSpec(
        "pl_taman_safari", "panda_loan", "draft", ("taman_safari",),
        _t("Giant panda breeding loan: Taman Safari Indonesia", "大熊猫繁育合作协议（印尼塔曼野生动物园）")),
    # research cooperation (10)
    AgreementSpec(
        "rc_cambridge", "research_cooperation", "active", ("cambridge",),
        _t("Joint research on giant panda genetics and population ecology", "大熊猫遗传学与种群生态学联合研究"),
        projects=3),
    AgreementSpec(
        "rc_msu", "research_cooperation", "active", ("msu",),
        _t("Coupled human and natural systems in giant panda habitat", "大熊猫栖息地人与自然耦合系统研究"), projects=3),
    AgreementSpec(
        "rc_atlanta", "research_cooperation", "active", ("zoo_atlanta",),
        _t("Research on giant panda reproduction and cub development", "大熊猫繁殖与幼仔发育研究"), projects=2),
    AgreementSpec(
        "rc_san_diego", "research_cooperation", "active", ("san_diego",),
        _t("Giant panda reproductive physiology and disease research", "大熊猫生殖生理与疾病研究"), projects=2),
    AgreementSpec(
        "rc_memphis", "research_cooperation", "active", ("memphis",),
        _t("Giant panda nutrition and bamboo research", "大熊猫营养与竹子研究"), projects=2),
    AgreementSpec(
        "rc_toronto", "research_cooperation", "signed", ("toronto",),
        _t("Research on giant panda behaviour and welfare", "大熊猫行为与福利研究"), projects=1),
    AgreementSpec(
        "rc_rzss", "research_cooperation", "terminated", ("rzss",),
        _t("Giant panda reproductive research partnership", "大熊猫繁殖研究合作"), projects=2,
        terminate_reason="Research programme concluded after the pandas' return; closed by mutual agreement."),
    AgreementSpec(
        "rc_berlin", "research_cooperation", "expiring", ("zoo_berlin",),
        _t("Giant panda veterinary research cooperation", "大熊猫兽医研究合作"), projects=2),
    AgreementSpec(
        "rc_copenhagen", "research_cooperation", "negotiating", ("copenhagen",),
        _t("Research on giant panda microbiome and health", "大熊猫微生物组与健康研究"), projects=1),
    AgreementSpec(
        "rc_kobe", "research_cooperation", "draft", ("kobe_oji",),
        _t("Research on ageing in giant pandas", "大熊猫衰老研究"), projects=1),
    # training cooperation (8)
    AgreementSpec(
        "tc_zoo_negara", "training_cooperation", "active", ("zoo_negara",),
        _t("Training cooperation for keepers and veterinarians: Zoo Negara",
           "饲养员与兽医培训合作（马来西亚国家动物园）"), seats=6),
    AgreementSpec(
        "tc_chiang_mai", "training_cooperation", "active", ("chiang_mai",),
        _t("Training cooperation for panda care staff: Chiang Mai Zoo", "大熊猫饲养人员培训合作（清迈动物园）"),
        seats=6),
    AgreementSpec(
        "tc_taman_safari", "training_cooperation", "active", ("taman_safari",),
        _t("Training cooperation: Taman Safari Indonesia", "人员培训合作（印尼塔曼野生动物园）"), seats=8),
    AgreementSpec(
        "tc_everland", "training_cooperation", "active", ("everland",),
        _t("Keeper exchange and training: Everland", "饲养员交流与培训（爱宝乐园）"), seats=4),
    AgreementSpec(
        "tc_chapultepec", "training_cooperation", "negotiating", ("chapultepec",),
        _t("Training cooperation in veterinary care: Chapultepec Zoo", "兽医护理培训合作（查普尔特佩克动物园）"),
        seats=4),
    AgreementSpec(
        "tc_moscow", "training_cooperation", "signed", ("moscow",),
        _t("Training cooperation for keepers: Moscow Zoo", "饲养员培训合作（莫斯科动物园）"), seats=4),
    AgreementSpec(
        "tc_kobe", "training_cooperation", "terminated", ("kobe_oji",),
        _t("Keeper training cooperation: Kobe Oji Zoo", "饲养员培训合作（神户王子动物园）"), seats=2,
        terminate_reason="Ended after the death of the giant panda at the zoo; no panda keepers left to train."),
    AgreementSpec(
        "tc_ueno", "training_cooperation", "draft", ("ueno",),
        _t("Training cooperation for panda keepers: Ueno Zoo", "大熊猫饲养员培训合作（上野动物园）"), seats=3),
    # framework (5)
    AgreementSpec(
        "fw_wwf", "framework", "active", ("wwf", "msu"),
        _t("Framework agreement on giant panda habitat conservation", "大熊猫栖息地保护框架协议"), projects=2),
    AgreementSpec(
        "fw_us_zoos", "framework", "active", ("smithsonian", "zoo_atlanta", "san_diego", "memphis"),
        _t("Framework for giant panda conservation with US zoos", "中美动物园大熊猫保护合作框架"), projects=2),
    AgreementSpec(
        "fw_uk", "framework", "active", ("cambridge", "rzss"),
        _t("UK framework for giant panda science and education", "中英大熊猫科学与教育合作框架"), projects=2),
    AgreementSpec(
        "fw_europe", "framework", "signed", ("pairi_daiza", "beauval", "zoo_berlin"),
        _t("European giant panda conservation network", "欧洲大熊猫保护合作网络"), projects=1),
    AgreementSpec(
        "fw_qatar", "framework", "draft", ("al_khor",),
        _t("Framework agreement on giant panda cooperation: Qatar", "大熊猫合作框架协议（卡塔尔）"), projects=1),
    # cultural exchange (5)
    AgreementSpec(
        "ce_vienna", "cultural_exchange", "active", ("zoo_vienna",),
        _t("Panda culture and science education exchange: Vienna", "熊猫文化与科普交流（维也纳）")),
    AgreementSpec(
        "ce_ueno", "cultural_exchange", "active", ("ueno",),
        _t("Giant panda cultural exchange: Tokyo", "大熊猫文化交流（东京）")),
    AgreementSpec(
        "ce_toronto", "cultural_exchange", "negotiating", ("toronto",),
        _t("Panda science festival exchange: Toronto", "熊猫科学节交流（多伦多）")),
    AgreementSpec(
        "ce_copenhagen", "cultural_exchange", "draft", ("copenhagen",),
        _t("Giant panda art and education exchange: Copenhagen", "大熊猫艺术与教育交流（哥本哈根）")),
    AgreementSpec(
        "ce_adelaide", "cultural_exchange", "terminated", ("adelaide",),
        _t("Panda culture exchange: Adelaide", "熊猫文化交流（阿德莱德）"),
        terminate_reason="Replaced by the exchange programme of the renewed loan agreement."),
]

# --- the studbook --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PandaSpec:
    key: str
    studbook_number: str
    name: dict[str, str]
    sex: str
    birth_date: dt.date
    birthplace: str | None
    dam: str | None = None
    sire: str | None = None
    birth_date_estimated: bool = False
    death_date: dt.date | None = None
    managed: bool = True
    dam_origin: str | None = None  # unknown, wild; known where `dam` names one
    sire_origin: str | None = None  # unknown, wild, multiple; known where `sire` names one
    possible_sires: tuple[tuple[str, float], ...] = ()  # (key, probability) when multiple


def _n(en: str, zh: str, **local: str) -> dict[str, str]:
    return {"en": en, **local, "zh": zh}


PANDAS: list[PandaSpec] = [
    PandaSpec("lan_xin", "612", _n("Lan Xin", "兰心"), "female", D(2003, 8, 14), WOLONG),
    PandaSpec("shi_tou", "598", _n("Shi Tou", "石头"), "male", D(2002, 9, 2), WOLONG),
    PandaSpec("qing_qing", "705", _n("Qing Qing", "晴晴"), "female", D(2006, 7, 29), BASE_NAME["en"]),
    PandaSpec("da_yun", "668", _n("Da Yun", "大运"), "male", D(2005, 8, 21), BASE_NAME["en"]),
    PandaSpec("mei_zhu", "631", _n("Mei Zhu", "美竹"), "female", D(2004, 9, 10),
              "Rescued in the wild, Qionglai Mountains", birth_date_estimated=True, dam_origin="wild",
              sire_origin="wild"),
    PandaSpec("xiao_yu", "843", _n("Xiao Yu", "小雨"), "female", D(2011, 8, 5),
              "San Diego Zoo Wildlife Alliance, San Diego", dam="lan_xin", sire="shi_tou"),
    PandaSpec("yun_shan", "871", _n("Yun Shan", "云山"), "male", D(2012, 7, 23), BASE_NAME["en"],
              dam="qing_qing", sire="da_yun"),
    PandaSpec("fu_xing", "902", _n("Fu Xing", "福星"), "male", D(2013, 8, 2), BASE_NAME["en"],
              dam="mei_zhu", sire="da_yun"),
    PandaSpec("jin_bao", "1046", _n("Jin Bao", "金宝"), "male", D(2017, 8, 20), BASE_NAME["en"],
              dam="xiao_yu", sire="yun_shan"),
    PandaSpec("hua_yue", "1039", _n("Hua Yue", "花月"), "female", D(2017, 7, 12), BASE_NAME["en"],
              dam="qing_qing", sire="fu_xing"),
    PandaSpec("chen_xi", "1127", _n("Chen Xi", "晨曦"), "female", D(2020, 7, 30), BASE_NAME["en"],
              dam="xiao_yu", sire="fu_xing"),
    PandaSpec("an_le", "1218", _n("An Le", "安乐", de="An Le"), "male", D(2025, 8, 16), "Zoo Vienna, Vienna",
              dam="hua_yue", sire="jin_bao"),
]

# --- research --------------------------------------------------------------------------------------------------

# (area, title en, title zh): the research projects of cooperation plans.
PROJECTS: list[tuple[str, str, str]] = [
    ("genetics", "Genome-wide diversity of the captive giant panda population", "圈养大熊猫种群全基因组多样性研究"),
    ("genetics", "Paternity assignment and pedigree repair with microsatellites", "基于微卫星的亲子鉴定与谱系校正"),
    ("wild_population", "Camera-trap monitoring of wild giant pandas in the Minshan Mountains",
     "岷山野生大熊猫红外相机监测"),
    ("wild_population", "Faecal DNA census of wild giant pandas in the Qionglai Mountains",
     "邛崃山系野生大熊猫粪便DNA种群调查"),
    ("habitat", "Bamboo forest dynamics and habitat connectivity in Wolong", "卧龙竹林动态与栖息地连通性研究"),
    ("habitat", "Corridor restoration between fragmented panda habitats", "破碎化大熊猫栖息地廊道修复"),
    ("breeding", "Behavioural oestrus detection and natural mating success", "发情行为监测与自然交配成功率研究"),
    ("breeding", "Urinary hormone monitoring to time artificial insemination", "尿液激素监测与人工授精时机研究"),
    ("disease_treatment", "Canine distemper vaccination of captive giant pandas", "圈养大熊猫犬瘟热疫苗免疫研究"),
    ("disease_treatment", "Diagnosis and treatment of giant panda gastrointestinal disease",
     "大熊猫消化道疾病诊断与治疗"),
    ("epidemic_prevention", "Surveillance of zoonotic pathogens in captive giant pandas", "圈养大熊猫人兽共患病原监测"),
    ("epidemic_prevention", "Biosecurity protocols for panda transport and quarantine", "大熊猫运输与检疫生物安全规程"),
    ("protection", "Soft release of captive-bred giant pandas into the wild", "圈养繁育大熊猫野化放归研究"),
    ("education", "A joint giant panda science curriculum for schools", "中外学校大熊猫科普课程共建"),
    ("other", "Gut microbiome and bamboo digestion in giant pandas", "大熊猫肠道微生物与竹子消化研究"),
    ("other", "Ageing and geriatric care of giant pandas", "大熊猫衰老与老年护理研究"),
]

# --- training --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSpec:
    key: str
    title: dict[str, str]
    description: str
    topics: tuple[str, ...]
    format: str
    languages: tuple[str, ...] = ("en", "zh")
    status: str = "published"  # or draft, archived (archived after its cohorts ran)


PROGRAMS: list[ProgramSpec] = [
    ProgramSpec("breeding", _t("Giant panda captive breeding techniques", "大熊猫圈养繁育技术"),
                "Oestrus detection, natural mating, artificial insemination and pregnancy monitoring.",
                ("breeding", "reproduction"), "onsite"),
    ProgramSpec("vet_care", _t("Giant panda veterinary care", "大熊猫兽医护理"),
                "Health checks, anaesthesia, dentistry and the care of geriatric pandas.", ("veterinary_care",),
                "onsite"),
    ProgramSpec("disease", _t("Diagnosis and treatment of giant panda diseases", "大熊猫疾病诊断与治疗"),
                "Parasites, gastrointestinal disease, skin disease and the clinical laboratory.",
                ("disease_treatment", "veterinary_care"), "hybrid"),
    ProgramSpec("epidemic", _t("Epidemic prevention and biosecurity in zoos", "动物园疫病防控与生物安全"),
                "Vaccination, quarantine, disinfection and zoonotic disease surveillance.",
                ("epidemic_prevention", "biosecurity"), "online"),
    ProgramSpec("wild_monitoring", _t("Wild giant panda population monitoring", "野生大熊猫种群监测"),
                "Line transects, faecal sampling, camera traps and the national survey methods.",
                ("wild_population", "monitoring"), "onsite"),
    ProgramSpec("habitat", _t("Habitat protection and restoration", "大熊猫栖息地保护与修复"),
                "Bamboo forest ecology, corridors, patrols and community co-management.",
                ("habitat", "protection"), "hybrid"),
    ProgramSpec("science_ed", _t("Science education and nature interpretation", "科普教育与自然解说"),
                "Designing panda classrooms, guided tours and exhibitions for all ages.",
                ("science_education",), "online", ("en", "zh", "es")),
    ProgramSpec("cub_rearing", _t("Cub rearing and neonatal care", "大熊猫幼仔人工育幼"),
                "Incubators, hand feeding, growth monitoring and mother-rearing support.",
                ("breeding", "neonatal_care"), "onsite"),
    ProgramSpec("nutrition", _t("Nutrition and bamboo management", "大熊猫营养与竹子管理"),
                "Bamboo species, seasonal diets, supplements and bamboo supply chains abroad.",
                ("nutrition", "husbandry"), "onsite"),
    ProgramSpec("enrichment", _t("Behavioural enrichment and animal welfare", "行为丰容与动物福利"),
                "Enrichment design, welfare assessment and stereotypic behaviour.",
                ("welfare", "enrichment"), "hybrid"),
    ProgramSpec("genetics", _t("Genetic management and the studbook", "大熊猫遗传管理与谱系"),
                "Kinship, breeding recommendations and the international studbook.", ("genetics",), "online"),
    ProgramSpec("assisted_repro", _t("Assisted reproduction and semen cryopreservation", "人工授精与精液冷冻保存"),
                "Semen collection, evaluation, cryopreservation and artificial insemination.",
                ("breeding", "assisted_reproduction"), "onsite"),
    ProgramSpec("field_survey", _t("Field survey with camera traps and GIS", "红外相机与地理信息系统野外调查"),
                "Survey design, camera-trap data, occupancy models and GIS mapping.",
                ("wild_population", "gis"), "onsite"),
    ProgramSpec("keeper_exchange", _t("Keeper exchange: daily husbandry", "饲养员交流：日常饲养管理"),
                "Two weeks alongside the base's keepers: feeding, cleaning, training and records.",
                ("husbandry",), "onsite", ("en", "zh", "ja", "ko")),
    ProgramSpec("teachers", _t("Conservation education for teachers", "面向教师的保护教育"),
                "Bringing giant panda conservation into primary and secondary classrooms.",
                ("science_education", "teachers"), "online", ("en", "zh", "fr")),
    ProgramSpec("husbandry_2015",
                _t("Giant panda husbandry basics (2015 curriculum)", "大熊猫饲养管理基础（2015版课程）"),
                "The former introductory course, replaced by the keeper exchange.", ("husbandry",), "onsite",
                status="archived"),
    ProgramSpec("red_panda", _t("Red panda husbandry", "小熊猫饲养管理"),
                "Housing, diet and breeding of red pandas. In preparation.", ("husbandry", "red_panda"), "onsite",
                status="draft"),
]

TRAINING_SITES = [  # where onsite cohorts are held: (venue, city, country)
    (BASE_NAME["en"], BASE_CITY, BASE_COUNTRY),
    (BASE_NAME["en"], BASE_CITY, BASE_COUNTRY),
    (BASE_NAME["en"], BASE_CITY, BASE_COUNTRY),
    ("China Conservation and Research Center for the Giant Panda, Dujiangyan Base", "Dujiangyan", "CN"),
    ("Wolong National Nature Reserve", "Wolong", "CN"),
]

# --- people ----------------------------------------------------------------------------------------------------

_EN = (["Emily", "James", "Olivia", "Michael", "Sarah", "David", "Hannah", "Daniel", "Laura", "Matthew", "Rachel",
        "Thomas", "Jessica", "Andrew", "Megan", "Christopher", "Sophie", "Benjamin", "Grace", "Ryan"],
       ["Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Moore", "Clark", "Lewis",
        "Walker", "Hall", "Young", "Campbell", "Mitchell", "Roberts", "Carter", "Murphy", "Stewart"])
_DE = (["Anna", "Lukas", "Lena", "Maximilian", "Sophie", "Felix", "Julia", "Jonas", "Katharina", "Florian", "Laura",
        "Tobias", "Theresa", "Stefan"],
       ["Huber", "Gruber", "Müller", "Schmidt", "Wagner", "Bauer", "Fischer", "Weber", "Hofer", "Steiner", "Becker",
        "Koch", "Winkler", "Brandstätter"])
_FR = (["Camille", "Louis", "Chloé", "Hugo", "Léa", "Antoine", "Manon", "Julien", "Inès", "Mathieu", "Élodie",
        "Nicolas"],
       ["Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Simon", "Michel", "Leroy",
        "Dupont", "Lambert"])
_ES = (["Lucía", "Javier", "María", "Alejandro", "Carmen", "Pablo", "Sofía", "Diego", "Elena", "Carlos",
        "Valentina", "Andrés"],
       ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Hernández",
        "Ramírez", "Torres", "Flores"])

NAMES: dict[str, tuple[list[str], list[str]]] = {
    "US": _EN, "GB": _EN, "CA": _EN, "AU": _EN, "NZ": _EN, "AT": _DE, "DE": _DE, "CH": _DE, "FR": _FR, "BE": _FR,
    "ES": _ES, "MX": _ES, "AR": _ES, "CL": _ES,
    "NL": (["Sanne", "Daan", "Lotte", "Bram", "Femke", "Jeroen", "Eva", "Thijs", "Anouk", "Ruben"],
           ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder",
            "de Boer"]),
    "FI": (["Aino", "Mikko", "Emilia", "Juha", "Sanna", "Jussi", "Noora", "Antti", "Helmi", "Ville"],
           ["Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen",
            "Järvinen"]),
    "DK": (["Freja", "Mads", "Ida", "Mikkel", "Sofie", "Rasmus", "Emma", "Frederik", "Clara", "Jonas"],
           ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
            "Jørgensen"]),
    "JP": (["Yuki", "Haruto", "Sakura", "Ren", "Aoi", "Daiki", "Misaki", "Kenta", "Yui", "Sota", "Mei", "Takumi"],
           ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato"]),
    "KR": (["Ji-woo", "Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Hyun-woo", "Soo-ah", "Dong-hyun", "Ye-jin",
            "Sung-min"],
           ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]),
    "MY": (["Nurul Aina", "Muhammad Hafiz", "Siti Aisyah", "Ahmad Faiz", "Nur Izzati", "Mohd Azlan", "Farah",
            "Amirul"],
           ["Ahmad", "Ismail", "Rahman", "Yusof", "Hassan", "Abdullah", "Ibrahim", "Othman"]),
    "TH": (["Somchai", "Suda", "Anan", "Ploy", "Kittisak", "Nattaya", "Wichai", "Pimchanok", "Thanawat", "Kanya"],
           ["Srisuk", "Wongsawat", "Thongchai", "Saetang", "Boonmee", "Rattanakorn", "Jaidee", "Chaiyasit"]),
    "ID": (["Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Ratna", "Yusuf", "Intan"],
           ["Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Nugroho", "Lestari"]),
    "RU": (["Anna", "Elena", "Olga", "Maria", "Natalia", "Ekaterina", "Irina", "Svetlana"],
           ["Ivanova", "Smirnova", "Kuznetsova", "Popova", "Sokolova", "Lebedeva", "Kozlova", "Novikova", "Morozova",
            "Volkova"]),
    "QA": (["Fatima", "Mohammed", "Aisha", "Khalid", "Noora", "Ahmed", "Maryam", "Hamad"],
           ["Al-Kuwari", "Al-Marri", "Al-Mohannadi", "Al-Sulaiti", "Al-Kubaisi", "Al-Emadi", "Al-Naimi"]),
    "CN": (["Wei", "Fang", "Na", "Yang", "Jing", "Lei", "Min", "Qiang", "Xia", "Tao", "Lin", "Hao", "Li", "Bin", "Jie",
            "Ping", "Yan", "Jun", "Hui", "Yu", "Rong", "Kai"],
           ["Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Hu",
            "Guo", "He", "Lin", "Luo", "Zheng", "Tang"]),
    "KE": (["Wanjiru", "Otieno", "Achieng", "Kiprono", "Njeri", "Mwangi"], ["Kamau", "Odhiambo", "Kariuki", "Mutua",
                                                                           "Wekesa", "Chebet"]),
    "NP": (["Sita", "Bikash", "Anjali", "Ramesh", "Sunita", "Prakash"], ["Gurung", "Shrestha", "Thapa", "Tamang",
                                                                        "Rai", "Sherpa"]),
    "IN": (["Priya", "Rahul", "Ananya", "Vikram", "Kavya", "Arjun"], ["Sharma", "Verma", "Iyer", "Nair", "Reddy",
                                                                     "Banerjee"]),
    "VN": (["Lan", "Minh", "Huong", "Tuan", "Thu", "Duc"], ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu"]),
    "BR": (["Ana", "Lucas", "Beatriz", "Gabriel", "Mariana", "Rafael"], ["Souza", "Oliveira", "Santos", "Lima",
                                                                        "Costa", "Ferreira"]),
    "ZA": (["Thandiwe", "Pieter", "Lerato", "Sipho", "Anika", "Johan"], ["Nkosi", "van der Merwe", "Dlamini",
                                                                        "Botha", "Mokoena", "Naidoo"]),
    "IT": (["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo"], ["Rossi", "Russo", "Ferrari", "Esposito",
                                                                         "Bianchi", "Romano"]),
    "PL": (["Zofia", "Jakub", "Maja", "Kacper", "Julia", "Szymon"], ["Nowak", "Wiśniewski", "Kowalczyk", "Zieliński",
                                                                    "Szymański", "Woźniak"]),
    "SG": (["Wei Ling", "Jun Jie", "Hui Min", "Kai Xiang", "Priya", "Farhan"], ["Tan", "Lim", "Ng", "Ong", "Goh",
                                                                               "Rahim"]),
    "PH": (["Maria", "Jose", "Angelica", "Mark", "Kristine", "Paolo"], ["Santos", "Reyes", "Cruz", "Bautista",
                                                                       "Garcia", "Mendoza"]),
    "LK": (["Nimali", "Kasun", "Dilini", "Chaminda", "Sanduni", "Ruwan"], ["Perera", "Fernando", "Silva",
                                                                          "Jayasinghe", "Bandara", "Wickramasinghe"]),
}
FAMILY_NAME_FIRST = {"CN", "KR"}

# Trainees who are nobody's staff come from these countries (many from range and zoo countries in Asia).
INDIVIDUAL_COUNTRIES = ["CN", "CN", "KE", "NP", "IN", "VN", "BR", "ZA", "IT", "PL", "SG", "PH", "LK", "NZ", "AR", "CL",
                        "US", "GB", "FR", "DE", "JP", "MY", "TH"]

# --- outreach --------------------------------------------------------------------------------------------------

TOPICS: list[tuple[str, str]] = [
    ("What do giant pandas eat?", "大熊猫吃什么？"),
    ("How panda cubs grow up", "熊猫宝宝是怎样长大的"),
    ("Protecting the mountains pandas call home", "守护大熊猫的山林家园"),
    ("Pandas and their neighbours: red pandas, takins and golden monkeys", "大熊猫的邻居们：小熊猫、羚牛和金丝猴"),
    ("A day in the life of a panda keeper", "熊猫饲养员的一天"),
    ("Counting wild pandas", "如何清点野生大熊猫"),
    ("Keeping pandas healthy", "守护大熊猫的健康"),
    ("Why bamboo flowering matters", "竹子开花的秘密"),
    ("From endangered to vulnerable: the giant panda's recovery", "从濒危到易危：大熊猫保护之路"),
    ("Panda cubs born abroad", "在海外出生的熊猫宝宝"),
]
ACTIVITIES: list[tuple[str, str]] = [
    ("Build a bamboo enrichment feeder", "制作竹子丰容取食器"),
    ("Read a panda's footprints and droppings", "识别大熊猫的足迹与粪便"),
    ("Set up a camera trap", "架设红外相机"),
    ("Panda nutrition lab: weigh a day's bamboo", "大熊猫营养实验室：称一称一天的竹子"),
    ("Draw and paint giant pandas", "画一画大熊猫"),
]
EXHIBITIONS: list[tuple[str, str]] = [
    ("Giant Pandas: Ambassadors of Friendship", "大熊猫：友谊使者"),
    ("Bamboo Kingdom", "竹之王国"),
    ("From Wolong to the World", "从卧龙走向世界"),
    ("Fifty Years of Giant Panda Conservation", "大熊猫保护五十年"),
    ("The Secret Life of Panda Cubs", "熊猫宝宝的秘密生活"),
]
BOOKSTORES = {  # country: (venue, city)
    "GB": ("Foyles Charing Cross Road", "London"), "FR": ("Librairie Gallimard", "Paris"),
    "DE": ("Dussmann das KulturKaufhaus", "Berlin"), "AT": ("Thalia Wien Mitte", "Vienna"),
    "US": ("Politics and Prose", "Washington"), "JP": ("Kinokuniya Shinjuku Main Store", "Tokyo"),
    "ES": ("Casa del Libro Gran Vía", "Madrid"), "NL": ("Athenaeum Boekhandel", "Amsterdam"),
    "CN": ("Fangsuo Commune, Taikoo Li", "Chengdu"), "AU": ("Dymocks Adelaide", "Adelaide"),
}
CITY_TZ = {"London": "Europe/London", "Paris": "Europe/Paris", "Amsterdam": "Europe/Amsterdam"}
BASE_VENUES = ["Giant Panda Museum, Chengdu Research Base", "Science Education Centre, Chengdu Research Base",
               "Panda Valley Amphitheatre, Chengdu Research Base"]
CANCEL_REASONS = ["Postponed because of a severe weather warning.",
                  "The venue is closed for renovation; the event will be rescheduled.",
                  "Cancelled at the co-host's request: the panda house is closed for a health check.",
                  "Too few registrations; merged with the next session."]

# --- publications ----------------------------------------------------------------------------------------------

# area: [(title en, title zh)], each with a place for its subject ({s}).
PHRASES: dict[str, list[tuple[str, str]]] = {
    "breeding": [("Seasonal patterns of oestrus and fertility in {s}", "{s}发情与繁殖力的季节规律"),
                 ("Urinary hormone profiles and the timing of ovulation in {s}", "{s}尿液激素变化与排卵时间"),
                 ("Maternal behaviour and cub survival in {s}", "{s}母兽行为与幼仔存活"),
                 ("Outcomes of artificial insemination in {s}", "{s}人工授精效果分析"),
                 ("Pseudopregnancy and its endocrine signature in {s}", "{s}假孕及其内分泌特征")],
    "genetics": [("Genetic diversity and inbreeding in {s}", "{s}遗传多样性与近交"),
                 ("Paternity assignment with microsatellites in {s}", "{s}微卫星亲子鉴定"),
                 ("Population viability of {s} under genetic management", "遗传管理下{s}的种群生存力"),
                 ("Whole-genome resequencing of {s}", "{s}全基因组重测序")],
    "disease_treatment": [("Clinical management of gastrointestinal disease in {s}", "{s}消化道疾病的临床处置"),
                          ("Parasite burden and anthelmintic treatment in {s}", "{s}寄生虫感染与驱虫治疗"),
                          ("Dental disease and its treatment in {s}", "{s}口腔疾病及其治疗"),
                          ("Anaesthesia protocols and outcomes in {s}", "{s}麻醉方案与效果")],
    "epidemic_prevention": [("Canine distemper virus serosurveillance in {s}", "{s}犬瘟热病毒血清学监测"),
                            ("Quarantine and biosecurity for {s}", "{s}检疫与生物安全"),
                            ("Antibody responses to vaccination in {s}", "{s}疫苗免疫应答")],
    "wild_population": [("Occupancy and abundance of {s} from camera traps", "基于红外相机的{s}占域与数量估计"),
                        ("A faecal DNA census of {s}", "{s}粪便DNA种群调查"),
                        ("Home range and movement of {s}", "{s}家域与活动规律")],
    "habitat": [("Bamboo forest dynamics and habitat use by {s}", "{s}栖息地利用与竹林动态"),
                ("Habitat fragmentation and corridor use by {s}", "{s}栖息地破碎化与廊道利用"),
                ("Effects of roads and tourism on {s}", "道路与旅游对{s}的影响")],
    "protection": [("Outcomes of soft release for {s}", "{s}野化放归效果"),
                   ("Protected-area effectiveness for {s}", "{s}保护地成效评估")],
    "education": [("What visitors learn about {s}", "公众对{s}的认知与学习"),
                  ("School programmes about {s}", "关于{s}的校园教育项目")],
    "other": [("Gut microbiome and bamboo digestion in {s}", "{s}肠道微生物与竹子消化"),
              ("Ageing and geriatric care of {s}", "{s}衰老与老年护理"),
              ("Activity budgets and enrichment of {s}", "{s}活动时间分配与丰容")],
}
SUBJECTS: list[tuple[str, str]] = [
    ("captive giant pandas", "圈养大熊猫"),
    ("giant pandas (Ailuropoda melanoleuca)", "大熊猫"),
    ("the ex situ giant panda population", "迁地保护大熊猫种群"),
    ("giant pandas on loan abroad", "旅居海外的大熊猫"),
    ("wild giant pandas in the Qionglai Mountains", "邛崃山系野生大熊猫"),
    ("wild giant pandas in the Minshan Mountains", "岷山野生大熊猫"),
    ("giant pandas at the Chengdu Research Base", "成都大熊猫繁育研究基地大熊猫"),
]
SUBJECT_AREAS = {"wild_population", "habitat", "protection"}  # areas whose works are about wild pandas
JOURNALS = ["Conservation Biology", "Biological Conservation", "Zoo Biology", "Journal of Zoo and Wildlife Medicine",
            "Integrative Zoology", "Molecular Ecology", "Theriogenology", "Animal Conservation", "Oryx",
            "Scientific Reports", "Ecology and Evolution", "Journal of Wildlife Diseases",
            "Applied Animal Behaviour Science", "Global Ecology and Conservation"]
CHINESE_JOURNALS = ["Acta Theriologica Sinica", "Chinese Journal of Wildlife", "Sichuan Journal of Zoology"]
CONFERENCES = ["International Conference on Giant Panda Conservation",
               "Annual Conference of the European Association of Zoos and Aquaria",
               "Annual Conference of the American Association of Zoo Veterinarians",
               "International Congress for Conservation Biology"]
PUBLISHERS = ["Springer", "Academic Press", "Cambridge University Press", "Sichuan Science and Technology Press",
              "Smithsonian Books"]
POPULAR_BOOKS: list[tuple[str, str]] = [
    ("The Panda Keeper's Year", "熊猫饲养员的一年"),
    ("Growing Up Panda: From Cub to Adult", "熊猫成长记"),
    ("Bamboo and Beyond: How Pandas Live", "竹林深处：大熊猫的生活"),
    ("Pandas Around the World", "环游世界的大熊猫"),
    ("The Secret Life of Giant Pandas", "大熊猫的秘密生活"),
    ("My First Book of Pandas", "我的第一本熊猫书"),
]
POPULAR_ARTICLES: list[tuple[str, str]] = [
    ("Why pandas still need bamboo forests", "为什么大熊猫依然需要竹林"),
    ("Meet the cubs born abroad", "认识在海外出生的熊猫宝宝"),
    ("How we count wild pandas", "我们如何清点野生大熊猫"),
    ("A panda's checkup, step by step", "大熊猫体检全记录"),
    ("What keepers learn from each other", "饲养员之间的交流与学习"),
]
RETRACTION_REASONS = ["Duplicate publication of data reported earlier.",
                      "An error in the genotyping pipeline invalidates the main result.",
                      "The authors could not reproduce the hormone assay results."]
KEYWORDS: dict[str, list[str]] = {
    "breeding": ["reproduction", "oestrus", "artificial insemination", "progesterone", "cub survival"],
    "genetics": ["genetic diversity", "inbreeding", "studbook", "microsatellites", "genomics"],
    "disease_treatment": ["veterinary medicine", "gastrointestinal disease", "parasites", "anaesthesia"],
    "epidemic_prevention": ["canine distemper", "biosecurity", "quarantine", "vaccination", "zoonoses"],
    "wild_population": ["camera traps", "population census", "faecal DNA", "occupancy"],
    "habitat": ["bamboo", "habitat fragmentation", "corridors", "land use"],
    "protection": ["reintroduction", "protected areas", "conservation policy"],
    "education": ["science education", "visitor studies", "public engagement"],
    "other": ["microbiome", "ageing", "behaviour", "welfare"],
}
SCHOOLS = {  # city: schools that pandas visit (made up)
    "Chengdu": ["Chengdu Foreign Languages School", "Jinjiang Experimental Primary School"],
}

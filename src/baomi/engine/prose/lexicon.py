"""Word lists shared by the training-sentence generator and the feature extractor.

Everything here is public, generic vocabulary (surnames, characters common in given names,
suffixes of organisation names, administrative divisions). No real person's name is listed.
Divisions come from the real GB/T 2260 table shipped inside the ``cpca`` package
(``resources/adcodes.csv``), read directly as CSV — importing cpca itself is slow.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from baomi.engine.adcodes import adcodes_path


@cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single, compound) surnames of ``engine/data/surnames.txt`` (simplified and traditional
    forms, a lexicon, no personal data), loaded once: the name column's recognizer's and the
    foreign-script rule's."""
    text = (resources.files("baomi.engine") / "data" / "surnames.txt").read_text(encoding="utf-8")
    words = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
    return (
        frozenset(w for w in words if len(w) == 1),
        frozenset(w for w in words if len(w) == 2),
    )


#: The particles of European surnames, in lower case (``van der``, ``de la``, ``del``, ``bin``)
SURNAME_PARTICLES = frozenset(
    [
        "de",
        "la",
        "le",
        "du",
        "des",
        "van",
        "von",
        "der",
        "den",
        "di",
        "da",
        "del",
        "della",
        "dos",
        "das",
        "do",
        "y",
        "e",
        "bin",
        "binti",
        "al",
        "el",
        "ten",
        "ter",
        "op",
    ]
)

#: Korean surnames in Hangul, the commonest (one syllable), and the two-syllable ones
KOREAN_SURNAMES = (
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진지엄채원"
    "천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부"
)
KOREAN_COMPOUND_SURNAMES = ("남궁", "황보", "제갈", "선우", "독고")


#: Common single-character surnames (百家姓, most frequent first).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支"
    "卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印"
    "逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    # common surnames the list above left out (傅 is among the 50 most frequent)
    "傅萧赖洪阎"
)

#: Compound (two-character) surnames.
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "令狐",
    "夏侯",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "轩辕",
    "呼延",
    "百里",
    "东郭",
    "钟离",
    "澹台",
    "万俟",
    "申屠",
    "太史",
    "闻人",
    "赫连",
    "司空",
)

#: Characters common in Chinese given names.
GIVEN_CHARS = (
    "伟强磊洋勇军杰涛超明刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国峰亮成彬楠晨毅诚晓东"
    "志刚海波永红立新文斌春梅秀英丽娟敏静燕艳芳玲婷雪琳倩颖慧莉霞兰凤洁琴云莹丹萍娜桂珍瑶蕾"
    "薇晶璐悦欣怡思雨佳雅嘉梦琪瑞晗萱妍菲馨蓉月柳婉婕娅彤昕可馥舒琼翠玉梓涵子轩浩然博文天佑"
    "宇航泽宏远志豪俊杰鸿运家乐宏伟明哲振国卫东红军建华德福长江金山永强子健君浩伦晓光学良少华"
    "世杰嘉懿煜城懿轩烨磊晟睿天宸瑾瑜熙瑶嘉怡钰琰璇蕊卓欣怡炜祺铭锦程凌霄翔宇鹤轩辰逸皓亦昊"
    "清正中宪仁义礼智信德才茂盛荣昌兴隆永庆福禄寿喜桂香秋菊冬梅春燕夏雪兵勤俭发财旺盈丰宝珠"
    "琦璟珂晴岚笑若依诗语彦廷弘毅振宇靖康劲松奕辰睿哲子墨一鸣晓峰承泽梓豪沐宸书瑶诗涵紫萱可馨"
)

#: Syllables of transliterated foreign names (温格, 贝克汉姆, 阿卜杜拉·买买提).
TRANSLIT_SYLLABLES = (
    "阿艾安奥巴拜班邦贝本比彼宾波伯博布查达戴丹道德迪蒂杜多厄恩法范菲费芬佛弗福盖冈戈格贡古哈"
    "海汉豪赫亨胡华怀霍基吉加贾杰金卡凯坎康考柯科克肯库拉莱兰朗劳勒雷里利莉林琳卢鲁伦罗洛马玛"
    "迈麦曼梅门米密明莫姆穆纳娜奈内尼妮涅纽努诺欧帕佩彭皮普奇乔切琼萨塞桑瑟森沙舍什施斯松苏索"
    "塔泰坦汤特提图托瓦万威韦维温沃乌西希谢辛休雅亚扬耶伊因英尤于泽扎詹兹佐"
)

#: Minority given-name parts written with an interpunct (买买提·艾力).
MINORITY_PARTS = (
    "买买提",
    "艾力",
    "阿不都",
    "热合曼",
    "古丽",
    "努尔",
    "阿依",
    "吐尔逊",
    "依明",
    "帕提古丽",
    "热依拉",
    "阿迪力",
    "迪丽",
    "扎西",
    "次仁",
    "卓玛",
    "多吉",
    "央金",
    "格桑",
    "巴特尔",
    "乌兰",
    "其木格",
    "阿尔斯楞",
    "塔娜",
    "加央",
    "尼玛",
    "拉姆",
    "阿卜杜拉",
    "伊力哈木",
    "麦合木提",
)

#: Suffixes that end an organisation name, longest first.
ORG_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "公司",
    "集团",
    "银行",
    "支行",
    "分行",
    "证券",
    "保险",
    "基金",
    "信托",
    "控股",
    "股份",
    "事务所",
    "研究院",
    "研究所",
    "设计院",
    "大学",
    "学院",
    "医院",
    "诊所",
    "协会",
    "商会",
    "合作社",
    "工作室",
    "俱乐部",
    "商行",
    "超市",
    "酒店",
    "工厂",
    "厂",
    "中心",
    "门市部",
    "经营部",
)

#: Titles and forms of address that follow a name (张三先生, 李经理 → the name ends before).
NAME_TITLES = (
    "先生",
    "女士",
    "小姐",
    "经理",
    "总经理",
    "老师",
    "律师",
    "医生",
    "主任",
    "董事长",
    "总监",
    "同志",
    "师傅",
    "会计",
    "主管",
    "阿姨",
    "教授",
    "博士",
    "总",
)

#: Context words that introduce a person's name in business text (甲方：张三).
NAME_TRIGGERS = (
    "甲方",
    "乙方",
    "丙方",
    "联系人",
    "法定代表人",
    "法人代表",
    "负责人",
    "收货人",
    "收件人",
    "寄件人",
    "委托人",
    "受托人",
    "代理人",
    "转让方",
    "受让方",
    "出让方",
    "担保人",
    "借款人",
    "出借人",
    "客户",
    "姓名",
    "经办人",
    "签收人",
    "投诉人",
    "申请人",
    "股东",
    "监护人",
    "户主",
    "业务员",
    "客服",
    "户名",
    "开户名",
    "账户名",
    "收款人",
    # who handled a customer, in CRM notes, tickets and forms
    "跟进人",
    "处理人",
    "对接人",
    "联络人",
    "受理人",
    "办理人",
    "承办人",
    "审批人",
    "回访人",
    "接待人",
    "客户经理",
    "发件人",
    "付款人",
)

#: Trigger words after which a name is also written with no colon (户名苑浩, 姓名张三): each
#: ends in 名, "name", so what follows it is the name itself.
NAME_TRIGGERS_GLUED = ("姓名", "户名", "开户名", "账户名")

#: Characters ending an address part (路, 号, 室 …).
ADDRESS_CHARS = "省市区县镇乡村路街道巷弄号栋幢楼室层单元组社里屯园苑庄府湾城厦场站"


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division from GB/T 2260: ``level`` 1 province, 2 city, 3 county."""

    code: str
    name: str
    level: int


_ETHNIC_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区")
_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@cache
def _nations() -> tuple[str, ...]:
    path = adcodes_path().with_name("56_nations.csv")
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


@cache
def divisions() -> tuple[Division, ...]:
    """All divisions, sorted by code (deterministic order for the generator)."""
    out: list[Division] = []
    with adcodes_path().open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"], row["name"]
            if name in _SKIP_NAMES or len(code) != 12:
                continue
            if code[2:] == "0000000000":
                level = 1
            elif code[4:] == "00000000":
                level = 2
            elif code[6:] == "000000":
                level = 3
            else:
                continue
            out.append(Division(code, name, level))
    out.sort(key=lambda d: d.code)
    return tuple(out)


def short_name(name: str, level: int) -> str:
    """The usual short form of a division name (广东省 → 广东, 海淀区 → 海淀), or ``name``."""
    for suf in _ETHNIC_SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    if "族自治" in name:
        # 阿坝藏族羌族自治州 → 阿坝: strip the ethnic groups' names from the end.
        head = name.split("自治")[0]
        changed = True
        while changed:
            changed = False
            for nation in _nations():
                if head.endswith(nation) and len(head) > len(nation) + 1:
                    head = head[: -len(nation)]
                    changed = True
        return head
    for suf in ("地区", "省", "市", "盟", "区", "县", "州", "旗"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            if level == 3 and suf in ("区", "市"):
                return name[: -len(suf)]
            if level < 3:
                return name[: -len(suf)]
    return name


@cache
def division_names() -> frozenset[str]:
    """Full and short division names (two characters or more) for the lexicon feature."""
    names: set[str] = set()
    for d in divisions():
        names.add(d.name)
        s = short_name(d.name, d.level)
        if len(s) >= 2:
            names.add(s)
    return frozenset(n for n in names if len(n) >= 2)


COMMON_WORDS_FILE = "common_words.txt"
#: jieba part-of-speech tags of proper names (person, place, organisation, other) and noise.
NAME_POS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "x", "eng"})
#: Dictionary frequency a word needs to be listed as common.
COMMON_MIN_FREQ = 100


def jieba_dictionary() -> Path | None:
    """jieba's dictionary file when jieba (a dev dependency) is installed, without importing it."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    return path if path.is_file() else None


def iter_dictionary(path: Path) -> list[tuple[str, int]]:
    """``(word, frequency)`` of jieba's dictionary, leaving out proper names."""
    out: list[tuple[str, int]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] not in NAME_POS:
                out.append((parts[0], int(parts[1])))
    return out


PLACE_WORDS_FILE = "place_words.txt"
ORG_WORDS_FILE = "org_words.txt"
#: Organisation names in jieba's dictionary that are government bodies, parties or armies
#: (not companies) are left out of the organisation gazetteer.
_NOT_COMPANY = ("政府", "局", "部", "厅", "委员会", "党", "军", "队", "办公室", "署", "站", "司")


def iter_tagged(path: Path, tags: frozenset[str]) -> list[tuple[str, int]]:
    """``(word, frequency)`` of jieba's dictionary entries with one of ``tags``."""
    out: list[tuple[str, int]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] in tags:
                out.append((parts[0], int(parts[1])))
    return out


def build_word_lists(folder: Path) -> int:
    """Write the word lists the features use, from jieba's dictionary (MIT licence), sorted:
    common words (two to four characters, no proper names), place names (``ns``) and
    organisation names (``nt``, companies only). Person names (``nr``) are never listed.
    Returns the number of common words, 0 when jieba is absent (the lists are kept)."""
    path = jieba_dictionary()
    if path is None:
        return 0
    common = {w for w, f in iter_dictionary(path) if f >= COMMON_MIN_FREQ and 2 <= len(w) <= 4}
    places = {w for w, f in iter_tagged(path, frozenset({"ns"})) if f >= 5 and 2 <= len(w) <= 6}
    orgs = {
        w
        for w, _ in iter_tagged(path, frozenset({"nt"}))
        if 2 <= len(w) <= 10 and not w.endswith(_NOT_COMPANY)
    }
    for name, words in (
        (COMMON_WORDS_FILE, common),
        (PLACE_WORDS_FILE, places),
        (ORG_WORDS_FILE, orgs),
    ):
        (folder / name).write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    common_words.cache_clear()
    place_words.cache_clear()
    org_words.cache_clear()
    return len(common)


def _package_words(name: str) -> frozenset[str]:
    ref = resources.files("baomi.engine.prose").joinpath(name)
    if not ref.is_file():
        return frozenset()
    return frozenset(w for w in ref.read_text(encoding="utf-8").split("\n") if w)


@cache
def place_words() -> frozenset[str]:
    """Place names (towns, landmarks, foreign places) beyond the division table."""
    return _package_words(PLACE_WORDS_FILE)


@cache
def org_words() -> frozenset[str]:
    """Well-known organisation (company) names."""
    return _package_words(ORG_WORDS_FILE)


@cache
def common_words() -> frozenset[str]:
    """Common Chinese words (not names): a word-boundary feature for the tagger."""
    return _package_words(COMMON_WORDS_FILE)

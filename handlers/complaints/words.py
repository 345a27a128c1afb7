"""The words of complaints: recognising one, how severe it is, what it is about, how clear.

All matching is on `clean` text (width, case and script folded, punctuation gone), except the
exclamation marks, which are counted on the text as written.
"""

import re
import unicodedata
from dataclasses import dataclass

from core.patterns import fold
from handlers.smalltalk.rule import GREETINGS
from handlers.words import (
    AFTER_SALES_WORDS,
    asks_ticket_progress,
    contains_any,
    filler,
    without_words,
)
from knowledge.normalize import clean

# Threats to take it outside the shop: urgent, and they interrupt any open dialog.
THREAT_WORDS = (
    "消协",
    "消费者协会",
    "工商局",
    "找工商",
    "市场监管",
    "监管局",
    "找媒体",
    "记者",
    "电视台",
    "曝光",
    "律师",
    "起诉",
    "法院",
    "告你们",
    "报警",
    "警察",
    "公安",
    "维权",
)
# Accusations of fraud: as urgent as threats, unless only asked about ("你们是骗子吗") or
# passed on ("我朋友说你们是骗子"): that is a question whether the shop can be trusted.
ACCUSATION_WORDS = ("骗子", "诈骗", "欺诈")
SEVERE_WORDS = THREAT_WORDS + ACCUSATION_WORDS
# Hotlines, only as a number of their own (not inside an order or tracking number).
_SEVERE_NUMBERS = re.compile(r"(?<![0-9])(12315|12345)(?![0-9])")

# Saying it is a complaint, or insulting the shop: a complaint whatever else is asked.
EXPLICIT_WORDS = (
    "投诉",
    "差评",
    "举报",
    "黑店",
    "奸商",
    "无良",
    "坑人",
    "坑钱",
    "坑爹",
    "骗钱",
    "垃圾",
    "破东西",
    "什么破",
    "傻逼",
    "他妈的",
)
_DEGREE = "太|很|真|超|特别|非常|这么|那么|极其|实在"
# "态度太差", "服务不好"; not "服务好不好", which is a question.
_EXPLICIT_PATTERNS = re.compile(rf"(态度|服务)(是)?({_DEGREE})?(差|烂|恶劣|不好)")
# The complaint words themselves, when they are no complaint.
# The words that name a complaint outright.
COMPLAINT_TERMS = ("投诉", "差评", "举报")
_COMPLAINT_TERMS = "|".join(COMPLAINT_TERMS)
_NOT_COMPLAINING = (
    # Things whose names hold a complaint word: "垃圾桶有卖吗", "有没有卖垃圾袋".
    re.compile(r"垃圾(桶|袋|箱|篓|筐|车|站|分类|清理|处理|邮件|短信)"),
    # Saying there is or will be none: "不会给差评的", "不投诉了", "没投诉".
    re.compile(rf"(不|没|别)(是|会|想|要|用|打算|准备|至于|再)?(给|打|写|去)?({_COMPLAINT_TERMS})"),
)
# Asking what they do, in a question: "差评会影响你们吗", "投诉有用吗", "差评能删吗"; not
# someone's own complaint ("我要投诉，会有人管吗").
_ASKED_ABOUT = re.compile(
    rf"(?<![要想我])({_COMPLAINT_TERMS})"
    r"(会不会|会|有没有用|有用|没用|管用|有影响|影响|能删|能撤|能改|可以删|可以撤|可以改|算)"
)

# Anger and disappointment: a complaint on its own, but an answer inside another dialog, and
# second to an after-sales request said calmly ("质量太差了，我要退货").
ANGER_WORDS = (
    "差劲",
    "无语",
    "气死",
    "过分",
    "恶心",
    "失望",
    "不像话",
    "忍无可忍",
    "受不了你们",
    "什么玩意",
    "什么鬼",
    "什么态度",
    "你们怎么回事",
    "到底怎么回事",
    "怎么搞的",
    "搞什么",
    "忽悠",
    "没人管",
    "没人理",
    "没人回",
    "欺负人",
)
_HARSH = re.compile(rf"({_DEGREE}|好)(差|烂|慢)(?!价)")
# Being left waiting: "半天不回", "一直没人理", "钱付了东西一直不发", "一个星期都没送到";
# not when simply asked ("一直没发货吗"). Unlike the harsh words these say what happened, so
# they stay in a complaint's detail.
_WAITED = (
    r"半天|好久|一直|老是|总是|迟迟|始终|到现在"
    r"|(几|[0-9一二两三四五六七八九十]+)个?(天|周|星期|礼拜|月)"
)
_NEGLECT = re.compile(rf"({_WAITED})(都|也|还)?(不|没|没人|没有人)(回|理|管|发|送到|到|处理)")
ANGRY_EXCLAMATIONS = 3
# Anger with an after-sales request is the reason for the request, unless said with emphasis
# ("质量太差了我要退款！！"): then it is a complaint as well, and the request is started too.
EMPHATIC_EXCLAMATIONS = 2
# Saying no or not: a question with one in it ("为什么还不发货！！！") is a grievance. The
# "A不A" of a question ("能不能", "有没有") does not count.
_NEGATIVE = re.compile(r"不|没|别|未")
_A_NOT_A = re.compile(r"(\w)[不没]\1")
# Exclamations of joy are not anger ("收到啦谢谢!!!").
PLEASED_WORDS = (
    "谢谢",
    "感谢",
    "好评",
    "太好了",
    "太棒",
    "好棒",
    "真棒",
    "爱了",
    "点赞",
    "好喜欢",
    "很喜欢",
    "超喜欢",
)

# Doubting the shop rather than accusing it: a question ("你们是不是骗子", "是真的吗"), or
# what others say ("我朋友说", "听说", "网上都说"). Answered from the FAQ's authenticity
# entries; accusing in so many words ("你们就是骗子！") stays an urgent complaint.
TRUST_WORDS = (*ACCUSATION_WORDS, "骗人", "骗钱", "黑店", "假货")
TRUST_FAQ_CATEGORY = "authenticity"
_DOUBT = re.compile(r"吗|是不是|是否|会不会|不会是|真的假的")
_HEARSAY = re.compile(
    r"听说|据说|传言|传闻|上(都|也)?说"
    r"|(别人|有人|朋友|同学|同事|家人|网友|评论|大家|他们|他|她)(都|也)?(说|讲)"
)
# Asking something: for telling a question from an account of what happened. "什么" and
# "怎么回事" are mostly exclamations in a complaint.
_QUESTION = re.compile(
    r"吗|(?<!什)么|多久|几天|多少|哪|如何|怎样|是否|能不能|可不可以|会不会|有没有|为什么|为啥"
    r"|怎么(?!回事|搞)"
)

SEVERITIES = ("normal", "urgent")
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "logistics": (
        "快递",
        "物流",
        "没到",
        "没送到",
        "没收到",
        "未收到",
        "慢",
        "丢件",
        "丢了",
        "配送",
        "派送",
        "送货",
        "发货",
        "没发",
        "不发",
        "包裹",
        "签收",
        "单号",
    ),
    "quality": (
        "质量",
        "坏",
        "破",
        "碎",
        "压扁",
        "压坏",
        "变形",
        "假货",
        "假的",
        "过敏",
        "烂",
        "变质",
        "过期",
        "漏",
        "刺痛",
        "红肿",
        "长痘",
        "闷痘",
        "没效果",
        "不好用",
        "味道",
        "发霉",
        "瑕疵",
    ),
    "service": (
        "态度",
        "客服",
        "不回",
        "不理",
        "没人理",
        "没人回",
        "没人管",
        "回复",
        "服务",
        "敷衍",
        "骂人",
        "推卸",
        "踢皮球",
    ),
    "price": (
        "价格",
        "价钱",
        "差价",
        "降价",
        "涨价",
        "原价",
        "标价",
        "贵",
        "便宜",
        "多收",
        "多扣",
        "乱收费",
        "运费",
        "优惠",
        "不值",
        "不值这个价",
        "太贵",
        "这么贵",
        "卖这么贵",
        "坑钱",
    ),
}
# Every category a complaint may have, in the order reports list them.
CATEGORIES = (*CATEGORY_WORDS, "other")
# Splits a message into clauses ("快递一个星期都没送到，客服也不回消息").
_CLAUSE_BREAK = re.compile(r"[^\w]+")

# Words that say nothing about what happened ("我要去投诉你们家"); what remains of a message
# once they and the complaint words are gone is its detail.
_EMPTY_WORDS = filler(
    "我要",
    "我想",
    "你们",
    "你",
    "他们",
    "要",
    "想",
    "去",
    "给",
    "向",
    "找",
    "打",
    "跟",
    "电话",
    "就",
    "都",
    "也",
    "还",
    "必须",
    "一定",
    "马上",
    "立刻",
    "现在",
    "真的",
    "真是",
    "简直",
    "这",
    "那",
    "个",
    "家",
    "店",
    "什么",
    "在吗",
    "客服",
)
UNCLEAR_AT_MOST = 2  # characters of detail


@dataclass(frozen=True)
class ComplaintSignal:
    """What recognising a complaint found: why it is urgent ("扬言投诉12315"), if it is."""

    severe_reason: str = ""

    @property
    def severe(self) -> bool:
        return bool(self.severe_reason)


def exclamations(text: str) -> int:
    return unicodedata.normalize("NFKC", text).count("!")


def _first(cleaned: str, words: tuple[str, ...]) -> str | None:
    return next((word for word in words if word in cleaned), None)


def _plain_question(text: str, cleaned: str) -> bool:
    """A question with no "not" in it ("急！！！能今天发货吗！！！"): impatience, not anger."""
    asked = "?" in fold(text) or "吗" in cleaned  # not `asks`: "这么贵！！！" asks nothing
    return asked and not _NEGATIVE.search(_A_NOT_A.sub("", cleaned))


def asks(text: str) -> bool:
    """Whether the message asks something ("…是真的吗", "我的订单到哪了")."""
    return "?" in fold(text) or _QUESTION.search(clean(text)) is not None


def _doubts_trust(text: str, cleaned: str) -> bool:
    """Fraud mentioned as a question or as what others say, not as one's own accusation."""
    if not contains_any(cleaned, TRUST_WORDS):
        return False
    return bool(_DOUBT.search(cleaned) or _HEARSAY.search(cleaned)) or "?" in fold(text)


def _plain(text: str) -> str:
    """The cleaned text without complaint words that are no complaint: things named with them,
    saying there is none, asking what they do, asking how one goes (the ticket status rule's
    question: "投诉进度", "我的投诉处理得怎么样了")."""
    cleaned = clean(text)
    for pattern in _NOT_COMPLAINING:
        cleaned = pattern.sub("", cleaned)
    if asks(text):
        cleaned = _ASKED_ABOUT.sub("", cleaned)
    if asks_ticket_progress(text):
        cleaned = cleaned.replace("投诉", "")
    return cleaned


def _mentions_removed(text: str) -> str:
    """`_plain`, and without fraud words when they are doubts passed on or asked."""
    cleaned = _plain(text)
    return without_words(cleaned, TRUST_WORDS) if _doubts_trust(text, cleaned) else cleaned


def _severe_reason(text: str, cleaned: str) -> str:
    # Hotline numbers are looked for before `clean` joins them to the digits around them.
    # The reason is shown to staff in the urgent complaint's notification.
    hotline = _SEVERE_NUMBERS.search(fold(text))
    if hotline:
        return f"扬言投诉{hotline.group()}"
    threat = _first(cleaned, THREAT_WORDS)
    if threat:
        return f"威胁（{threat}）"
    accusation = _first(cleaned, ACCUSATION_WORDS)
    return f"指责欺诈（{accusation}）" if accusation else ""


def severe_reason(text: str) -> str:
    """Why the message makes a complaint urgent ("扬言投诉12315", "指责欺诈（骗子）"), or ""."""
    return _severe_reason(text, _mentions_removed(text))


def recognise(text: str) -> ComplaintSignal | None:
    """The complaint in a message, or None when it is not one."""
    cleaned = _mentions_removed(text)
    reason = _severe_reason(text, cleaned)
    explicit = contains_any(cleaned, EXPLICIT_WORDS) or bool(_EXPLICIT_PATTERNS.search(cleaned))
    if reason or explicit:
        return ComplaintSignal(severe_reason=reason)
    neglected = _NEGLECT.search(cleaned) is not None and "吗" not in cleaned
    angry = contains_any(cleaned, ANGER_WORDS) or _HARSH.search(cleaned) is not None or neglected
    shouted = exclamations(text)
    shouting = (
        shouted >= ANGRY_EXCLAMATIONS
        and cleaned not in GREETINGS  # "在吗！！！" is impatience, not yet a complaint
        and not contains_any(cleaned, PLEASED_WORDS)
        and not _plain_question(text, cleaned)  # asked loudly; the other rules answer it
    )
    if contains_any(cleaned, AFTER_SALES_WORDS):
        angry = angry and shouted >= EMPHATIC_EXCLAMATIONS
        shouting = False  # "我要退货！！！" is a request said loudly
    if angry or shouting:
        return ComplaintSignal()
    return None


def asks_about_trust(text: str) -> bool:
    """A question whether the shop can be trusted ("我朋友说你们是骗子，是真的吗"), with no
    complaint in it: answered, not recorded."""
    cleaned = _plain(text)
    return (
        _doubts_trust(text, cleaned)
        and not contains_any(cleaned, AFTER_SALES_WORDS)
        and recognise(text) is None
    )


def names_after_sales(text: str) -> bool:
    return contains_any(clean(text), AFTER_SALES_WORDS)


def classify(text: str) -> str:
    """logistics, quality, service, price or other: the category with the most words.

    A complaint usually starts with what it is about, and later clauses add to it ("快递一个
    星期都没送到，客服也不回消息" is about the parcel; the silence of the service is a side
    remark). So the words of the first clause that names any category count twice, and a tie
    goes to the category named first.
    """
    scores: dict[str, int] = {}
    first_seen: dict[str, int] = {}  # where in the cleaned text a category was first named
    offset = 0
    for clause in (clean(part) for part in _CLAUSE_BREAK.split(text)):
        weight = 1 if scores else 2  # the first clause naming any category counts twice
        for category, words in CATEGORY_WORDS.items():
            positions = [offset + clause.find(word) for word in words if word in clause]
            if positions:
                scores[category] = scores.get(category, 0) + weight * len(positions)
                first_seen.setdefault(category, min(positions))
        offset += len(clause)
    if not scores:
        return "other"
    return max(scores, key=lambda category: (scores[category], -first_seen[category]))


def detail(text: str) -> str:
    """What a complaint says beyond the complaint itself."""
    cleaned = clean(_SEVERE_NUMBERS.sub("", fold(text)))
    for words in (SEVERE_WORDS, EXPLICIT_WORDS, ANGER_WORDS):
        cleaned = without_words(cleaned, words)
    cleaned = _EXPLICIT_PATTERNS.sub("", cleaned)
    cleaned = _HARSH.sub("", cleaned)
    return _EMPTY_WORDS.sub("", cleaned)


def is_unclear(text: str) -> bool:
    """True when the message says it is a complaint but not what happened ("我要投诉")."""
    return len(detail(text)) <= UNCLEAR_AT_MOST

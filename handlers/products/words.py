"""What a customer asks about a product: its price, its stock, a recommendation, the same
again as last time; and a lower price someone else is said to have quoted."""

import re
from decimal import Decimal

from core.patterns import fold
from handlers.words import contains_any
from knowledge.normalize import clean

PRICE_WORDS = (
    "多少钱",
    "多钱",
    "几块",
    "几元",
    "价格",
    "价钱",
    "价位",
    "什么价",
    "啥价",
    "售价",
    "怎么卖",
    "卖多少",
    "贵不贵",
    "贵吗",
    "卖不卖",
)
STOCK_WORDS = (
    "有货",
    "有没有货",
    "没货",
    "缺货",
    "库存",
    "现货",
    "断货",
    "补货",
    "还有吗",
    "还有没有",
    "有没有了",
    "卖完",
    "售罄",
    "卖光",
)
RECOMMEND_WORDS = (
    "推荐",
    "哪个好",
    "哪款好",
    "哪种好",
    "哪个比较好",
    "哪款比较好",
    "用哪个",
    "用哪款",
    "用什么",
    "选哪个",
    "选哪款",
    "买哪个",
    "买哪款",
    "适合",
    "什么好",
    "啥好",
)
# Buying the same again takes a word for last time and a word for buying again ("再来一单
# 上次的", "上次买的那个再来两盒"), or is nothing but the reference ("上次买的那个"): "上次的
# 面膜有点过敏" or "回购有优惠吗" are other questions.
LAST_TIME_WORDS = ("上次", "上回", "之前", "以前", "老样子", "一样的")
BUY_AGAIN_WORDS = ("再来", "再买", "再要", "再拍", "再下单", "再订", "回购", "还要", "还想要")
_ONLY_LAST_TIME = re.compile(
    r"(?:和|跟)?(?:上次|上回)(?:买的|的)?(?:那个|那款|那种|一样)?(?:的)?|老样子"
)
# Words that point back at the product talked about ("这个多少钱", "它还有货吗").
POINTING_WORDS = ("这个", "这款", "这种", "那个", "那款", "它")
# Someone else who named a lower price: an agent of the shop, staff, a friend, another shop.
THIRD_PARTY_WORDS = (
    "代理",
    "客服",
    "同事",
    "店员",
    "上级",
    "你们的人",
    "朋友",
    "别人",
    "人家",
    "别家",
    "其他店",
    "别的店",
    "群里",
    "直播间",
    "专柜",
)
_NUMBER = r"(\d{1,7}(?:\.\d{1,2})?)"
# An amount of money: marked as one ("¥99", "89.9元", "59块") or said as a price ("只要120",
# "才99", "卖100"); never a bare number, which may be a date, a time or a count.
_AMOUNT = re.compile(
    rf"[¥￥]\s*{_NUMBER}|(?<![\d.]){_NUMBER}\s*(?:元|块|rmb)"
    rf"|(?:只要|只需|才|就|卖|价格是|价是|报价)\s*{_NUMBER}(?![\d.]|\s*[月点号日年周天个件盒瓶支片])",
    re.IGNORECASE,
)


def asks_price(text: str) -> bool:
    return contains_any(clean(text), PRICE_WORDS)


def asks_stock(text: str) -> bool:
    return contains_any(clean(text), STOCK_WORDS)


def asks_recommendation(text: str) -> bool:
    return contains_any(clean(text), RECOMMEND_WORDS)


def asks_reorder(text: str) -> bool:
    cleaned = clean(text)
    if contains_any(cleaned, BUY_AGAIN_WORDS) and contains_any(cleaned, LAST_TIME_WORDS):
        return True
    return _ONLY_LAST_TIME.fullmatch(cleaned.rstrip("呢呀啊吧哦")) is not None


def points_back(text: str) -> bool:
    return contains_any(clean(text), POINTING_WORDS)


def quoted_amount(text: str) -> Decimal | None:
    """The lowest amount of money in the text, if any ("只要120" → 120)."""
    amounts = [
        Decimal(next(group for group in match.groups() if group))
        for match in _AMOUNT.finditer(fold(text))
    ]
    return min(amounts) if amounts else None


def quotes_someone(text: str) -> bool:
    """True when the text names someone else who could have quoted a price ("代理说")."""
    return contains_any(clean(text), THIRD_PARTY_WORDS)

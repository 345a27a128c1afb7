"""What a customer asks about a product: its price, its stock, a recommendation, the same
again as last time; and a lower price someone else is said to have quoted."""

import re
from decimal import Decimal, InvalidOperation

from handlers.patterns import contains_any, fold
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
    "便宜点",
    "便宜些",
    "少点",
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
    "能买吗",
    "能买到",
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
REORDER_WORDS = (
    "上次买的",
    "上次那个",
    "上次那款",
    "上次的",
    "上回买的",
    "上回那个",
    "之前买的",
    "再来一单",
    "再来一份",
    "再来一套",
    "再来一次",
    "再来两",
    "再来一",
    "再买一",
    "回购",
    "和上次一样",
    "跟上次一样",
    "老样子",
)
# Words that point back at the product talked about ("这个多少钱", "它还有货吗").
POINTING_WORDS = ("这个", "这款", "这种", "那个", "那款", "它")
# Someone else's price, quoted to be matched: "代理说只要120", "朋友89买的", "别家卖99".
QUOTE_WORDS = (
    "说",
    "报价",
    "报的",
    "给我",
    "卖我",
    "别人",
    "别家",
    "人家",
    "代理",
    "朋友",
    "群里",
    "之前",
    "上次",
    "以前",
    "只要",
    "才",
)
# An amount of money ("120", "¥99", "89.9元"), not a size, a count or part of a longer number
# ("30ml", "2盒", an order number).
_AMOUNT = re.compile(
    r"(?<![\d.a-z])(\d{1,7}(?:\.\d{1,2})?)(?![\d.])"
    r"(?!\s*(?:ml|g|kg|毫升|克|片|支|盒|瓶|件|个|套|号|天|岁|%|折|次|分|星))",
    re.IGNORECASE,
)


def asks_price(text: str) -> bool:
    return contains_any(clean(text), PRICE_WORDS)


def asks_stock(text: str) -> bool:
    return contains_any(clean(text), STOCK_WORDS)


def asks_recommendation(text: str) -> bool:
    return contains_any(clean(text), RECOMMEND_WORDS)


def asks_reorder(text: str) -> bool:
    return contains_any(clean(text), REORDER_WORDS)


def points_back(text: str) -> bool:
    return contains_any(clean(text), POINTING_WORDS)


def quoted_amount(text: str) -> Decimal | None:
    """The lowest amount of money in the text, if any ("只要120" → 120)."""
    amounts = []
    for match in _AMOUNT.finditer(fold(text)):
        try:
            amounts.append(Decimal(match.group(1)))
        except InvalidOperation:  # pragma: no cover - the pattern admits decimals only
            continue
    return min(amounts) if amounts else None


def quotes_someone(text: str) -> bool:
    """True when the text says someone else named a price ("代理说", "朋友买的才")."""
    return contains_any(clean(text), QUOTE_WORDS)

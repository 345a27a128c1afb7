"""Recognising a request for a person ("转人工", "叫你们经理出来") and leaving the queue.

"人工" and "真人" also make other words ("人工费", "人工智能", "真人图"), and "客服" appears in
complaints about the service ("客服也不回"), so a request needs a verb asking for someone and
nothing after it that turns it into another noun; a bare "人工" or "有人吗" counts only when it
is the whole message.
"""

import re

from knowledge.normalize import clean

# Clauses are read one at a time, so the end of a clause ends a request.
_CLAUSE_BREAK = re.compile(r"[^\w]+")
_ASK = r"(?:转接|转到|转给|转|找|要|接|切换|切|换|叫|呼叫|联系|需要|请求|来个|来)"
_SOME = r"(?:一个|一位|一下|个|位)?"
_YOUR = r"(?:你们家的|你们的|你们家|你们|你家|贵店)?"
# What may follow a request: nothing, a particle, or what the person should do.
_AFTER = (
    r"(?=$|[吧啊呀呢吗嘛哦噢]|谢|好吗|可以吗|行吗|处理|帮|聊|谈|沟通|说话|对话|接待|回复|回答"
    r"|解决|出来|过来|来)"
)
_SERVICE = r"(?:客服|服务|坐席|座席|接待)"
_BOSS = r"(?:老板娘|老板|负责人|经理|店长|主管|领导|掌柜)"
_REQUESTS = (
    # 转人工, 我要人工, 找真人, 转人工客服, 需要人工处理
    re.compile(rf"{_ASK}{_SOME}(?:人工|真人|活人){_SERVICE}?{_AFTER}"),
    # 人工客服, 真人客服 (not 人工服务费)
    re.compile(rf"(?:人工|真人){_SERVICE}(?!费|价|收费|电话|号码)"),
    # 找客服, 转客服, 联系一下你们的客服
    re.compile(rf"{_ASK}{_SOME}{_YOUR}客服{_AFTER}"),
    # 找你们老板, 叫你们经理出来, 让负责人来
    re.compile(rf"(?:找|要找|叫|要见|见|让|请){_YOUR}{_BOSS}{_AFTER}"),
    # 不想跟机器人说话, 不要自动回复
    re.compile(r"(?:不想|不要|不愿意|别|不跟|不和)再?(?:跟|和|同|与)?(?:机器人|自动回复|智能客服)"),
)
# Whole messages that ask for a person: "人工", "有人吗", "人呢", "在吗有人吗".
_WHOLE_REQUEST = re.compile(
    r"(?:我要|我想要|我想|请|给我|帮我|麻烦|你好|您好|亲|在吗)*"
    r"(?:人工|真人|有人|有没有人|有人在|有人没有|有活人|有真人|人呢|人在哪|人去哪了?)"
    r"(?:吗|嘛|么|没|没有|不|在吗|呢|啊|呀)*"
)
# A negation just before a request takes it back ("不用转人工", "不要人工").
_NEGATION = re.compile(r"(?:不|别|甭|没|无需|不必)[用要想需必]?$")
# Leaving the queue, said on its own ("不用了", "算了，不等了", "取消排队").
_LEAVE_WORDS = (
    "不用了",
    "不用转",
    "不用人工",
    "不要人工",
    "不需要了",
    "不需要人工",
    "算了",
    "不等了",
    "不等啦",
    "不想等",
    "不排了",
    "不排队",
    "取消排队",
    "取消转接",
    "取消人工",
)
_LEAVE_WHOLE = frozenset({"不用", "不要了", "不了"})
_LONGEST_LEAVE = 8


def _clauses(text: str) -> list[str]:
    return [cleaned for part in _CLAUSE_BREAK.split(text) if (cleaned := clean(part))]


def _requests_in(clause: str) -> bool:
    for pattern in _REQUESTS:
        for found in pattern.finditer(clause):
            if not _NEGATION.search(clause[max(0, found.start() - 3) : found.start()]):
                return True
    return False


def asks_for_person(text: str) -> bool:
    """True when the message asks to talk to a person."""
    if _WHOLE_REQUEST.fullmatch(clean(text)):
        return True
    return any(_requests_in(clause) for clause in _clauses(text))


def leaves_queue(text: str) -> bool:
    """True when a short message says the customer no longer wants to wait for a person."""
    cleaned = clean(text)
    if not cleaned or len(cleaned) > _LONGEST_LEAVE:
        return False
    return cleaned in _LEAVE_WHOLE or any(word in cleaned for word in _LEAVE_WORDS)

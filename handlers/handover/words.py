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
    r"(?=$|[吧啊呀呢吗嘛么哦噢]|谢|好吗|可以吗|行吗|处理|帮|聊|谈|沟通|说话|对话|接待|回复|回答"
    r"|解决|出来|过来|来)"
)
_SERVICE = r"(?:客服|服务|坐席|座席|接待)"
_BOSS = r"(?:老板娘|老板|负责人|经理|店长|主管|领导|掌柜)"
# Someone to talk to: "人工", "真人", "客服" (a bare "人" only where a pattern says so).
_PERSON = r"(?:人工客服|真人客服|人工|真人|活人|客服)"
_NOT_A_PERSON = r"(?!费|价|收费|电话|号码|热线|微信|邮箱|qq|实拍|图|照片|视频|智能|种植|合成|养殖)"
# Wanting or being able to: "我要", "想", "能不能", "可以".
_WANT = r"(?:想要|要|想|能不能|能|可不可以|可以|让我|请|需要|希望)"
_TALK = r"(?:说话|说说|说一下|说几句|说两句|讲|聊聊|聊|沟通|对话|谈谈|谈|交流)(?!过)"
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
    # 来个人, 给我找个人, 叫个人来 (a quantifier and nothing after: not 要个人信息)
    re.compile(rf"(?:找|叫|喊|来|要|换|派){_SOME}(?<=[个位])(?:人|真人|活人){_AFTER}"),
    # 我要跟人说话, 我想和真人聊聊, 能跟人工聊吗 (not 我跟客服聊过了)
    re.compile(rf"{_WANT}(?:跟|和|同|与){_YOUR}(?:{_PERSON}|人){_NOT_A_PERSON}{_TALK}"),
    # 有客服吗, 有人工么, 有没有真人 (not 有客服电话吗, 有真人图吗)
    re.compile(
        rf"有(?:{_PERSON}{_NOT_A_PERSON}在?线?(?:[吗么嘛呢]|没有?|不)"
        rf"|没有{_PERSON}{_NOT_A_PERSON}在?线?(?=$|[吗么嘛呢啊]))"
    ),
)
# Whole messages that ask for a person: "人工", "有人吗", "人呢", "在吗有人吗".
_WHOLE_REQUEST = re.compile(
    r"(?:我要|我想要|我想|请|给我|帮我|麻烦|你好|您好|亲|在吗)*"
    r"(?:人工|真人|有人|有没有人|有人在|有人没有|有活人|有真人|人呢|人在哪|人去哪了?)"
    r"(?:吗|嘛|么|没|没有|不|在吗|呢|啊|呀)*"
)
# The same words said again and again: "人工人工人工" (one regex would backtrack badly).
_REPEATED = re.compile(r"(.+?)\1+")
# A negation just before a request takes it back ("不用转人工", "不要人工").
_NEGATION = re.compile(r"(?:不|别|甭|没|无需|不必)[用要想需必]?$")
# Leaving the queue. Declining words that name the wait or the person ("不等了", "取消排队")
# leave it even while a dialog is open; bare ones ("不用了", "算了") may answer the dialog.
_LEAVE_WAIT = (
    r"不用转人工|不用转了|不用转|不转了|不用人工了|不用人工|不要人工了|不要人工|不需要人工了?"
    r"|不用等了|不用等|不等了|不等啦|不想等了?|不排了|不排队了?|取消排队|取消转接|取消人工"
)
_LEAVE_BARE = r"不用了|不用|不需要了|不需要|算了|不要了|不了"
# What may come with a decline and add nothing to it: "那算了吧", "不用了谢谢".
_COURTESY = (
    r"我自己(?:来|看看|看|查查|查|弄)|自己(?:来|看看|看|查查|查|弄)"
    r"|谢谢了?|谢啦|好的|好吧|没事了?|还是|那就|那|就|先|我|了|吧|啊|呀|哦|噢|嗯|哈|啦"
)
_DECLINE_ONLY = re.compile(
    rf"(?:{_COURTESY}|{_LEAVE_WAIT}|{_LEAVE_BARE})*(?:{_LEAVE_WAIT}|{_LEAVE_BARE})"
    rf"(?:{_COURTESY}|{_LEAVE_WAIT}|{_LEAVE_BARE})*"
)
_NAMES_THE_WAIT = re.compile(_LEAVE_WAIT)
# Hurrying the staff along ("快点", "赶紧处理", "等着") is no reason to leave.
_HURRY = re.compile(r"(?<![不别])(?:快点|快一点|快些|赶紧|赶快|尽快|抓紧|等着)")
_LONGEST_LEAVE = 16


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
    cleaned = clean(text)
    repeated = _REPEATED.fullmatch(cleaned)
    if _WHOLE_REQUEST.fullmatch(repeated.group(1) if repeated else cleaned):
        return True
    return any(_requests_in(clause) for clause in _clauses(text))


def hurries(text: str) -> bool:
    """True when the message hurries staff along ("快点", "赶紧处理", "等着")."""
    return bool(_HURRY.search(clean(text)))


def leaves_queue(text: str, *, in_dialog: bool = False) -> bool:
    """True when a short message only says the customer no longer wants to wait for a person."""
    # Hurrying or asking for a person wins ("算了你们快点", "不用了。我要人工"). With a dialog
    # open only words that name the wait leave ("不等了"): "不用了" may answer its question.
    cleaned = clean(text)
    if not cleaned or len(cleaned) > _LONGEST_LEAVE:
        return False
    if hurries(cleaned) or asks_for_person(text) or not _DECLINE_ONLY.fullmatch(cleaned):
        return False
    return not in_dialog or bool(_NAMES_THE_WAIT.search(cleaned))

"""Reading a 1–5 rating from a customer's short answer to a satisfaction visit."""

import pytest

from handlers.survey.words import read_rating


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        # digits, alone or with a unit, half- or full-width
        ("5", 5),
        ("1", 1),
        ("５", 5),
        ("５分", 5),
        ("3分", 3),
        ("打5分", 5),
        ("给4星", 4),
        ("我给5分吧", 5),
        ("5颗星", 5),
        # out of five, as review sites write it
        ("4/5", 4),
        ("5/5", 5),
        ("3 / 5分", 3),
        ("４／５", 4),
        ("4星！", 4),
        # Chinese numerals
        ("五分", 5),
        ("三星", 3),
        ("两星", 2),
        ("五颗星", 5),
        ("四", 4),
        ("五星好评", 5),
        # stars and star emoji, counted
        ("★★★★☆", 4),
        ("★★★★★", 5),
        ("⭐⭐⭐", 3),
        ("⭐️⭐️⭐️⭐️", 4),
        ("🌟🌟", 2),
        ("⭐⭐⭐⭐⭐⭐⭐", 5),
        ("5⭐", 5),
        ("⭐⭐⭐⭐⭐ 非常满意", 5),
        # words
        ("非常满意", 5),
        ("很满意", 5),
        ("特别满意！", 5),
        ("超级满意", 5),
        ("十分满意", 5),
        ("满分", 5),
        ("好评", 5),
        ("好满意啊", 5),
        ("很好", 5),
        ("满意", 4),
        ("挺满意的", 4),
        ("比较满意", 4),
        ("还不错", 4),
        ("不错", 4),
        ("挺好", 4),
        ("一般", 3),
        ("还行吧", 3),
        ("还可以", 3),
        ("凑合", 3),
        ("马马虎虎", 3),
        ("一般般", 3),
        ("不满意", 2),
        ("不太满意", 2),
        ("不好", 2),
        ("有点失望", 2),
        ("很差", 1),
        ("非常不满意", 1),
        ("很不满意", 1),
        ("太差了", 1),
        ("极差", 1),
        ("差评", 1),
        ("垃圾", 1),
        ("太垃圾了", 1),
        # with a few words around it, traditional script
        ("物流很满意，谢谢", 5),
        ("都挺好的", 4),
        ("还是很满意的", 5),
        ("服务態度非常滿意", 5),
        ("质量太差了", 1),
        # negations win
        ("不是很满意", 2),
        ("不怎么满意", 2),
        ("不是非常满意", 2),
        ("很不好", 1),
    ],
)
def test_a_short_answer_gives_its_rating(text: str, rating: int) -> None:
    assert read_rating(text) == rating


@pytest.mark.parametrize(
    "text",
    [
        # out of range
        "0",
        "6",
        "10分",
        "100",
        "零分",
        "☆☆☆",
        "6/5",
        "4/10",
        "4/50",
        # questions
        "5天能到吗",
        "满意的话能返现吗?",
        "满意的话能返现吗",
        "满意吗",
        "5分？",
        "好不好",
        "满不满意",
        # a rating word inside a longer sentence, or with other words
        "这次买的东西质量非常满意但是物流太慢了",
        "很满意，下次还会再来买",
        "五分钟前下的单",
        "三星手机有卖吗",
        "一点都不好用",
        "我要退货",
        # ratings that disagree
        "质量很好，物流很差",
        "⭐⭐⭐ 非常满意",
        # words that are no rating
        "好的",
        "好",
        "好好好",
        "可以",
        "嗯嗯",
        "谢谢",
        "没有了",
        "不用了",
        "不差",
        "十分",
        "",
        "   ",
    ],
)
def test_anything_else_is_no_rating(text: str) -> None:
    assert read_rating(text) is None

"""Product matching speed and accuracy on a generated cosmetics catalogue.

Builds a catalogue of N products from realistic parts (brand-like prefixes, ingredients,
effects, product types with their category and sizes, other names, tags), generates questions
from it (a name or other name with a question word; some with one character swapped for one
that sounds the same, some in Traditional characters, some naming only a category, some
naming no product) and prints one Markdown table: build seconds, memory held by the catalogue
(tracemalloc), microseconds per `named(...)` call (median and p99 by the wall clock, and p99
of the process's CPU time, which other work on a busy machine does not inflate); for
questions that name a product, the share where it comes first and where it is in the
returned list; for category questions, the share answered with several products of that
category; for questions with no product, the share wrongly answered with one. Other names are
often shared by several brands' products (玻尿酸面膜), so their top-1 is low by design. Runs
5,000 and 500 products in one go.

    .venv/bin/python bench/product_bench.py [--sizes 5000 500] [--questions 2000] [--seed 7]

Everything is generated from the seed: the same run gives the same catalogue and questions.
"""

import argparse
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opencc import OpenCC

from knowledge.pinyin import syllable
from knowledge.product_catalogue import ProductCatalogue, ProductItem
from knowledge.synonyms import Synonyms

BRANDS = (
    "花间集", "青禾", "露华", "云朵", "小森林", "素颜", "净研", "沐光", "悦肌", "若水", "安肌",
    "米蓓", "柔漾", "拾光", "澄澈", "蔓草", "暖阳", "初雪", "植萃坊", "水之源", "谷雨季",
    "白茶园", "星河", "晨曦", "一叶", "山野", "海盐", "蜜桃", "橘子", "半亩", "知秋", "青柠",
    "雪域", "兰亭", "芳华", "如初", "清漪", "朵拉", "玉兰", "春生",
)  # fmt: skip
INGREDIENTS = (
    "玻尿酸", "烟酰胺", "视黄醇", "积雪草", "神经酰胺", "氨基酸", "维C", "胜肽", "水杨酸",
    "角鲨烷", "胶原蛋白", "茶树", "芦荟", "熊果苷", "虾青素", "二裂酵母", "依克多因", "传明酸",
    "果酸", "蓝铜胜肽", "麦角硫因", "寡肽", "人参", "玫瑰", "山茶花",
)  # fmt: skip
EFFECTS = (
    "补水", "保湿", "修护", "舒缓", "美白", "提亮", "抗老", "紧致",
    "清洁", "控油", "祛痘", "淡纹", "滋润", "焕亮", "平衡", "净透",
)  # fmt: skip
SKIN = (
    "敏感肌", "油皮", "干皮", "混合皮", "痘肌", "熟龄肌",
)  # fmt: skip
# Product type, its category, the sizes it comes in.
TYPES = (
    ("面膜", "面膜", ("5片", "10片")),
    ("睡眠面膜", "面膜", ("50g", "100g")),
    ("泥膜", "面膜", ("100g",)),
    ("精华液", "精华", ("30ml", "50ml")),
    ("安瓶", "精华", ("7支", "14支")),
    ("精华油", "精华", ("15ml", "30ml")),
    ("面霜", "面霜", ("30g", "50g")),
    ("爽肤水", "爽肤水", ("150ml", "200ml")),
    ("乳液", "乳液", ("100ml", "120ml")),
    ("洁面乳", "洁面", ("100g", "120g")),
    ("防晒乳", "防晒", ("40ml", "50ml")),
    ("眼霜", "眼霜", ("15g", "20g")),
    ("唇膏", "唇部", ("3.5g",)),
    ("卸妆油", "卸妆", ("150ml", "200ml")),
    ("喷雾", "喷雾", ("100ml", "150ml")),
    ("身体乳", "身体", ("250ml", "400ml")),
    ("护手霜", "身体", ("30g", "50g")),
)
NICKNAMES = ["小" + color + kind for color in "白棕蓝紫红黑金绿" for kind in "瓶罐管盒"]
SIZE = re.compile(r"[\d.]+(?:ml|g|片|支)$")
PREFIXES = ("", "", "", "请问", "亲，", "你好，", "我想问下", "你们家的", "那个")
QUESTION_WORDS = (
    "多少钱", "有货吗", "还有吗", "价格", "什么价格", "有现货吗", "怎么卖", "现在多少钱",
    "还有货吗", "能便宜点吗", "哪个好", "好用吗", "什么时候有货",
)  # fmt: skip
NO_PRODUCT = (
    "运费多少钱", "快递到哪了", "你好", "怎么退货", "发货了吗", "可以开发票吗", "什么时候发货",
    "支持七天无理由吗", "我的订单怎么还没到", "转人工", "在吗", "退款多久到账", "包邮吗",
    "能改地址吗", "怎么联系客服", "你们是正品吗", "今天能发吗", "会员有什么优惠",
)  # fmt: skip


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # name, alias, typo, traditional, category, none
    sku: str = ""
    category: str = ""


def catalogue_items(count: int, rng: random.Random) -> list[ProductItem]:
    items: list[ProductItem] = []
    names: set[str] = set()
    while len(items) < count:
        brand, (kind, category, sizes) = rng.choice(BRANDS), rng.choice(TYPES)
        ingredient, effect = rng.choice(INGREDIENTS), rng.choice(EFFECTS)
        middle = rng.choice((ingredient, ingredient + effect, effect, ingredient + effect))
        size = rng.choice(sizes)
        name = f"{brand}{middle}{kind}{size}"
        if name in names:
            continue
        names.add(name)
        aliases = [f"{middle}{kind}"] if rng.random() < 0.5 else []
        if rng.random() < 0.3:
            aliases.append(brand + rng.choice(NICKNAMES))
        tags = rng.sample((*EFFECTS, *SKIN), rng.randint(2, 4))
        sku = f"P{len(items):05d}"
        items.append(ProductItem(sku, name, tuple(aliases), category, tuple(tags)))
    return items


def homophones(items: list[ProductItem]) -> dict[str, list[str]]:
    """Characters of the catalogue and the questions grouped by sound: the swaps a pinyin
    typist makes, drawn from common characters rather than the whole of Unicode."""
    pool = "".join(i.name + "".join(i.aliases) for i in items) + "".join(QUESTION_WORDS)
    pool += "".join(NO_PRODUCT) + "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"
    pool += "得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想"
    pool += "看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意"
    by_sound: dict[str, list[str]] = {}
    for char in dict.fromkeys(c for c in pool if "\u4e00" <= c <= "\u9fff"):
        by_sound.setdefault(syllable(char), []).append(char)
    return {c: [o for o in group if o != c] for group in by_sound.values() for c in group}


def with_typo(text: str, alike: dict[str, list[str]], rng: random.Random) -> str | None:
    places = [i for i, char in enumerate(text) if alike.get(char)]
    if not places:
        return None
    i = rng.choice(places)
    return text[:i] + rng.choice(alike[text[i]]) + text[i + 1 :]


def questions(items: list[ProductItem], count: int, rng: random.Random) -> list[Question]:
    to_traditional = OpenCC("s2t")
    alike = homophones(items)
    categories = sorted({item.category for item in items})
    found: list[Question] = []
    while len(found) < count:
        item = rng.choice(items)
        ask = rng.choice(PREFIXES), rng.choice(QUESTION_WORDS)
        roll = rng.random()
        if roll < 0.35:
            name = item.name if rng.random() < 0.5 else SIZE.sub("", item.name)
            found.append(Question(ask[0] + name + ask[1], "name", item.sku))
        elif roll < 0.50 and item.aliases:
            found.append(Question(ask[0] + rng.choice(item.aliases) + ask[1], "alias", item.sku))
        elif roll < 0.65:
            typo = with_typo(item.name, alike, rng)
            if typo is not None:
                found.append(Question(ask[0] + typo + ask[1], "typo", item.sku))
        elif roll < 0.78:
            text = to_traditional.convert(ask[0] + item.name + ask[1])
            found.append(Question(text, "traditional", item.sku))
        elif roll < 0.89:
            category = rng.choice(categories)
            found.append(Question(ask[0] + category + ask[1], "category", category=category))
        else:
            found.append(Question(rng.choice(NO_PRODUCT), "none"))
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(size: int, count: int, seed: int, synonyms: Synonyms) -> dict[str, str]:
    rng = random.Random(seed)
    items = catalogue_items(size, rng)
    asked = questions(items, count, rng)

    started = time.perf_counter_ns()
    catalogue = ProductCatalogue(items, synonyms)
    build = (time.perf_counter_ns() - started) / 1e9
    tracemalloc.start()
    held = ProductCatalogue(items, synonyms)
    memory = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del held

    for question in asked[:50]:  # warm caches (pinyin, OpenCC) as a running bot has them
        catalogue.named(question.text)
    times: list[float] = []
    cpu_times: list[float] = []  # the process's own time: the wall clock also counts waiting
    first: Counter[str] = Counter()
    listed: Counter[str] = Counter()
    kinds = Counter(question.kind for question in asked)
    for question in asked:
        started, cpu_started = time.perf_counter_ns(), time.process_time_ns()
        named = catalogue.named(question.text)
        times.append((time.perf_counter_ns() - started) / 1000)
        cpu_times.append((time.process_time_ns() - cpu_started) / 1000)
        skus = [item.sku for item in named]
        if question.kind == "category":
            several = len(named) > 1 and all(i.category == question.category for i in named)
            first[question.kind] += several
        elif question.kind == "none":
            first[question.kind] += bool(named)
        else:
            first[question.kind] += bool(skus) and skus[0] == question.sku
            listed[question.kind] += question.sku in skus
    product_kinds = ("name", "alias", "typo", "traditional")
    asked_products = sum(kinds[k] for k in product_kinds)

    def share(hits: int, total: int) -> str:
        return f"{100 * hits / total:.1f}%" if total else "-"

    return {
        "products": f"{size:,}",
        "build s": f"{build:.2f}",
        "memory MiB": f"{memory:.1f}",
        "µs median": f"{statistics.median(times):.0f}",
        "µs p99": f"{percentile(times, 0.99):.0f}",
        "CPU µs p99": f"{percentile(cpu_times, 0.99):.0f}",
        "top-1": share(sum(first[k] for k in product_kinds), asked_products),
        "in list": share(sum(listed[k] for k in product_kinds), asked_products),
        **{
            f"{k} top-1/list": f"{share(first[k], kinds[k])} / {share(listed[k], kinds[k])}"
            for k in product_kinds
        },
        "category: several": share(first["category"], kinds["category"]),
        "none: wrongly named": share(first["none"], kinds["none"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 500])
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    synonyms = Synonyms.from_file()
    rows = [run(size, args.questions, args.seed, synonyms) for size in args.sizes]
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(row.values()) + " |")


if __name__ == "__main__":
    main()

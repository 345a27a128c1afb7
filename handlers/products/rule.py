"""Product questions: the list price, whether it is in stock, what suits a need, the same
again as last time.

A question names its product (by name, other name or a part of it, typos allowed), or points
back at the one just talked about ("这个多少钱"). When several products fit, the bot asks
which one; in the middle of another dialog it lists them instead, and that dialog's question
is asked again. A lower price someone else is said to have quoted gets the official price,
politely, and a price complaint ticket for staff.
"""

from dataclasses import dataclass

from core.enums import TicketKind
from core.messages import Reply
from handlers.answers import choice
from handlers.complaints.rule import CATEGORY_NAMES, REPEAT_WINDOW, add_to_ticket
from handlers.context import Context
from handlers.faq.rule import confident_match
from handlers.orders.state import OrderNumberQuestion
from handlers.products.reorder import reorder_replies
from handlers.products.state import ProductPick
from handlers.products.views import money, price_text, product_line, stock_state, stock_text
from handlers.products.words import (
    POINTING_WORDS,
    PRICE_WORDS,
    STOCK_WORDS,
    asks_price,
    asks_recommendation,
    asks_reorder,
    asks_stock,
    points_back,
    quoted_amount,
    quotes_someone,
)
from handlers.tickets.opening import new_ticket_notice, open_ticket
from handlers.words import asks_something, filler
from knowledge.normalize import clean, matched_part
from knowledge.product_catalogue import ProductItem
from storage.models import Product

MAX_RECOMMENDATIONS = 3
# "那多肽精华呢" is a follow-up; a longer message is a question of its own.
FOLLOW_UP_CHARS = 12
# What is left of "这个多少钱呀" once the question words go: nothing, so it asks about the
# product talked about (or, with none, which one); "运费多少钱" leaves 运费 and is no product
# question.
_QUESTION_ONLY = filler(*PRICE_WORDS, *STOCK_WORDS, *POINTING_WORDS, "还", "有", "是", "现在")


@dataclass(frozen=True)
class ProductQuestion:
    """What a message asks: `wants` some of "price", "stock", or "recommend" / "reorder";
    `skus` the products it is about (several: it could be any of them)."""

    wants: frozenset[str]
    skus: tuple[str, ...] = ()


def _asks_only(text: str) -> bool:
    return len(_QUESTION_ONLY.sub("", clean(text))) == 0


def _price_or_stock(ctx: Context) -> frozenset[str]:
    text = ctx.text
    wants = {want for want, asks in (("price", asks_price), ("stock", asks_stock)) if asks(text)}
    if quoted_amount(text) is not None and quotes_someone(text):
        wants.add("price")  # "代理说小白瓶只要120"
    return frozenset(wants)


class ProductRule:
    name = "products"
    # A product question in the middle of another dialog is answered, and the dialog goes on.
    interrupts_dialogs = True
    flows = (ProductPick.FLOW,)

    async def match(self, ctx: Context) -> ProductQuestion | None:
        dialog = ctx.dialog
        # Before another dialog's owner has read the message, only a question interrupts it:
        # "面膜价格比别人贵" may answer it. Once it declined, any product question counts.
        interrupting = dialog is not None and not ctx.memo.get("dialog_declined")
        if interrupting and (ProductPick.holds(dialog) or not asks_something(ctx.text)):
            return None
        if dialog is None and asks_reorder(ctx.text):
            # In a dialog "上次买的那个" names an order ("which order?"), not a purchase.
            return ProductQuestion(frozenset({"reorder"}))
        wants = _price_or_stock(ctx)
        if wants:
            named = _narrowed(ctx, ctx.catalogue.named(ctx.text))
            if len(named) > 1 and confident_match(ctx) is not None:
                return None  # "面膜多少钱包邮" asks about shipping, which the FAQ knows
            if named:
                return ProductQuestion(wants, tuple(item.sku for item in named))
            remembered = ctx.memory.get("product_sku")
            if dialog is None and (_asks_only(ctx.text) or (remembered and points_back(ctx.text))):
                return ProductQuestion(wants, (remembered,) if remembered else ())
        elif dialog is None and (only := ctx.catalogue.only_named(ctx.text)) is not None:
            # A product's name and nothing else ("小白瓶"): what it costs and whether it is there.
            return ProductQuestion(frozenset({"price", "stock"}), (only.sku,))
        elif dialog is None and (asked := _asked_before(ctx)):
            # "那多肽呢" after a price: the same question about another product.
            return ProductQuestion(asked, tuple(item.sku for item in ctx.catalogue.named(ctx.text)))
        if asks_recommendation(ctx.text) and not points_back(ctx.text):
            named = ctx.catalogue.named(ctx.text)
            if len(named) == 1:
                return None  # "小白瓶适合敏感肌吗" asks about that one: the FAQ's question
            # "推荐一款面膜": no need named, but a kind of product.
            suited = ctx.catalogue.suited(ctx.text, limit=MAX_RECOMMENDATIONS * 2) or named
            if suited:
                return ProductQuestion(frozenset({"recommend"}), tuple(i.sku for i in suited))
        return None

    async def handle(self, ctx: Context, found: ProductQuestion) -> list[Reply]:
        if "reorder" in found.wants:
            return await _reorder(ctx)
        products = await _products(ctx, found.skus)
        if "recommend" in found.wants:
            return _recommend(ctx, products)
        if len(found.skus) == 1:
            if not products:
                return [ctx.say("product_not_sold")]
            return [await _answer_about(ctx, found.wants, products[0], ctx.whole_text)]
        if ctx.dialog is not None and products:
            # Another dialog is waiting for its answer: answer for each rather than ask back.
            answers = [await _answer(ctx, found.wants, p, question="") for p in products]
            return [Reply("\n".join(answers))]
        return _ask_which(ctx, found.wants, products, ctx.whole_text)

    async def resume(self, ctx: Context) -> list[Reply] | None:
        """A number or a name picks the product asked about; anything else drops the question."""
        assert ctx.dialog is not None
        pick = ProductPick.from_stored(ctx.dialog)
        offered, wants, question = pick.skus, frozenset(pick.wants), pick.question
        ctx.end_dialog()
        picked = _picked(ctx, offered)
        if len(picked) > 1 and not offered:
            # "面膜" answering "which product?": which of them, then.
            return _ask_which(ctx, wants, await _products(ctx, picked), question)
        if len(picked) != 1:
            return None
        sku = picked[0]
        products = await _products(ctx, (sku,))
        if not products:
            return [ctx.say("product_not_sold")]
        return [await _answer_about(ctx, wants, products[0], question)]


def _ask_which(
    ctx: Context, wants: frozenset[str], products: list[Product], question: str
) -> list[Reply]:
    """Ask which of the products is meant (or, with none to offer, its name)."""
    skus = [product.sku for product in products]
    ctx.start_dialog(ProductPick(skus=skus, wants=sorted(wants), question=question))
    if not products:
        return [ctx.say("product_which_name")]
    lines = [ctx.texts.render("product_which")]
    lines += [
        ctx.texts.render("product_which_line", number=number, product=product.name)
        for number, product in enumerate(products, 1)
    ]
    return [Reply("\n".join(lines))]


def _asked_before(ctx: Context) -> frozenset[str]:
    """What the last product question asked, when this short "…呢" names another product."""
    asked = frozenset(ctx.memory.get("product_wants", ()))
    cleaned = clean(ctx.text)
    if not asked or len(cleaned) > FOLLOW_UP_CHARS or not cleaned.endswith("呢"):
        return frozenset()
    return asked if ctx.catalogue.named(ctx.text) else frozenset()


def _narrowed(ctx: Context, named: list[ProductItem]) -> list[ProductItem]:
    """Of several products named, those whose tags the text names too ("适合敏感肌的面膜")."""
    if len(named) < 2:
        return named
    suited = {item.sku for item in ctx.catalogue.suited(ctx.text, limit=len(ctx.catalogue))}
    return [item for item in named if item.sku in suited] or named


def _picked(ctx: Context, offered: list[str]) -> tuple[str, ...]:
    """The SKUs the answer picks: a number from the list, or a name (of those offered)."""
    if offered and (number := choice(ctx.text, len(offered))) is not None:
        return (offered[number - 1],)
    named = [item.sku for item in ctx.catalogue.named(ctx.text)]
    return tuple(sku for sku in named if sku in offered or not offered)


async def _products(ctx: Context, skus: tuple[str, ...]) -> list[Product]:
    """The catalogue's products for these SKUs, in their order, with today's price and stock."""
    rows = await ctx.repos.products.by_skus(skus)
    return [rows[sku] for sku in skus if sku in rows and rows[sku].price is not None]


async def _answer_about(
    ctx: Context, wants: frozenset[str], product: Product, question: str
) -> Reply:
    """The answer about one product, which becomes the one talked about ("这个呢")."""
    ctx.memory["product_sku"] = product.sku
    ctx.memory["product_wants"] = sorted(wants)
    return Reply(await _answer(ctx, wants, product, question))


async def _answer(ctx: Context, wants: frozenset[str], product: Product, question: str) -> str:
    """Price and/or stock of one product; a lower price quoted by someone else is recorded."""
    lines = [await _price(ctx, product, question)] if "price" in wants else []
    if "stock" in wants:
        lines.append(stock_text(ctx, product))
    return "\n".join(lines)


async def _price(ctx: Context, product: Product, question: str) -> str:
    """The price; a lower one someone quoted is a price complaint, the whole question kept."""
    said = matched_part(question)
    quoted = quoted_amount(said)
    if product.price is None or quoted is None or quoted >= product.price:
        return price_text(ctx, product)
    if not quotes_someone(said):
        return price_text(ctx, product)  # bargaining: the price is the price
    since = ctx.clock.now() - REPEAT_WINDOW
    ticket = await ctx.repos.tickets.active_complaint_since(ctx.identity.id, since, "price")
    if ticket is not None:  # one ticket per grievance, as for other complaints
        await add_to_ticket(ctx, ticket, question)
    else:
        ticket = await open_ticket(
            ctx,
            TicketKind.COMPLAINT,
            category="price",
            description=question,
            notice=new_ticket_notice(TicketKind.COMPLAINT, CATEGORY_NAMES["price"]),
        )
    return ctx.texts.render(
        "product_price_official",
        product=product.name,
        price=money(product.price),
        quoted=money(quoted),
        number=ticket.number,
    )


def _recommend(ctx: Context, products: list[Product]) -> list[Reply]:
    """Up to three products that suit the need, those in stock first."""
    if not products:
        return [ctx.say("product_recommend_none")]
    # sorted() keeps the matcher's order among products that stand alike.
    ranked = sorted(products, key=lambda p: stock_state(p, ctx.settings.low_stock) == "out")
    chosen = ranked[:MAX_RECOMMENDATIONS]
    if len(chosen) == 1:
        ctx.memory["product_sku"] = chosen[0].sku
    lines = [ctx.texts.render("product_recommend_heading")]
    lines += [product_line(ctx, product, "product_recommend_line") for product in chosen]
    lines.append(ctx.texts.render("product_recommend_footer"))
    return [Reply("\n".join(lines))]


async def _reorder(ctx: Context) -> list[Reply]:
    """The last order's items for a verified chat; anyone else is asked to verify first."""
    if ctx.identity.customer_id is None:
        ctx.start_dialog(OrderNumberQuestion(purpose="reorder"))
        return [ctx.say("product_reorder_verify")]
    return await reorder_replies(ctx)

"""A product's price and stock in words: the list price, and in stock / low / out of stock."""

from datetime import date

from handlers.context import Context
from storage.models import Product


def stock_state(product: Product, low_stock: int) -> str:
    """ "unknown" (not counted), "out", "low" (at most `low_stock` left) or "in"."""
    if product.stock is None:
        return "unknown"
    if product.stock <= 0:
        return "out"
    return "low" if product.stock <= low_stock else "in"


def day_text(day: date) -> str:
    """A day as customers read it: 12月5日."""
    return f"{day.month}月{day.day}日"


def money(amount: object) -> str:
    return f"{amount:.2f}"


def price_text(ctx: Context, product: Product) -> str:
    """The list price, the same for every customer."""
    if product.price is None:
        return ctx.texts.render("product_price_unknown", product=product.name)
    return ctx.texts.render("product_price", product=product.name, price=money(product.price))


def stock_text(ctx: Context, product: Product) -> str:
    """In stock, low or out (with the day it is expected back, if known); the count only
    where the shop allows it."""
    state = stock_state(product, ctx.settings.low_stock)
    if state == "unknown":
        return ctx.texts.render("product_stock_unknown", product=product.name)
    if state == "out":
        if product.restock_date is not None and product.restock_date >= _today(ctx):
            return ctx.texts.render(
                "product_out_of_stock_restock",
                product=product.name,
                date=day_text(product.restock_date),
            )
        return ctx.texts.render("product_out_of_stock", product=product.name)
    template = "product_low_stock" if state == "low" else "product_in_stock"
    if ctx.settings.show_stock_count:
        return ctx.texts.render(f"{template}_count", product=product.name, stock=product.stock)
    return ctx.texts.render(template, product=product.name)


def stock_note(ctx: Context, product: Product) -> str:
    """A short remark after a product in a list: out of stock, or few left; else nothing."""
    state = stock_state(product, ctx.settings.low_stock)
    return ctx.texts.render(f"product_stock_note_{state}") if state in ("out", "low") else ""


def product_line(ctx: Context, product: Product, template: str) -> str:
    """One product in a list: name, price and how it stands."""
    return ctx.texts.render(
        template,
        product=product.name,
        price=money(product.price),
        stock_note=stock_note(ctx, product),
    )


def _today(ctx: Context) -> date:
    return ctx.clock.now().astimezone(ctx.settings.zone).date()

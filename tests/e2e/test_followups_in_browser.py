"""Follow-ups in a real browser, against `python -m bot run` with its scheduler running.

A customer on the web chat page verifies an order; an agent records its shipment in the
console's 订单 page, and the shipping notice reaches the customer's page by itself; the agent
confirms the delivery, the satisfaction visit arrives (the visit is set to go at once), the
customer rates it 2, and the low score shows on the agent's 提醒 page and in the 报表.
"""

import contextlib
import re
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.support.browser import (
    AGENT,
    AGENT_PASSWORD,
    WAIT,
    Watched,
    bot_bubbles,
    log_in,
    screenshot,
    send,
)
from tests.support.kefu_process import DEMO_SHOP, add_staff, running_kefu

ORDER = "KF20261125003"  # the demo shop's paid order of 李四, phone ending 5678
TRACKING = "SF5550001112223"
NOW_AND_ALWAYS = {
    "KEFU_BUSINESS_HOURS": "00:00-00:00",
    "KEFU_QUIET_HOURS": "",  # the test may run at night
    "KEFU_SCHEDULER_TICK_SECONDS": "1",
    "KEFU_VISIT_AFTER_DELIVERY_DAYS": "0",
    **DEMO_SHOP,
}


async def test_shipping_notice_visit_and_low_score_reach_customer_and_staff(
    browser: Browser, tmp_path: Path
) -> None:
    await add_staff(tmp_path, AGENT, "agent", AGENT_PASSWORD)
    watched = Watched()
    async with running_kefu(tmp_path, NOW_AND_ALWAYS) as base, contextlib.AsyncExitStack() as s:
        agents, customers = [
            await s.enter_async_context(await browser.new_context(base_url=base)) for _ in range(2)
        ]

        # 1. The customer verifies the order in the web chat.
        customer = await watched.open(customers, "/")
        await send(customer, ORDER)
        await expect(bot_bubbles(customer).last).to_contain_text("手机号", timeout=WAIT)
        await send(customer, "5678")
        verified = bot_bubbles(customer).filter(has_text="验证成功")
        await expect(verified).to_have_count(1, timeout=WAIT)

        # 2. The agent finds the order and records its shipment.
        agent = await watched.open(agents)
        await log_in(agent, AGENT, AGENT_PASSWORD)
        await agent.get_by_role("link", name="订单").click()
        await agent.locator('input[name="q"]').fill(ORDER)
        await agent.locator('input[name="q"]').press("Enter")
        await expect(agent).to_have_url(re.compile(f"/console/orders/{ORDER}"), timeout=WAIT)
        await agent.fill('input[name="carrier"]', "顺丰速运")
        await agent.fill('input[name="tracking_no"]', TRACKING)
        await agent.get_by_role("button", name="确认发货").click()
        await expect(agent.locator(".notice")).to_contain_text("已通知客户", timeout=WAIT)
        await screenshot(agent, "order-shipped")

        # 3. The notice reaches the customer's page by itself.
        notice = bot_bubbles(customer).filter(has_text=TRACKING)
        await expect(notice).to_have_count(1, timeout=WAIT)
        await expect(notice).to_contain_text("顺丰速运", timeout=WAIT)

        # 4. Delivered: the visit comes (due at once here), and the customer rates it 2.
        await agent.get_by_role("button", name="确认签收").click()
        await expect(agent.locator(".notice")).to_contain_text("满意度回访已排期", timeout=WAIT)
        visit = bot_bubbles(customer).filter(has_text="1～5 分")
        await expect(visit).to_have_count(1, timeout=WAIT)
        await send(customer, "2")
        await expect(bot_bubbles(customer).last).to_contain_text("FU", timeout=WAIT)
        await send(customer, "面膜有一片是干的")
        await expect(bot_bubbles(customer).last).to_contain_text("FU", timeout=WAIT)

        # 5. Staff see the low score: a notification, and the satisfaction report.
        await agent.reload()
        await expect(agent.locator("header.top nav .unread-count")).to_be_visible(timeout=WAIT)
        await agent.get_by_role("link", name=re.compile("提醒")).click()
        await expect(agent.locator("table.notifications")).to_contain_text("FU", timeout=WAIT)
        await screenshot(agent, "notifications")
        await agent.goto("/console/reports")
        satisfaction = agent.locator("main")
        await expect(satisfaction).to_contain_text("满意度回访", timeout=WAIT)
        await expect(satisfaction).to_contain_text("面膜有一片是干的", timeout=WAIT)
        await screenshot(agent, "reports-satisfaction")

        assert watched.dialogs == [], "a JavaScript dialog opened"
        assert watched.errors == [], "a page threw an uncaught error"

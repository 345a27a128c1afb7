"""After-sales requests: returns, exchanges, refunds and repairs."""

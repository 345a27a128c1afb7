"""What kefu sends on its own: scheduled jobs, follow-ups, the outbox."""

"""What staff do: tickets, handover, FAQ admin, accounts, reports, imports."""

"""Order questions and order details in words."""

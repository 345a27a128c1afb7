"""Product questions: price, stock, recommendations, buying the same again."""

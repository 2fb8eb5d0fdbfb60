"""A demo user with a realistic network, so GraphiQL has something to explore on the first run."""

"""Benchmarks: run with ./kindred bench; they print medians and ratios measured side by side."""

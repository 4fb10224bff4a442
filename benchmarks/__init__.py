"""Benchmarks of cdk-claim-check against the design of the original AWS sample.

Run ``python -m benchmarks`` (``--quick`` for a smoke run); see docs/benchmarks.md for the results.
"""

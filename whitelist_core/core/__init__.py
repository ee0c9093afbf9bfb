"""The pure core: every decision the function makes, over plain values.

Entries and their order, which instances a target selects, where each entry is placed
across the owned groups, the plan and how it is made, the safety policy and how its
violations are folded into a plan, the order writes are made in, and secret masking.
Nothing here does I/O, reads the clock or the environment, or logs; the import rules
(tests/unit/core/test_core_import_graph.py) keep it so.
"""

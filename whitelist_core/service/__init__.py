"""The runs: gather what the cloud holds, decide by calling the core, act through ports.

A run reconciles targets (listing, group reads, plan, re-check before removal, room-first
writes), merges a batch into one run per region and mode, runs regions in parallel, and
answers lifecycle hooks after the writes. The cloud is reached only through the
protocols of ``whitelist_core.ports``: nothing here imports ``aliyun`` or the entry points.
"""

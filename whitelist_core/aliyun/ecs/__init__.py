"""The instance side: ECS ``DescribeInstances`` as an ``InstanceInventory``
(``inventory``), decoding of its items (``instances``), and a per-run cache (``cache``)."""

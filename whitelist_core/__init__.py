"""Keeps ApsaraDB for Redis (Tair) IP whitelists in sync with ECS private IPs."""

__version__ = "0.1.0"

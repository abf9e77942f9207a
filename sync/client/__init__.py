"""The reference sync client: a local SQLite store per device, an outbox of offline
mutations, push then pull with retry and back-off. ``python -m sync.client --help``."""

from sync.client.core import Backoff, DeviceRevoked, PullStats, SyncClient, SyncError
from sync.client.store import LocalStore, Pending
from sync.client.transport import HttpTransport, NetworkError, Reply, Transport

__all__ = ["Backoff", "DeviceRevoked", "HttpTransport", "LocalStore", "NetworkError", "Pending",
           "PullStats", "Reply", "SyncClient", "SyncError", "Transport"]

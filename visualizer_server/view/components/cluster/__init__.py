"""The node's link to the other nodes of a cluster through Redis (leases, fencing, let-go requests)."""

from .cluster_link import ClusterLink

__all__ = ["ClusterLink"]

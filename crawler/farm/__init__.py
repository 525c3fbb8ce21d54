"""The loopback site farm (test infrastructure, also used by ``govscan demo``)."""

from .server import FARM_HOSTS, Farm, Profile, Reply, Request, Routes

__all__ = ["Farm", "FARM_HOSTS", "Profile", "Reply", "Request", "Routes"]

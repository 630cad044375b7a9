"""Who owns which session in a cluster: leases in Redis, with a fencing number per claim.

A lease is ``SET visualizer:lease:<id> <node> NX PX ttl``, renewed by its holder and
given back or extended only while its value is still the holder's (Lua, atomically). Every
successful claim also takes a fencing number (``INCR``, never below the number already in
the session's folder), which the holder writes next to the manifest and checks before it
writes that session's files, so a node that paused past its lease cannot write after
another took over. A short ``taking`` mark lets two nodes racing for one session learn that
one of them already is. Knows nothing of PureMVC; every Redis failure is ``ClusterUnavailable``.
"""

from __future__ import annotations

import dataclasses

import redis

PREFIX = "visualizer"
TAKING_MARK_MS = 15_000

# KEYS: lease, fence counter. ARGV: node, ttl ms, fence floor. Returns the new fence, or nil if held.
CLAIM = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local fence = redis.call('incr', KEYS[2])
  if fence <= tonumber(ARGV[3]) then
    fence = tonumber(ARGV[3]) + 1
    redis.call('set', KEYS[2], fence)
  end
  return fence
end
return false
"""
# KEYS: lease. ARGV: node, ttl ms. 1: still ours (a lease lost with a restarted Redis is taken
# back when nobody else holds it); 0: another node holds it.
RENEW = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
# KEYS: lease. ARGV: node.
GIVE_BACK = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class ClusterUnavailable(Exception):
    """Redis cannot be reached: whatever needs it waits."""


@dataclasses.dataclass(frozen=True)
class Holder:
    """Who holds a session's lease now, and for how much longer."""

    node: str | None
    ttl_ms: int


class SessionLeases:
    def __init__(self, client: redis.Redis, node: str, ttl_ms: int) -> None:
        self.client = client
        self.node = node
        self.ttl_ms = ttl_ms
        self._claim = client.register_script(CLAIM)
        self._renew = client.register_script(RENEW)
        self._give_back = client.register_script(GIVE_BACK)

    def claim(self, session_id: str, fence_floor: int) -> int | None:
        """The new fencing number if this node now holds the session; None if another does."""
        fence = self._call(self._claim, [_lease(session_id), _fence(session_id)], [self.node, self.ttl_ms, fence_floor])
        return int(fence) if fence else None

    def renew(self, session_id: str) -> bool:
        """False once another node holds the session: this node must let it go."""
        return bool(self._call(self._renew, [_lease(session_id)], [self.node, self.ttl_ms]))

    def give_back(self, session_id: str) -> None:
        self._call(self._give_back, [_lease(session_id)], [self.node])

    def holder(self, session_id: str) -> Holder:
        try:
            pipe = self.client.pipeline()
            pipe.get(_lease(session_id))
            pipe.pttl(_lease(session_id))
            node, ttl = pipe.execute()
        except redis.RedisError as error:
            raise ClusterUnavailable(str(error)) from None
        return Holder(node.decode() if node else None, max(0, ttl))

    def mark_taking(self, session_id: str) -> bool:
        """True if this node may take the session over now; False if another node is doing it."""
        try:
            return bool(self.client.set(f"{PREFIX}:taking:{session_id}", self.node, nx=True, px=TAKING_MARK_MS))
        except redis.RedisError as error:
            raise ClusterUnavailable(str(error)) from None

    def unmark_taking(self, session_id: str) -> None:
        try:
            self.client.delete(f"{PREFIX}:taking:{session_id}")
        except redis.RedisError:
            pass  # the mark lapses by itself

    @staticmethod
    def _call(script, keys: list[str], args: list[object]) -> object:
        try:
            return script(keys=keys, args=args)
        except redis.RedisError as error:
            raise ClusterUnavailable(str(error)) from None


def _lease(session_id: str) -> str:
    return f"{PREFIX}:lease:{session_id}"


def _fence(session_id: str) -> str:
    return f"{PREFIX}:fence:{session_id}"

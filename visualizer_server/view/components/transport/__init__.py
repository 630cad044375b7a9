"""The network edge: the Socket.IO server on eventlet, its hardening (fast websocket unmasking,
per-connection frame window, connection caps, header deadline, origins, rate limits) and the
HTTP routes served beside it."""

from .http_routes import HttpRoutes
from .rate_limiter import RateLimiter
from .socket_server import SocketServer
from .transport_limits import TransportLimits

__all__ = ["HttpRoutes", "RateLimiter", "SocketServer", "TransportLimits"]

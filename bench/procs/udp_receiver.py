"""One-way receiver on Python Twisted's listenUDP: the same work per datagram as
udp-receiver.ts (count, stamp first and last). Same stdout/stdin protocol."""
import socket

from py_common import args, cpu_seconds, now, out, reactor, serve
from twisted.internet.protocol import DatagramProtocol

a = args()
family = int(a.get("family", "4"))
rcvbuf = int(a.get("rcvbuf", "0"))
host = "::1" if family == 6 else "127.0.0.1"
state = {"count": 0, "bytes": 0, "first": 0.0, "last": 0.0}


class Counter(DatagramProtocol):
    def datagramReceived(self, data, addr):
        s = state
        if s["count"] == 0:
            s["first"] = now()
        s["count"] += 1
        s["bytes"] += len(data)
        s["last"] = now()


port = reactor.listenUDP(0, Counter(), interface=host, maxPacketSize=65535)
if rcvbuf > 0:
    port.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
actual = port.socket.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
out({"ready": True, "port": port.getHost().port, "rcvbuf": actual})


def handle(command):
    if command == "stats":
        s = state
        out({"count": s["count"], "bytes": s["bytes"], "first": s["first"], "last": s["last"], "cpu": cpu_seconds()})


serve(handle)

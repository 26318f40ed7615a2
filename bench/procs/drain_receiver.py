"""Receive capacity on Python Twisted's listenUDP: the same receiver as drain-receiver.ts (hold,
then drain the queue a filler made; count and stamp each datagram). Same stdout/stdin protocol."""
import os
import time

from py_common import args, cpu_seconds, now, out, reactor, serve
from twisted.internet.protocol import DatagramProtocol

args()
state = {"count": 0, "bytes": 0, "released": 0.0, "first": 0.0, "last": 0.0}


class Counter(DatagramProtocol):
    def datagramReceived(self, data, addr):
        s = state
        if s["count"] == 0:
            s["first"] = now()
        s["count"] += 1
        s["bytes"] += len(data)
        s["last"] = now()


port = reactor.listenUDP(0, Counter(), interface="127.0.0.1")
out({"ready": True, "port": port.getHost().port, "pid": os.getpid(), "io": "twisted"})


def handle(command):
    if command.startswith("hold "):
        out({"holding": True})
        time.sleep(int(command[5:]) / 1000)
        state["released"] = now()
    elif command == "stats":
        out({**state, "cpu": cpu_seconds()})


serve(handle)

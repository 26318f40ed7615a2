"""Multicast fan-out receiver on Python Twisted: --listeners K ports from
listenMulticast(port, proto, interface=group, listenMultiple=True), each joined to the group on
127.0.0.1. Same protocol as mcast-receiver.ts."""
from py_common import args, cpu_seconds, now, out, reactor, serve
from twisted.internet import defer
from twisted.internet.protocol import DatagramProtocol

a = args()
listeners = int(a.get("listeners", "1"))
group = a.get("group", "239.255.74.74")
counts = [0] * listeners
state = {"count": 0, "first": 0.0, "last": 0.0}


class Listener(DatagramProtocol):
    def __init__(self, index):
        self.index = index

    def datagramReceived(self, data, addr):
        s = state
        if s["count"] == 0:
            s["first"] = now()
        s["count"] += 1
        counts[self.index] += 1
        s["last"] = now()


@defer.inlineCallbacks
def setup():
    port = 0
    for i in range(listeners):
        p = reactor.listenMulticast(port, Listener(i), interface=group, listenMultiple=True)
        port = p.getHost().port
        yield p.joinGroup(group, "127.0.0.1")
    out({"ready": True, "port": port})


def handle(command):
    if command == "stats":
        s = state
        out({"counts": counts, "count": s["count"], "first": s["first"], "last": s["last"], "cpu": cpu_seconds()})


reactor.callWhenRunning(setup)
serve(handle)

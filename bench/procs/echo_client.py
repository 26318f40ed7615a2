"""Echo client on Python Twisted, the same as echo-pair-client.ts: --window datagrams in flight,
each answer refilling the window. Prints the same JSON line and exits."""
from py_common import args, cpu_seconds, now, out, reactor
from twisted.internet.protocol import DatagramProtocol

a = args()
port = int(a.get("port", "0"))
count = int(a.get("count", "10000"))
size = int(a.get("size", "64"))
window = int(a.get("window", "1"))
payload = b"b" * size
addr = ("127.0.0.1", port)
state = {"received": 0, "sent": 0, "inflight": 0, "lost": 0, "progress": 0, "start": 0.0, "cpu": 0.0}


class Client(DatagramProtocol):
    def startProtocol(self):
        state["start"] = now()
        state["cpu"] = cpu_seconds()
        reactor.callLater(0.1, watchdog)
        while state["inflight"] < window and state["sent"] < count:
            self.send_one()

    def send_one(self):
        state["sent"] += 1
        state["inflight"] += 1
        self.transport.write(payload, addr)

    def datagramReceived(self, data, source):
        s = state
        s["received"] += 1
        s["inflight"] -= 1
        if s["received"] >= count:
            seconds = now() - s["start"]
            out({"done": True, "count": s["received"], "rate": s["received"] / seconds, "seconds": seconds,
                 "lost": s["lost"], "cpu": cpu_seconds() - s["cpu"]})
            reactor.stop()
        elif s["sent"] < count:
            self.send_one()


client = Client()


def watchdog():
    s = state
    if s["received"] >= count:
        return
    if s["received"] == s["progress"]:
        s["lost"] += s["inflight"]
        s["sent"] -= s["inflight"]
        s["inflight"] = 0
        while s["inflight"] < window and s["sent"] < count:
            client.send_one()
    s["progress"] = s["received"]
    reactor.callLater(0.1, watchdog)


reactor.listenUDP(0, client, interface="127.0.0.1")
reactor.run()

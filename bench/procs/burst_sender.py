"""Send rate on Python Twisted: bursts of --burst transport.write calls, one burst per reactor
iteration (callLater(0)), as burst-sender.ts does. Prints the same JSON line and exits."""
from py_common import args, cpu_seconds, now, out, reactor
from twisted.internet.protocol import DatagramProtocol

a = args()
port = int(a.get("port", "0"))
count = int(a.get("count", "100000"))
size = int(a.get("size", "64"))
burst = int(a.get("burst", "64"))
payload = b"a" * size
addr = ("127.0.0.1", port)
proto = DatagramProtocol()
listening = reactor.listenUDP(0, proto, interface="127.0.0.1")
state = {"sent": 0, "start": 0.0, "cpu": 0.0}


def warmup():
    for _ in range(min(count, 5000)):
        listening.write(payload, addr)
    reactor.callLater(0.05, begin)


def begin():
    state["start"] = now()
    state["cpu"] = cpu_seconds()
    tick()


def tick():
    write = listening.write
    end = min(count, state["sent"] + burst)
    for _ in range(state["sent"], end):
        write(payload, addr)
    state["sent"] = end
    if end < count:
        reactor.callLater(0, tick)
    else:
        seconds = now() - state["start"]
        out({"done": True, "sent": end, "seconds": seconds, "rate": end / seconds, "cpu": cpu_seconds() - state["cpu"]})
        reactor.stop()


reactor.callWhenRunning(warmup)
reactor.run()

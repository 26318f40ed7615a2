"""TCP server for the stream benchmarks on Python Twisted's listenTCP. Same modes and messages as
tcp-server.ts: echo, sink, source (a push producer), accept."""
from py_common import args, cpu_seconds, out, reactor, serve
from twisted.internet.protocol import Factory, Protocol
from zope.interface import implementer
from twisted.internet.interfaces import IPushProducer

a = args()
mode = a.get("mode", "echo")
total = int(a.get("bytes", "0"))
CHUNK = b"a" * (64 * 1024)
state = {"count": 0, "bytes": 0}


class Echo(Protocol):
    def connectionMade(self):
        state["count"] += 1

    def dataReceived(self, data):
        self.transport.write(data)


class Sink(Protocol):
    def connectionMade(self):
        state["count"] += 1

    def dataReceived(self, data):
        state["bytes"] += len(data)


@implementer(IPushProducer)
class Source(Protocol):
    def connectionMade(self):
        state["count"] += 1
        self.sent = 0
        self.paused = False
        self.transport.registerProducer(self, True)
        self.resumeProducing()

    def pauseProducing(self):
        self.paused = True

    def resumeProducing(self):
        self.paused = False
        while not self.paused and self.sent < total:
            self.transport.write(CHUNK)
            self.sent += len(CHUNK)
        if self.sent >= total:
            self.transport.unregisterProducer()
            self.transport.loseConnection()

    def stopProducing(self):
        self.paused = True


class Accept(Protocol):
    def connectionMade(self):
        state["count"] += 1
        self.transport.write(b"x")
        self.transport.loseConnection()


PROTOCOLS = {"echo": Echo, "sink": Sink, "source": Source, "accept": Accept}
factory = Factory.forProtocol(PROTOCOLS[mode])
factory.noisy = False
port = reactor.listenTCP(0, factory, backlog=1024, interface="127.0.0.1")
out({"ready": True, "port": port.getHost().port})


def handle(command):
    if command == "stats":
        out({"count": state["count"], "bytes": state["bytes"], "cpu": cpu_seconds()})


serve(handle)

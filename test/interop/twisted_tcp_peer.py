"""A Python Twisted TCP peer for twisted-ts's stream interop tests (test/interop/twisted-tcp.test.ts).

Every connection stays on 127.0.0.1. It reports on stdout, one JSON object per line, and stops
when stdin closes (the test died) or after --lifetime seconds.

Servers (listen on 127.0.0.1, port 0; report {"event": "listening", "port": P}):
    echo        echoes what it receives
    chat        a LineReceiver chat: each line a client sends goes to every other client as
                "<name>: <line>"; the first line a client sends is its name
    halfclose   an IHalfCloseableProtocol: when the client half-closes, it answers
                "got <n> bytes" and closes; reports {"event": "readConnectionLost", "bytes": n}
    sink        counts the bytes of each connection and reports
                {"event": "sink", "bytes": n, "sha256": "..."} when it ends

Clients (connect to 127.0.0.1:--port):
    echo-client  sends --size bytes, reports {"event": "echoed", "ok": bool} when all came back
    chat-client  a LineReceiver: sends "python", then "hello from python"; reports every line
                 it receives as {"event": "line", "line": "..."}; closes after --expect lines
    halfclose-client  sends --size bytes, half-closes, reports {"event": "reply", "data": "..."}
                 and {"event": "writeConnectionLost"}
    source-client  sends --size bytes through a push producer (FileSender over a generated
                 file), reports {"event": "sent", "bytes": n, "sha256": "..."} and closes
"""

import argparse
import hashlib
import io

from peer_report import report

from zope.interface import implementer

from twisted.internet import interfaces, protocol, reactor, stdio
from twisted.protocols.basic import FileSender, LineReceiver

LOOPBACK = "127.0.0.1"




def pattern(size):
    """The bytes both sides agree on: a repeating 251-byte pattern (prime, so chunks do not align)."""
    block = bytes(range(251))
    whole, rest = divmod(size, len(block))
    return block * whole + block[:rest]


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


class Chat(LineReceiver):
    delimiter = b"\n"

    def connectionMade(self):
        self.name = None

    def lineReceived(self, line):
        if self.name is None:
            self.name = line.decode()
            self.factory.clients.append(self)
            report(event="joined", name=self.name)
            return
        for other in self.factory.clients:
            if other is not self:
                other.sendLine(self.name.encode() + b": " + line)

    def connectionLost(self, reason):
        if self in self.factory.clients:
            self.factory.clients.remove(self)


@implementer(interfaces.IHalfCloseableProtocol)
class HalfCloseServer(protocol.Protocol):
    def connectionMade(self):
        self.count = 0

    def dataReceived(self, data):
        self.count += len(data)

    def readConnectionLost(self):
        report(event="readConnectionLost", bytes=self.count)
        self.transport.write(b"got %d bytes" % self.count)
        self.transport.loseConnection()

    def writeConnectionLost(self):
        pass


class Sink(protocol.Protocol):
    def connectionMade(self):
        self.count = 0
        self.digest = hashlib.sha256()

    def dataReceived(self, data):
        self.count += len(data)
        self.digest.update(data)

    def connectionLost(self, reason):
        report(event="sink", bytes=self.count, sha256=self.digest.hexdigest(), reason=reason.type.__name__)


class EchoClient(protocol.Protocol):
    def connectionMade(self):
        self.expected = pattern(self.factory.size)
        self.received = []
        self.count = 0
        self.transport.write(self.expected)

    def dataReceived(self, data):
        self.received.append(data)
        self.count += len(data)
        if self.count >= len(self.expected):
            report(event="echoed", ok=b"".join(self.received) == self.expected)
            self.transport.loseConnection()


class ChatClient(LineReceiver):
    delimiter = b"\n"

    def connectionMade(self):
        self.lines = 0
        self.sendLine(b"python")
        self.sendLine(b"hello from python")

    def lineReceived(self, line):
        report(event="line", line=line.decode())
        self.lines += 1
        if self.lines >= self.factory.expect:
            self.transport.loseConnection()


@implementer(interfaces.IHalfCloseableProtocol)
class HalfCloseClient(protocol.Protocol):
    def connectionMade(self):
        self.reply = b""
        self.transport.write(pattern(self.factory.size))
        self.transport.loseWriteConnection()

    def dataReceived(self, data):
        self.reply += data

    def readConnectionLost(self):
        report(event="reply", data=self.reply.decode())
        self.transport.loseConnection()

    def writeConnectionLost(self):
        report(event="writeConnectionLost")


class SourceClient(protocol.Protocol):
    def connectionMade(self):
        data = pattern(self.factory.size)
        digest = hashlib.sha256(data).hexdigest()

        def sent(_):
            report(event="sent", bytes=len(data), sha256=digest)
            self.transport.loseConnection()

        FileSender().beginFileTransfer(io.BytesIO(data), self.transport).addCallback(sent)


class Stdin(LineReceiver):
    delimiter = b"\n"

    def lineReceived(self, line):
        pass

    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


class Factory(protocol.ClientFactory):
    def clientConnectionFailed(self, connector, reason):
        report(event="failed", error=reason.getErrorMessage())
        reactor.stop()

    def clientConnectionLost(self, connector, reason):
        report(event="closed", reason=reason.type.__name__)
        reactor.stop()


SERVERS = {"echo": Echo, "chat": Chat, "halfclose": HalfCloseServer, "sink": Sink}
CLIENTS = {
    "echo-client": EchoClient,
    "chat-client": ChatClient,
    "halfclose-client": HalfCloseClient,
    "source-client": SourceClient,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=sorted(SERVERS) + sorted(CLIENTS))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--expect", type=int, default=1)
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    stdio.StandardIO(Stdin())
    reactor.callLater(args.lifetime, reactor.stop)
    if args.mode in SERVERS:
        factory = protocol.ServerFactory.forProtocol(SERVERS[args.mode])
        factory.clients = []
        port = reactor.listenTCP(0, factory, interface=LOOPBACK)
        report(event="listening", port=port.getHost().port)
    else:
        factory = Factory.forProtocol(CLIENTS[args.mode])
        factory.size = args.size
        factory.expect = args.expect
        reactor.connectTCP(LOOPBACK, args.port, factory)
    reactor.run()


if __name__ == "__main__":
    main()

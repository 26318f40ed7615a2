"""The Python Twisted side of twisted-streams.test.ts: a LineReceiver, Int32StringReceiver or
NetstringReceiver peer, as a server that echoes every message back prefixed with b"echo:", or as
a client that sends messages and reports the echoes. Events are JSON lines on stdout (messages in
base64); the process ends on "quit" on stdin, or by itself as a client once it has its replies."""
import argparse
import base64
import json

from peer_report import report as out

from twisted.internet import epollreactor

epollreactor.install()

from twisted.internet import protocol, reactor, stdio  # noqa: E402
from twisted.protocols import basic  # noqa: E402




def b64(data):
    return base64.b64encode(data).decode()


args = argparse.ArgumentParser()
args.add_argument("--role", choices=["server", "client"], required=True)
args.add_argument("--proto", choices=["line", "int32", "netstring"], required=True)
args.add_argument("--port", type=int, default=0)
args.add_argument("--messages-file")
args.add_argument("--max-length", type=int, default=0)
options = args.parse_args()
MESSAGES = []
if options.messages_file:
    with open(options.messages_file) as f:
        MESSAGES = [base64.b64decode(m) for m in json.load(f)]

BASES = {
    "line": basic.LineReceiver,
    "int32": basic.Int32StringReceiver,
    "netstring": basic.NetstringReceiver,
}
Base = BASES[options.proto]


class Peer(Base):
    if options.max_length:
        MAX_LENGTH = options.max_length

    def connectionMade(self):
        self.got = []
        out(event="connected")
        if options.role == "client":
            for m in MESSAGES:
                self.send(m)

    def send(self, data):
        if options.proto == "line":
            self.sendLine(data)
        else:
            self.sendString(data)

    def message(self, data):
        out(event="received", data=b64(data))
        if options.role == "server":
            self.send(b"echo:" + data)
        else:
            self.got.append(data)
            if len(self.got) == len(MESSAGES):
                out(event="done")
                self.transport.loseConnection()

    def lineReceived(self, line):
        self.message(line)

    def stringReceived(self, string):
        self.message(string)

    def connectionLost(self, reason):
        out(event="lost", reason=reason.type.__name__)
        if options.role == "client":
            reactor.callLater(0, reactor.stop)


class Commands(basic.LineReceiver):
    delimiter = b"\n"

    def lineReceived(self, line):
        if line.strip() == b"quit" and reactor.running:
            reactor.stop()

    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


stdio.StandardIO(Commands())
if options.role == "server":
    port = reactor.listenTCP(0, protocol.Factory.forProtocol(Peer), interface="127.0.0.1")
    out(event="listening", port=port.getHost().port)
else:

    class Client(protocol.ClientFactory):
        protocol = Peer

        def clientConnectionFailed(self, connector, reason):
            out(event="failed", reason=str(reason.value))
            reactor.stop()

    reactor.connectTCP("127.0.0.1", options.port, Client())
reactor.run()

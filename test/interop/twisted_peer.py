"""A Python Twisted multicast peer for twisted-ts's interop tests (test/interop/*.test.ts).

It listens with ``reactor.listenMulticast(port, proto, listenMultiple=...)`` on all IPv4
interfaces, joins GROUP on 127.0.0.1 with TTL 1 and outgoing interface 127.0.0.1 (nothing leaves
the machine), and reports on stdout, one JSON object per line:

    {"event": "ready", "port": P}             joined, ready for datagrams
    {"event": "cannot-listen", "errno": N, "error": "..."}   the bind failed (then it exits)
    {"event": "received", "data": "...", "host": "...", "port": N}

It answers through its own transport:
    "ping:<n>"      -> "pong:py:<n>" unicast back to the sender
    "hello:ts:<n>"  -> "reply:py:<n>" to the group
Commands on stdin, one per line: "send <text>" writes <text> to the group; "quit" stops.
It stops by itself when stdin closes (the test died) or after --lifetime seconds.

Usage: twisted_peer.py --port P --group G [--listen-multiple 0|1] [--lifetime S]
"""

import argparse

from peer_report import report

from twisted.internet import error, reactor, stdio
from twisted.internet.protocol import DatagramProtocol
from twisted.protocols.basic import LineReceiver

LOOPBACK = "127.0.0.1"




class Peer(DatagramProtocol):
    def __init__(self, group):
        self.group = group

    def startProtocol(self):
        self.transport.setTTL(1)
        self.transport.setLoopbackMode(1)
        d = self.transport.setOutgoingInterface(LOOPBACK)
        d.addCallback(lambda _: self.transport.joinGroup(self.group, LOOPBACK))
        d.addCallback(lambda _: report(event="ready", port=self.transport.getHost().port))
        d.addErrback(self.failed)

    def failed(self, failure):
        report(event="error", error=failure.getErrorMessage())
        reactor.stop()

    def datagramReceived(self, data, addr):
        text = data.decode("utf-8", "replace")
        report(event="received", data=text, host=addr[0], port=addr[1])
        port = self.transport.getHost().port
        if text.startswith("ping:"):
            self.transport.write(("pong:py:" + text[5:]).encode(), addr)
        elif text.startswith("hello:ts:"):
            self.transport.write(("reply:py:" + text[9:]).encode(), (self.group, port))


class Commands(LineReceiver):
    delimiter = b"\n"

    def __init__(self, peer):
        self.peer = peer

    def lineReceived(self, line):
        command, _, rest = line.decode().strip().partition(" ")
        if command == "send":
            port = self.peer.transport.getHost().port
            self.peer.transport.write(rest.encode(), (self.peer.group, port))
        elif command == "quit":
            stop()

    def connectionLost(self, reason):
        stop()


def stop():
    if reactor.running:
        reactor.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--listen-multiple", type=int, default=1)
    parser.add_argument("--lifetime", type=float, default=30.0)
    args = parser.parse_args()

    peer = Peer(args.group)
    try:
        reactor.listenMulticast(
            args.port, peer, listenMultiple=bool(args.listen_multiple)
        )
    except error.CannotListenError as e:
        report(event="cannot-listen", errno=e.socketError.errno, error=str(e))
        return
    stdio.StandardIO(Commands(peer))
    reactor.callLater(args.lifetime, stop)
    reactor.run()


if __name__ == "__main__":
    main()

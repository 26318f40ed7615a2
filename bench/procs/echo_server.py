"""Echo server on Python Twisted's listenUDP: self.transport.write(data, addr). Same protocol as
echo-server.ts."""
from py_common import args, cpu_seconds, out, reactor, serve
from twisted.internet.protocol import DatagramProtocol

a = args()
host = "::1" if a.get("family", "4") == "6" else "127.0.0.1"
state = {"count": 0}


class Echo(DatagramProtocol):
    def datagramReceived(self, data, addr):
        state["count"] += 1
        self.transport.write(data, addr)


port = reactor.listenUDP(0, Echo(), interface=host)
out({"ready": True, "port": port.getHost().port})


def handle(command):
    if command == "stats":
        out({"count": state["count"], "cpu": cpu_seconds()})


serve(handle)

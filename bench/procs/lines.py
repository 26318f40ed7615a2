"""The LineReceiver case of lines.ts on Python Twisted: 40-byte lines (38 bytes and CRLF) fed to
a LineReceiver in 64 KiB chunks through a bare transport, as a TCP connection would deliver
them. Prints lines per second."""
from py_common import args, now, out
from twisted.protocols.basic import LineReceiver

a = args()
total = int(a.get("lines", "2000000"))
LINE = b"x" * 38 + b"\r\n"
CHUNK = 64 * 1024


class Transport:
    disconnecting = False

    def write(self, data):
        pass


class Counter(LineReceiver):
    count = 0

    def lineReceived(self, line):
        self.count += 1


# 40 consecutive chunks of exactly 64 KiB, cut anywhere in a line as the kernel would cut them;
# 40 × 64 KiB is a whole number of 40-byte lines, so feeding them round and round is one stream.
big = LINE * (CHUNK * 40 // len(LINE))
chunks = [big[i : i + CHUNK] for i in range(0, len(big), CHUNK)]


def feed(lines):
    p = Counter()
    p.makeConnection(Transport())
    while p.count < lines:
        for chunk in chunks:
            p.dataReceived(chunk)
    return p.count


feed(total // 10)
t0 = now()
got = feed(total)
out({"lines": got / (now() - t0)})

"""Shared plumbing of the Python Twisted benchmark processes (the contender the suite compares
against): the epoll reactor, JSON lines on stdout, command lines on stdin, CPU and clock."""
import json
import resource
import sys
import time

from twisted.internet import epollreactor

epollreactor.install()

from twisted.internet import reactor, stdio  # noqa: E402  (after the reactor is installed)
from twisted.protocols.basic import LineReceiver  # noqa: E402


def out(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def cpu_seconds():
    """User + system CPU of this process, like Node's process.cpuUsage()."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


now = time.perf_counter


def args():
    """--name value pairs."""
    result = {}
    argv = sys.argv[1:]
    i = 0
    while i < len(argv):
        if argv[i].startswith("--"):
            name = argv[i][2:]
            if i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                result[name] = argv[i + 1]
                i += 1
            else:
                result[name] = "true"
        i += 1
    return result


class _Commands(LineReceiver):
    delimiter = b"\n"

    def __init__(self, handler):
        self.handler = handler

    def lineReceived(self, line):
        command = line.decode().strip()
        if command == "quit":
            reactor.stop()
        elif command:
            self.handler(command)

    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


def serve(handler):
    """Reads commands from stdin (quit, or the end of stdin, stops the reactor) and runs."""
    stdio.StandardIO(_Commands(handler))
    reactor.run()

"""The porting-kit cases of kit.ts on Python Twisted: inlineCallbacks yielding 10 fired
Deferreds, sequential deferToThread round trips, and units of a generator under coiterate.
Prints operations per second."""
from py_common import args, now, out
from twisted.internet import reactor, task, threads
from twisted.internet.defer import inlineCallbacks, succeed

a = args()
n = int(a.get("n", "100000"))
box = [0]


@inlineCallbacks
def sum_ten(base):
    total = 0
    for i in range(10):
        total += yield succeed(base + i)
    return total


def add(x):
    box[0] += x


def inline(count):
    for i in range(count):
        sum_ten(i).addCallback(add)
    return succeed(None)


@inlineCallbacks
def thread(count):
    for i in range(count):
        box[0] += yield threads.deferToThread(lambda x: x + 1, i)


def units(count):
    for i in range(count):
        box[0] += i & 1
        yield None


def cooperate(count):
    return task.coiterate(units(count))


cases = {"inline": (inline, n), "thread": (thread, -(-n // 1000)), "cooperate": (cooperate, n * 3)}


@inlineCallbacks
def main(_reactor):
    result = {}
    for name, (fn, count) in cases.items():
        yield fn(-(-count // 10))
        t0 = now()
        yield fn(count)
        result[name] = count / (now() - t0)
    out(result)


task.react(main)

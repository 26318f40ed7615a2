"""The Deferred cases of deferreds.ts on Python Twisted: a 3-callback chain, a 100-callback
chain, an errback path (a callback raises, an errback recovers) and awaiting a fired Deferred in
a coroutine run by ensureDeferred. Prints operations per second."""
from py_common import args, now, out
from twisted.internet.defer import Deferred, ensureDeferred, succeed

a = args()
n = int(a.get("n", "300000"))
box = [0]


def inc(x):
    return x + 1


def store(x):
    box[0] += x


def thrower(_):
    raise ValueError("boom")


def recover(_):
    return 1


def chain3(count):
    for i in range(count):
        d = Deferred()
        d.addCallback(inc).addCallback(inc).addCallback(store)
        d.callback(i)


def chain100(count):
    for i in range(count):
        d = Deferred()
        for _ in range(99):
            d.addCallback(inc)
        d.addCallback(store)
        d.callback(i)


def errback(count):
    for i in range(count):
        d = Deferred()
        d.addCallback(thrower).addErrback(recover).addCallback(store)
        d.callback(i)


async def awaiting(count):
    for i in range(count):
        box[0] += await succeed(i)


def await_case(count):
    ensureDeferred(awaiting(count))


cases = {"chain3": (chain3, n), "chain100": (chain100, -(-n // 30)), "errback": (errback, -(-n // 3)), "await": (await_case, n)}
result = {}
for name, (fn, count) in cases.items():
    fn(-(-count // 10))
    t0 = now()
    fn(count)
    result[name] = count / (now() - t0)
out(result)

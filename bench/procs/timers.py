"""A million reactor.callLater calls on Python Twisted (epoll reactor), with the same delays as
timers.ts (the same seeded PRNG), then cancel-before-fire. Memory is the growth of the resident
set (Python has no heapUsed), measured after gc.collect()."""
import gc

from py_common import args, cpu_seconds, now, out, reactor


def prng(seed):
    """mulberry32, bit for bit as bench/lib/stats.ts."""
    a = seed & 0xFFFFFFFF

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    def next_value():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_value


def delays(n, seed):
    r = prng(seed)
    return [int(r() * 1001) for _ in range(n)]


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


a = args()
count = int(a.get("count", "1000000"))
cancel_count = int(a.get("cancel", "100000"))
ms = delays(count, 1)
state = {"fired": 0, "end": None}


def fire():
    state["fired"] += 1
    if state["fired"] == count:
        state["end"] = (now(), cpu_seconds())
        reactor.stop()


gc.collect()
rss0 = rss()
cpu0 = cpu_seconds()
t0 = now()
call_later = reactor.callLater
for d in ms:
    call_later(d / 1000, fire)
schedule_cpu = cpu_seconds() - cpu0
grown = rss() - rss0
reactor.run()
end_t, end_cpu = state["end"]

cancel_ms = delays(cancel_count, 2)
gc.collect()
cpu1 = cpu_seconds()
calls = [call_later(1 + d / 1000, fire) for d in cancel_ms]
for c in calls:
    c.cancel()
cancel_cpu = cpu_seconds() - cpu1

out({"scheduleCpu": schedule_cpu, "cpu": end_cpu - cpu0, "wall": end_t - t0, "heap": None, "rss": grown, "cancelCpu": cancel_cpu, "cancelHeap": None})

"""The cases of logger.ts on Python Twisted: twisted.logger's Logger through textFileLogObserver
and jsonFileLogObserver into a file, the same records (a format with two fields). Prints events/s."""
import os
import shutil
import tempfile

from py_common import args, now, out
from twisted.logger import Logger, jsonFileLogObserver, textFileLogObserver

a = args()
n = int(a.get("n", "200000"))
directory = tempfile.mkdtemp(prefix="bench-logger-py-")


def run(kind, count):
    with open(os.path.join(directory, kind + ".log"), "a") as f:
        observer = textFileLogObserver(f) if kind == "text" else jsonFileLogObserver(f)
        log = Logger(namespace="bench", observer=observer)
        for i in range(count):
            log.info("got {count} datagrams from {peer}", count=i, peer="127.0.0.1")


result = {}
for kind in ("text", "json"):
    run(kind, -(-n // 10))
    t0 = now()
    run(kind, n)
    result[kind] = n / (now() - t0)
shutil.rmtree(directory, ignore_errors=True)
out(result)

"""The interop peers' reports: one JSON object per line on stdout, each line written whole.

Twisted's StandardIO (which the peers use for commands on stdin) makes stdout non-blocking, so a
long line (a 100 kB message in base64) written with sys.stdout would stop part-way with
BlockingIOError; here the line is written to the end, waiting while the pipe is full."""
import json
import os
import select


def report(**event):
    data = (json.dumps(event) + "\n").encode()
    while data:
        try:
            data = data[os.write(1, data) :]
        except BlockingIOError:
            select.select([], [1], [])

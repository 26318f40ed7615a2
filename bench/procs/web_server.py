"""HTTP server on Python Twisted's Site for the web benchmark: the same two-level Resource tree
as web-server.ts (/api/item answers 1 KiB), no access log. Same protocol as web-server.ts."""
from py_common import cpu_seconds, out, reactor, serve
from twisted.web import resource, server

BODY = b"x" * 1024
state = {"count": 0}


class Item(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        state["count"] += 1
        request.setHeader(b"content-type", b"text/plain")
        return BODY


class QuietSite(server.Site):
    def log(self, request):
        pass


api = resource.Resource()
api.putChild(b"item", Item())
root = resource.Resource()
root.putChild(b"api", api)
port = reactor.listenTCP(0, QuietSite(root, timeout=None), backlog=512, interface="127.0.0.1")
out({"ready": True, "port": port.getHost().port})


def handle(command):
    if command == "stats":
        out({"count": state["count"], "cpu": cpu_seconds()})


serve(handler=handle)

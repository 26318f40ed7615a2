"""A Python Twisted web peer for twisted-ts's HTTP interop tests (test/interop/twisted-web.test.ts).

Everything stays on 127.0.0.1. It reports on stdout, one JSON object per line, and stops when
stdin closes (the test died) or after --lifetime seconds.

    server   a Site with a Resource tree, listening on 127.0.0.1 port 0; reports
             {"event": "listening", "port": P} and {"event": "connection"} for each connection:
               /hello          "hello from twisted" (Content-Length)
               /chunked        two writes with NOT_DONE_YET: chunked transfer encoding
               /echo           POST: echoes the body and the form argument "a"
               /redirect       302 to /hello
               /gzip           gzip-encoded body (EncodingResourceWrapper, GzipEncoderFactory)
               anything else   404
    client   fetches --url with Agent (persistent pool) --count times (GET) and once as a POST
             with --body; reports {"event": "response", "code", "headers", "body"} for each and
             {"event": "done"}
"""

import argparse

from twisted.internet import protocol, reactor, stdio
from twisted.web import resource, server, util
from twisted.web.client import Agent, FileBodyProducer, HTTPConnectionPool, readBody
from twisted.web.http_headers import Headers
from io import BytesIO

from peer_report import report

LOOPBACK = "127.0.0.1"


class Hello(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain")
        return b"hello from twisted"


class Chunked(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        request.write(b"first,")
        reactor.callLater(0.01, self._finish, request)
        return server.NOT_DONE_YET

    def _finish(self, request):
        request.write(b"second")
        request.finish()


class Echo(resource.Resource):
    isLeaf = True

    def render_POST(self, request):
        body = request.content.read()
        a = request.args.get(b"a", [b""])[0]
        return b"body=" + body + b";a=" + a


class Redirect(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        return util.redirectTo(b"/hello", request)


class Quit(protocol.Protocol):
    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


class CountingSite(server.Site):
    def buildProtocol(self, addr):
        report(event="connection")
        return server.Site.buildProtocol(self, addr)


def serve(args):
    root = resource.Resource()
    root.putChild(b"hello", Hello())
    root.putChild(b"chunked", Chunked())
    root.putChild(b"echo", Echo())
    root.putChild(b"redirect", Redirect())
    root.putChild(
        b"gzip", resource.EncodingResourceWrapper(Hello(), [server.GzipEncoderFactory()])
    )
    port = reactor.listenTCP(0, CountingSite(root), interface=LOOPBACK)
    report(event="listening", port=port.getHost().port)


def client(args):
    pool = HTTPConnectionPool(reactor, persistent=True)
    agent = Agent(reactor, pool=pool)
    url = args.url.encode()
    done = []

    def show(response, body):
        headers = {
            k.decode().lower(): [v.decode() for v in vs]
            for k, vs in response.headers.getAllRawHeaders()
        }
        report(event="response", code=response.code, headers=headers, body=body.decode("latin1"))

    def one(method, producer=None, hdrs=None):
        d = agent.request(method, url, hdrs, producer)
        d.addCallback(lambda r: readBody(r).addCallback(lambda b: show(r, b)))
        return d

    d = one(b"GET")
    for _ in range(args.count - 1):
        d.addCallback(lambda _: one(b"GET"))
    d.addCallback(
        lambda _: one(
            b"POST",
            FileBodyProducer(BytesIO(args.body.encode())),
            Headers({b"content-type": [b"application/x-www-form-urlencoded"]}),
        )
    )
    d.addCallback(lambda _: pool.closeCachedConnections())
    d.addCallback(lambda _: report(event="done"))
    d.addErrback(lambda f: report(event="error", error=f.getErrorMessage()))
    d.addBoth(lambda _: reactor.stop())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["server", "client"])
    parser.add_argument("--url", default="")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--body", default="a=1")
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    stdio.StandardIO(Quit())
    reactor.callLater(args.lifetime, reactor.stop)
    (serve if args.mode == "server" else client)(args)
    reactor.run()


if __name__ == "__main__":
    main()

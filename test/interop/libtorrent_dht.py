"""A libtorrent DHT node, the real peer of test/examples/dht-libtorrent.test.ts.

It joins the DHT through the twisted-ts node given with --bootstrap, announces --announce (as
the torrent of a magnet link), looks up --lookup until it finds a peer, and prints one line per event
(flushed at once) for the test to read. It exits after --duration seconds.

Network safety: it listens on 127.0.0.1 only, its bootstrap routers are replaced by the one node
given (libtorrent's defaults, public host names, are never looked up), and local service
discovery, UPnP and NAT-PMP are off. The test runs it only inside a private network namespace.
"""
import argparse
import sys
import tempfile
import time

import libtorrent as lt


def say(*words):
    print(*words, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap", required=True, help="HOST:PORT of the twisted-ts node")
    p.add_argument("--announce", help="info-hash (hex) to announce")
    p.add_argument("--lookup", help="info-hash (hex) to look up until a peer is found")
    p.add_argument("--duration", type=float, default=30)
    args = p.parse_args()
    host, port = args.bootstrap.rsplit(":", 1)

    cat = lt.alert.category_t
    session = lt.session(
        {
            "listen_interfaces": "127.0.0.1:0",
            "enable_dht": True,
            "dht_bootstrap_nodes": args.bootstrap,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            # Every node here shares 127.0.0.1: libtorrent's one-node-per-IP rules would keep all
            # but one of them out of its routing table, and its rate limit would block the address.
            "dht_restrict_routing_ips": False,
            "dht_restrict_search_ips": False,
            "dht_block_ratelimit": 100000,
            "alert_mask": cat.dht_notification | cat.dht_operation_notification | cat.error_notification,
        }
    )
    session.add_dht_node((host, int(port)))
    say("libtorrent", lt.__version__, "dht on 127.0.0.1:%d" % session.listen_port())

    deadline = time.monotonic() + args.duration
    announced = False
    next_lookup = 0.0
    found = False
    while time.monotonic() < deadline:
        now = time.monotonic()
        if args.announce and not announced and now > 1.0 + (deadline - args.duration):
            # As a client does: a torrent known by its info-hash alone (a magnet link), which
            # libtorrent announces on the DHT to find peers (this binding cannot pass
            # dht_announce's flags). The port announced is libtorrent's listen port.
            params = lt.parse_magnet_uri("magnet:?xt=urn:btih:" + args.announce)
            params.save_path = tempfile.mkdtemp(prefix="libtorrent-dht-")
            session.add_torrent(params)
            announced = True
            say("announcing", args.announce, "port", session.listen_port())
        if args.lookup and not found and now >= next_lookup:
            session.dht_get_peers(lt.sha1_hash(bytes.fromhex(args.lookup)))
            next_lookup = now + 1.0
        session.wait_for_alert(200)
        for a in session.pop_alerts():
            if isinstance(a, lt.dht_announce_alert):
                say("incoming announce_peer", str(a.info_hash), "from", a.ip, "port", a.port)
            elif isinstance(a, lt.dht_get_peers_alert):
                say("incoming get_peers", str(a.info_hash))
            elif isinstance(a, lt.dht_get_peers_reply_alert):
                peers = ["%s:%d" % (ip, p) for ip, p in a.peers()]
                if peers:
                    found = True
                    say("get_peers reply", str(a.info_hash), " ".join(sorted(set(peers))))
            elif isinstance(a, lt.dht_bootstrap_alert):
                say("dht bootstrapped")
            elif a.category() & cat.error_notification:
                say("error:", a.message())
    say("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())

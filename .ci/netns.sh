#!/usr/bin/env bash
# Runs a command inside a private network namespace so that no datagram a test sends can leave
# this machine: only loopback exists, with a route for IPv4 multicast (224.0.0.0/4) on lo, and a
# veth pair (tt0 <-> tt1) that carries IPv6 multicast, which Linux will not route over lo.
# Usage: .ci/netns.sh <command> [args...]   (needs root, or a user namespace: see below)
set -euo pipefail
if [ "${TWISTED_TS_IN_NETNS:-}" = 1 ]; then exec "$@"; fi

setup='
set -e
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
if ip link add tt0 type veth peer name tt1 2>/dev/null; then
  ip link set tt0 up
  ip link set tt1 up
  ip -6 addr add fd00:7474::1/64 dev tt0 nodad
  ip -6 addr add fd00:7474::2/64 dev tt1 nodad
  ip -6 route add ff00::/8 dev tt0 table local metric 1 2>/dev/null || true
  export TWISTED_TS_IPV6_MCAST_IFACE=tt0
fi
export TWISTED_TS_IN_NETNS=1
exec "$@"
'
if [ "$(id -u)" = 0 ]; then
  exec unshare --net bash -c "$setup" netns "$@"
else
  exec unshare --user --map-root-user --net bash -c "$setup" netns "$@"
fi

{
  # The native UDP I/O addon (see udp.c). Built by scripts/build-native.mjs with npm's bundled
  # node-gyp and `nodedir` pointing at the headers the pinned `node` package ships, so no header
  # download is needed. Windows has no recvmmsg and no POSIX sockets API: it uses node:dgram.
  "targets": [
    {
      "target_name": "udp",
      "sources": ["udp.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "conditions": [
        ["OS=='linux'", { "defines": ["_GNU_SOURCE"] }],
        ["OS=='mac'", { "xcode_settings": { "GCC_SYMBOLS_PRIVATE_EXTERN": "YES", "OTHER_CFLAGS": ["-O2", "-Wall"] } }]
      ]
    }
  ]
}

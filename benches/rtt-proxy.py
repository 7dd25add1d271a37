#!/usr/bin/env python3
"""A latency-injecting proxy (netem is not available here): every DNS query over UDP and every
TCP connection through it behaves as if the server were RTT milliseconds away.

    python3 benches/rtt-proxy.py --rtt-ms 50 --udp 127.0.0.1:5353 --tcp 127.0.0.1:8443 ...

For each --udp / --tcp upstream it listens on a fresh loopback port and prints one line
"MAP upstream listen" per mapping, then "READY".

The model, so that whole-audit time / RTT counts round trips:
- UDP: each datagram toward the upstream waits RTT/2, each answer RTT/2 (one query = 1 RTT).
- TCP: the kernel completes the client's connect() at once on loopback, so the connection's own
  handshake round trip is charged to its first bytes toward the server: none reaches it before
  1.5 RTT after the connect (a connection opened ahead of need and used later does not pay it
  twice); every chunk waits RTT/2 in each direction, order kept. A TLS 1.3 handshake then
  costs 1 RTT and each request on a warm connection 1 RTT, as over a real path.
"""
import argparse
import asyncio
import socket
import sys

loop_time = None


def parse_addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


class UdpRelay(asyncio.DatagramProtocol):
    """One listening socket; one upstream socket per client address."""

    def __init__(self, upstream, half):
        self.upstream, self.half, self.peers = upstream, half, {}

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, client):
        asyncio.get_running_loop().call_later(self.half, lambda: asyncio.ensure_future(self.forward(data, client)))

    async def forward(self, data, client):
        peer = self.peers.get(client)
        if peer is None:
            relay = self

            class Back(asyncio.DatagramProtocol):
                def datagram_received(self, answer, _addr):
                    asyncio.get_running_loop().call_later(relay.half, relay.transport.sendto, answer, client)

            peer, _ = await asyncio.get_running_loop().create_datagram_endpoint(Back, remote_addr=self.upstream)
            self.peers[client] = peer
        peer.sendto(data)


async def pipe(reader, writer, delay, not_before=0.0):
    """Copies reader → writer, each chunk released `delay` after it arrived and none before
    `not_before` (loop time), order kept; a reader task and a writer task so that delays
    overlap."""
    queue = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def read():
        while True:
            try:
                data = await reader.read(65536)
            except (ConnectionError, OSError):
                data = b""
            due = max(loop.time() + delay, not_before)
            await queue.put((due, data))
            if not data:
                return

    async def write():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                try:
                    if writer.can_write_eof():
                        writer.write_eof()
                except (ConnectionError, OSError):
                    pass
                return
            try:
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError):
                return

    await asyncio.gather(read(), write())


def tcp_handler(upstream, rtt):
    async def handle(c_reader, c_writer):
        accepted = asyncio.get_running_loop().time()
        try:
            s_reader, s_writer = await asyncio.open_connection(*upstream)
        except OSError:
            c_writer.close()
            return
        for w in (c_writer, s_writer):
            sock = w.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Toward the server: nothing arrives before the connect's round trip plus half a trip
        # (a client that writes at once waits 1.5 RTT; one opened ahead of need does not pay
        # the handshake again when it is used, as over a real path).
        await asyncio.gather(
            pipe(c_reader, s_writer, rtt / 2, accepted + rtt * 1.5),
            pipe(s_reader, c_writer, rtt / 2),
            return_exceptions=True,
        )
        for w in (c_writer, s_writer):
            w.close()

    return handle


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rtt-ms", type=float, default=50)
    ap.add_argument("--udp", action="append", default=[], help="a DNS server (UDP and TCP on one port)")
    ap.add_argument("--tcp", action="append", default=[])
    args = ap.parse_args()
    rtt = args.rtt_ms / 1000
    loop = asyncio.get_running_loop()
    servers = []
    for up in args.udp:
        upstream = parse_addr(up)
        transport, _ = await loop.create_datagram_endpoint(
            lambda u=upstream: UdpRelay(u, rtt / 2), local_addr=("127.0.0.1", 0)
        )
        port = transport.get_extra_info("sockname")[1]
        # DNS over TCP (after a truncated answer) goes to the same port.
        servers.append(await asyncio.start_server(tcp_handler(upstream, rtt), "127.0.0.1", port))
        print(f"MAP udp {up} 127.0.0.1:{port}")
    for up in args.tcp:
        server = await asyncio.start_server(tcp_handler(parse_addr(up), rtt), "127.0.0.1", 0)
        servers.append(server)
        print(f"MAP tcp {up} 127.0.0.1:{server.sockets[0].getsockname()[1]}")
    print("READY", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

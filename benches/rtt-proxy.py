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

The relay itself must cost next to nothing, or a burst (sixty DNS queries and fifty
connections in the first milliseconds of an audit) measures Python rather than round trips:
one upstream UDP socket per --udp mapping (query ids rewritten, so concurrent clients never
collide), callbacks and timers instead of a task per chunk, and each direction of a TCP
connection released by one timer over an ordered queue.
"""
import argparse
import asyncio
import collections
import socket
import sys


def parse_addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


class UdpRelay(asyncio.DatagramProtocol):
    """The listening side: queries from any client go upstream on one socket, each under a
    fresh id; answers come back to the client under its own id."""

    def __init__(self, half):
        self.half = half
        self.upstream = None  # UdpUpstream, set once both endpoints exist
        self.pending = {}  # proxy id -> (client address, client id)
        self.next_id = 0

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, client):
        if len(data) < 12 or self.upstream is None:
            return
        for _ in range(65536):
            self.next_id = (self.next_id + 1) & 0xFFFF
            if self.next_id not in self.pending:
                break
        pid = self.next_id
        self.pending[pid] = (client, data[:2])
        wire = pid.to_bytes(2, "big") + data[2:]
        asyncio.get_running_loop().call_later(self.half, self.upstream.send, wire)

    def answer(self, data):
        if len(data) < 12:
            return
        found = self.pending.pop(int.from_bytes(data[:2], "big"), None)
        if found is None:
            return
        client, cid = found
        asyncio.get_running_loop().call_later(self.half, self.transport.sendto, cid + data[2:], client)


class UdpUpstream(asyncio.DatagramProtocol):
    def __init__(self, relay):
        self.relay = relay

    def connection_made(self, transport):
        self.transport = transport

    def send(self, wire):
        self.transport.sendto(wire)

    def datagram_received(self, data, _addr):
        self.relay.answer(data)


class Delayed:
    """One direction of a TCP connection: chunks written to `transport` `delay` after they
    arrived and none before `not_before` (loop time), in order, by one timer at a time. The
    end of the stream (None) is passed on as EOF, and the connection told."""

    def __init__(self, conn, delay, not_before=0.0):
        self.conn, self.delay, self.not_before = conn, delay, not_before
        self.queue = collections.deque()
        self.transport = None  # set once that side is connected
        self.timer = None
        self.ended = False

    def push(self, data):
        if self.ended:
            return
        loop = asyncio.get_running_loop()
        self.queue.append((max(loop.time() + self.delay, self.not_before), data))
        self.arm()

    def arm(self):
        if self.timer is None and self.queue and self.transport is not None:
            self.timer = asyncio.get_running_loop().call_at(self.queue[0][0], self.release)

    def release(self):
        self.timer = None
        now = asyncio.get_running_loop().time()
        while self.queue and self.queue[0][0] <= now:
            _, data = self.queue.popleft()
            t = self.transport
            try:
                if data is None:
                    self.ended = True
                    self.queue.clear()
                    if not t.is_closing() and t.can_write_eof():
                        t.write_eof()
                    self.conn.one_ended()
                    return
                if not t.is_closing():
                    t.write(data)
            except (ConnectionError, OSError, RuntimeError):
                self.ended = True
                self.queue.clear()
                self.conn.one_ended()
                return
        self.arm()


class Side(asyncio.Protocol):
    """One socket of a relayed connection; what it reads goes to `out` (toward the other)."""

    def __init__(self, out, on_connect):
        self.out, self.on_connect = out, on_connect

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.on_connect(transport)

    def data_received(self, data):
        self.out.push(data)

    def eof_received(self):
        self.out.push(None)
        return True  # half-open: the other direction goes on until it ends too

    def connection_lost(self, _exc):
        self.out.push(None)


class Conn:
    """A relayed connection: closed once both directions have ended."""

    def __init__(self, loop, upstream, rtt):
        self.loop, self.upstream = loop, upstream
        # Toward the server: nothing arrives before the connect's round trip plus half a
        # trip (a client that writes at once waits 1.5 RTT; one opened ahead of need does not
        # pay the handshake again when it is used, as over a real path).
        self.to_server = Delayed(self, rtt / 2, loop.time() + rtt * 1.5)
        self.to_client = Delayed(self, rtt / 2)
        self.ends = 0

    def client_side(self):
        return Side(self.to_server, self.client_connected)

    def client_connected(self, transport):
        self.to_client.transport = transport
        self.to_client.arm()
        self.loop.create_task(self.dial())

    def server_connected(self, transport):
        self.to_server.transport = transport
        self.to_server.arm()

    async def dial(self):
        try:
            await self.loop.create_connection(
                lambda: Side(self.to_client, self.server_connected), *self.upstream
            )
        except OSError:
            self.to_client.transport.close()

    def one_ended(self):
        self.ends += 1
        if self.ends == 2:
            for d in (self.to_client, self.to_server):
                if d.transport is not None:
                    d.transport.close()


def tcp_factory(upstream, rtt):
    loop = asyncio.get_running_loop()
    return lambda: Conn(loop, upstream, rtt).client_side()


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
        relay = UdpRelay(rtt / 2)
        transport, _ = await loop.create_datagram_endpoint(lambda: relay, local_addr=("127.0.0.1", 0))
        _, relay.upstream = await loop.create_datagram_endpoint(
            lambda: UdpUpstream(relay), remote_addr=upstream
        )
        port = transport.get_extra_info("sockname")[1]
        # DNS over TCP (after a truncated answer) goes to the same port.
        servers.append(await loop.create_server(tcp_factory(upstream, rtt), "127.0.0.1", port))
        print(f"MAP udp {up} 127.0.0.1:{port}")
    for up in args.tcp:
        server = await loop.create_server(tcp_factory(parse_addr(up), rtt), "127.0.0.1", 0)
        servers.append(server)
        print(f"MAP tcp {up} 127.0.0.1:{server.sockets[0].getsockname()[1]}")
    print("READY", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

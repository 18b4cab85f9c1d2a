"""The load generator of bench/load.py reads whole answers the way both servers send them
(Content-Length, chunked, close-delimited), keeps its connection alive, and connects from one
loopback address per simulated client. Loopback only, bounded in time."""
from __future__ import annotations

import asyncio

from bench.load import Client, client_address

ANSWERS = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n",
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno",
    b"HTTP/1.1 200 OK\r\n\r\nuntil the end",  # no length: the body ends when the server closes
]


def test_whole_answers_one_connection_each_client_its_own_address():
    peers: list[str] = []
    requests: list[bytes] = []

    async def handle(reader, writer):
        peers.append(writer.get_extra_info("peername")[0])
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                requests.append(head)
                answer = ANSWERS[(len(requests) - 1) % len(ANSWERS)]
                writer.write(answer)
                await writer.drain()
                if b"Connection: close" in answer or b"Length" not in answer and b"chunked" not in answer:
                    break
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        one = Client("127.0.0.1", port, client_address(0), {"Accept": "text/csv"})
        statuses = [await one.get(f"/q{i}", timeout=5) for i in range(5)]
        two = Client("127.0.0.1", port, client_address(1))
        await two.get("/other", timeout=5)
        await one.close()
        await two.close()
        server.close()
        await server.wait_closed()
        return statuses

    statuses = asyncio.run(asyncio.wait_for(main(), 20))
    assert statuses == [200, 200, 503, 200, 200]
    # keep-alive until the server closes: the 503 (Connection: close) and the close-delimited
    # answer each end a connection, so five requests took three connections
    assert peers == ["127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.3"]
    assert requests[0].startswith(b"GET /q0 HTTP/1.1\r\nHost: 127.0.0.1:") and b"Accept: text/csv\r\n" in requests[0]
    assert client_address(0) != client_address(1) and client_address(300) == "127.0.1.46"

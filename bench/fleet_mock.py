#!/usr/bin/env python3
"""A fleet of slow mock BBB servers for bench/run: every server answers after a delay.

nginx cannot delay a reply and bench/slow_mock.py has no getMeetings, so this
is one asyncio process (standard library only, Protocols rather than streams)
serving several servers, one port each, each with the static replies of its
own directory as benchlib.write_mock_data writes them (its own meetings).
Paths: .../api (api.xml) and .../api/<call> for isMeetingRunning,
getMeetingInfo, getMeetings and create (<call>.xml); FAILED/unsupportedRequest
otherwise. Query strings and checksums are ignored; HTTP/1.1 keep-alive;
request bodies (Content-Length only) are read and dropped.

  fleet_mock.py --delay 0.02 --server 18101:/tmp/d/bbb1 --server 18102:/tmp/d/bbb2:0.05
"""
import argparse
import asyncio
import functools
import os
import signal

API = b"/bigbluebutton/api"
CALLS = ["isMeetingRunning", "getMeetingInfo", "getMeetings", "create"]
NOT_FOUND = (b"<response><returncode>FAILED</returncode><messageKey>unsupportedRequest</messageKey>"
             b"</response>")


def http_reply(body, status=b"200 OK"):
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: text/xml;charset=utf-8\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def load_replies(d):
    """{path: whole HTTP reply} from the files of directory d."""
    def read(name):
        with open(os.path.join(d, name), "rb") as f:
            return f.read()
    replies = {API: http_reply(read("api.xml"))}
    for call in CALLS:
        replies[API + b"/" + call.encode()] = http_reply(read(call + ".xml"))
    return replies


class Conn(asyncio.Protocol):
    served = 0

    def __init__(self, replies, delay):
        self.replies, self.delay = replies, delay
        self.not_found = http_reply(NOT_FOUND, b"404 Not Found")

    def connection_made(self, transport):
        self.t = transport
        self.buf = b""
        self.closed = False

    def connection_lost(self, exc):
        self.closed = True

    def data_received(self, data):
        self.buf += data
        loop = asyncio.get_running_loop()
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    self.t.close()
                return
            head = self.buf[:end]
            clen = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    clen = int(line[15:].strip() or b"0")
            if len(self.buf) < end + 4 + clen:
                return
            self.buf = self.buf[end + 4 + clen:]
            target = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
            path = target.split(b"?", 1)[0]
            loop.call_later(self.delay, self.reply, self.replies.get(path, self.not_found))

    def reply(self, data):
        if not self.closed:
            self.t.write(data)
            Conn.served += 1


async def main(args):
    loop = asyncio.get_running_loop()
    servers = []
    for spec in args.server:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise SystemExit("--server PORT:DIR[:DELAY], not " + spec)
        port, d = int(parts[0]), parts[1]
        delay = float(parts[2]) if len(parts) == 3 else args.delay
        factory = functools.partial(Conn, load_replies(d), delay)
        servers.append(await loop.create_server(factory, args.address, port, backlog=4096,
                                                reuse_address=True))
        print("fleet mock: %s:%d from %s, delay %.3f s" % (args.address, port, d, delay), flush=True)
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set_result, None)
    await stop
    for s in servers:
        s.close()
    print("served %d" % Conn.served, flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--server", action="append", required=True, metavar="PORT:DIR[:DELAY]",
                    help="a server on PORT with the replies in DIR (repeat for each server)")
    ap.add_argument("--delay", type=float, default=0.02, help="seconds before each reply (default)")
    asyncio.run(main(ap.parse_args()))

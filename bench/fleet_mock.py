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

import slow_mock
from slow_mock import NOT_FOUND, http_reply

API = b"/bigbluebutton/api"
CALLS = ["isMeetingRunning", "getMeetingInfo", "getMeetings", "create"]
def load_replies(d):
    """{path: whole HTTP reply} from the files of directory d."""
    def read(name):
        with open(os.path.join(d, name), "rb") as f:
            return f.read()
    replies = {API: http_reply(read("api.xml"))}
    for call in CALLS:
        replies[API + b"/" + call.encode()] = http_reply(read(call + ".xml"))
    return replies


class Conn(slow_mock.Conn):
    """slow_mock's connection with this server's replies and delay."""
    served = 0

    def __init__(self, replies, delay):
        self.replies, self.delay = replies, delay
        self.not_found = http_reply(NOT_FOUND, b"404 Not Found")

    def lookup(self, path):
        return self.replies.get(path, self.not_found)


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

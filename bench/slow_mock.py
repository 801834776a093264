#!/usr/bin/env python3
"""A slow mock BBB for bench/run: answers every request after --delay seconds.

nginx cannot delay a reply, so this is a small asyncio server (standard
library only) built on Protocols rather than streams: it costs a few tens of
microseconds of CPU per request, so a few thousand requests per second with
100 ms each stay well inside one core. HTTP/1.1 keep-alive; request bodies
(Content-Length only) are read and ignored, like the checksum. Replies:
isMeetingRunning XML for .../isMeetingRunning, the API root for .../api, the
create reply for .../create, and FAILED/unsupportedRequest otherwise.

  slow_mock.py --port 18099 --delay 0.1
"""
import argparse
import asyncio
import signal

REPLIES = {
    b"/bigbluebutton/api/isMeetingRunning":
        b"<response><returncode>SUCCESS</returncode><running>true</running></response>",
    b"/bigbluebutton/api":
        b"<response><returncode>SUCCESS</returncode><version>2.0</version></response>",
    b"/bigbluebutton/api/create":
        b"<response><returncode>SUCCESS</returncode><meetingID>bench-1</meetingID>"
        b"<internalMeetingID>183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000</internalMeetingID>"
        b"<attendeePW>ap</attendeePW><moderatorPW>mp</moderatorPW><createTime>1700000000000</createTime>"
        b"<voiceBridge>70001</voiceBridge><hasUserJoined>false</hasUserJoined><duration>0</duration>"
        b"<hasBeenForciblyEnded>false</hasBeenForciblyEnded><messageKey></messageKey><message></message>"
        b"</response>",
}
NOT_FOUND = (b"<response><returncode>FAILED</returncode><messageKey>unsupportedRequest</messageKey>"
             b"</response>")


def http_reply(body, status=b"200 OK"):
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: text/xml;charset=utf-8\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


CACHE = {k: http_reply(v) for k, v in REPLIES.items()}
CACHE_404 = http_reply(NOT_FOUND, b"404 Not Found")


class Conn(asyncio.Protocol):
    delay = 0.1
    served = 0

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
            loop.call_later(self.delay, self.reply, self.lookup(path))

    def lookup(self, path):
        """The whole HTTP reply for a request path (bench/fleet_mock.py serves others)."""
        return CACHE.get(path, CACHE_404)

    def reply(self, data):
        if not self.closed:
            self.t.write(data)
            type(self).served += 1


async def main(args):
    Conn.delay = args.delay
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Conn, args.address, args.port, backlog=4096, reuse_address=True)
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set_result, None)
    print("slow mock listening on %s:%d, delay %.3f s" % (args.address, args.port, args.delay), flush=True)
    async with server:
        await stop
    print("served %d" % Conn.served, flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay", type=float, default=0.1, help="seconds before each reply")
    asyncio.run(main(ap.parse_args()))

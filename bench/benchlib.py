"""Shared helpers for bench/run and bench/callgrind (Python 3 standard library only).

Everything listens on 127.0.0.1, every child process is tracked and killed on
exit (normal exit, exception, SIGINT/SIGTERM or the global deadline), and every
wait is bounded.
"""
import atexit
import http.client
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
BUILD = os.path.join(ROOT, "build-bench")
GW_BIN = os.path.join(BUILD, "src", "bbb-gateway")
CLK_TCK = os.sysconf("SC_CLK_TCK")
MEETING_ID = "bench-room"
GW_LIMITS = ""  # extra `limits` settings for every gateway (--gw-limits)
GW_BBB = ""  # extra `bbb` settings for every gateway (--gw-bbb)


class BenchError(Exception):
    """An error that fails the run (startup failure, wrong reply, non-2xx)."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# processes

_children = []  # Popen objects we started, killed in reverse order
_dirs = []  # temporary directories removed after the children are stopped
KEEP_DIRS = False


def spawn(argv, logfile, env=None, cwd=None):
    """Starts a child with stdout+stderr to logfile; it is killed at exit."""
    out = open(logfile, "ab")
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         env=env, cwd=cwd)
    out.close()
    _children.append(p)
    return p


def stop(p, grace=5.0):
    """SIGTERM, then SIGKILL after grace seconds; only our own child by pid."""
    if p.poll() is None:
        try:
            p.terminate()
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
        except ProcessLookupError:
            pass
    if p in _children:
        _children.remove(p)


def cleanup():
    signal.alarm(0)
    while _children:
        p = _children[-1]
        try:
            stop(p)
        except Exception:  # keep going: every child must be stopped
            if p in _children:
                _children.remove(p)
    while _dirs:
        d = _dirs.pop()
        if KEEP_DIRS:
            log("kept work directory " + d)
        else:
            shutil.rmtree(d, True)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def _on_alarm(_signum, _frame):
    raise BenchError("global time limit reached; stopping")


def install_cleanup(deadline_s):
    """Kills every child on exit; aborts the whole run after deadline_s."""
    atexit.register(cleanup)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(int(deadline_s))


def run(argv, timeout, **kw):
    """subprocess.run with a time bound; raises BenchError on failure."""
    try:
        r = subprocess.run(argv, timeout=timeout, capture_output=True, text=True, **kw)
    except subprocess.TimeoutExpired:
        raise BenchError("timed out after %ss: %s" % (timeout, " ".join(argv)))
    if r.returncode != 0:
        raise BenchError("%s failed (%d):\n%s%s" % (" ".join(argv), r.returncode, r.stdout, r.stderr))
    return r.stdout


def children_of(pid):
    """PIDs whose parent is pid (nginx workers of a master)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(d))
    return out


def cpu_ticks(pids):
    """utime+stime of the processes (all threads), in clock ticks."""
    t = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        t += int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)
    return t


def rss_kib(pid, key="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(port, path, proc=None, timeout=10.0, logfile=None):
    """Polls GET path until it answers 200; fails if proc exits first."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            break
        try:
            st, _, _ = http_get(port, path, timeout=1.0)
            if st == 200:
                return
            last = "status %d" % st
        except OSError as e:
            last = str(e)
        time.sleep(0.05)
    tail = ""
    if logfile and os.path.exists(logfile):
        with open(logfile, errors="replace") as f:
            tail = "\n--- %s ---\n%s" % (logfile, f.read()[-1500:])
    raise BenchError("no 200 from 127.0.0.1:%d%s (%s)%s" % (port, path, last, tail))


def http_get(port, path, headers=None, method="GET", body=None, timeout=5.0):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), data
    finally:
        c.close()


# --------------------------------------------------------------------------
# dependencies and build

def ensure_packages(cmds_to_pkgs):
    """apt-get installs the packages whose commands are missing."""
    missing = sorted({pkg for cmd, pkg in cmds_to_pkgs.items() if shutil.which(cmd) is None})
    if not missing:
        return
    log("installing: " + " ".join(missing))
    if os.geteuid() != 0:
        raise BenchError("missing %s; run as root or: sudo apt-get install -y %s"
                         % (", ".join(missing), " ".join(missing)))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], 600, env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing, 900, env=env)


def build():
    """Release build of the daemon only, in build-bench/ (no tests, no sanitizers)."""
    deps = os.path.join(ROOT, "scripts", "deps")
    if os.access(deps, os.X_OK):
        run([deps], 1200)
    if not os.path.exists(os.path.join(BUILD, "build.ninja")):
        log("meson setup build-bench (release)")
        run(["meson", "setup", BUILD, "-Dbuildtype=release", "-Db_ndebug=if-release",
             "-Dtests=false"], 300, cwd=ROOT)
    log("meson compile -C build-bench")
    run(["meson", "compile", "-C", BUILD, "src/bbb-gateway"], 900, cwd=ROOT)
    if not os.access(GW_BIN, os.X_OK):
        raise BenchError("build did not produce " + GW_BIN)


def build_rev(rev):
    """Release build of the daemon at git revision rev (for --baseline), in
    build-bench-<sha>/ from a `git archive` of that revision; reused when present.
    Returns the binary's path."""
    sha = subprocess.run(["git", "rev-parse", "--verify", rev + "^{commit}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=30)
    if sha.returncode != 0:
        raise BenchError("not a revision: %s" % rev)
    sha = sha.stdout.strip()[:12]
    top = os.path.join(ROOT, "build-bench-" + sha)
    src, bld = os.path.join(top, "src"), os.path.join(top, "build")
    binary = os.path.join(bld, "src", "bbb-gateway")
    if os.access(binary, os.X_OK):
        return binary
    shutil.rmtree(top, ignore_errors=True)
    os.makedirs(src)
    log("git archive %s -> %s" % (sha, src))
    arch = subprocess.Popen(["git", "archive", sha], cwd=ROOT, stdout=subprocess.PIPE)
    run(["tar", "-x", "-C", src], 300, stdin=arch.stdout)
    arch.stdout.close()
    if arch.wait(timeout=300) != 0:
        raise BenchError("git archive %s failed" % sha)
    run(["meson", "setup", bld, "-Dbuildtype=release", "-Db_ndebug=if-release", "-Dtests=false"],
        300, cwd=src)
    run(["meson", "compile", "-C", bld, "src/bbb-gateway"], 900, cwd=src)
    if not os.access(binary, os.X_OK):
        raise BenchError("build did not produce " + binary)
    return binary


def set_gateway(path):
    global GW_BIN
    GW_BIN = os.path.abspath(path)
    if not os.access(GW_BIN, os.X_OK):
        raise BenchError("not an executable: " + GW_BIN)


def versions():
    def first_line(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except Exception:
            return "?"

    def dpkg(pkg):
        try:
            return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                                  text=True, timeout=10).stdout.strip() or "?"
        except Exception:
            return "?"

    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    osname = "?"
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            m = re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M)
            osname = m.group(1) if m else "?"
    idle = "?"
    try:
        with open("/sys/devices/system/cpu/cpuidle/current_driver") as f:
            idle = f.read().strip()
    except OSError:
        pass
    git = "?"
    try:
        git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10).stdout.strip() or "?"
    except Exception:
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load average at start": " ".join(open("/proc/loadavg").read().split()[:3]),
        "cpu": "%d x %s" % (os.cpu_count(), model),
        "memory": "%d MiB" % mem,
        "os": osname,
        "kernel": os.uname().release,
        "cpuidle": idle,
        "gateway": first_line([GW_BIN, "--version"]) + (" (git %s, meson release build)" % git
                                                        if GW_BIN.startswith(BUILD) else " (%s)" % GW_BIN),
        "nginx": first_line(["nginx", "-v"]),
        "wrk": first_line(["wrk", "-v"]).split("Copyright")[0].strip(),
        "libmicrohttpd": dpkg("libmicrohttpd12"),
        "libcurl": dpkg("libcurl4"),
        "libxml2": dpkg("libxml2"),
        "python": sys.version.split()[0],
    }


# --------------------------------------------------------------------------
# mock BBB data

def _meeting_xml(i, attendees, info=False, room="room"):
    mid = MEETING_ID if info else "%s-%03d" % (room, i)
    parts = [
        "<meetingName>Room %d</meetingName>" % i,
        "<meetingID>%s</meetingID>" % mid,
        "<internalMeetingID>%040x-17000%08d</internalMeetingID>" % (0x183f0bf3a0982a127bdb81 * (i + 7), i),
        "<createTime>17000%08d</createTime>" % i,
        "<createDate>Tue Nov 14 22:13:20 UTC 2023</createDate>",
        "<voiceBridge>%05d</voiceBridge>" % (70000 + i),
        "<dialNumber>613-555-1234</dialNumber>",
        "<attendeePW>ap%06d</attendeePW>" % i,
        "<moderatorPW>mp%06d</moderatorPW>" % i,
        "<running>true</running>",
        "<duration>0</duration>",
        "<hasUserJoined>true</hasUserJoined>",
        "<recording>false</recording>",
        "<hasBeenForciblyEnded>false</hasBeenForciblyEnded>",
        "<startTime>17000%08d</startTime>" % (i + 17),
        "<endTime>0</endTime>",
        "<participantCount>%d</participantCount>" % attendees,
        "<listenerCount>0</listenerCount>",
        "<voiceParticipantCount>%d</voiceParticipantCount>" % attendees,
        "<videoCount>0</videoCount>",
        "<maxUsers>50</maxUsers>",
        "<moderatorCount>%d</moderatorCount>" % min(1, attendees),
        "<attendees>",
    ]
    for a in range(attendees):
        parts += [
            "<attendee>",
            "<userID>u-%d-%d</userID>" % (i, a),
            "<fullName>User %d of room %d</fullName>" % (a, i),
            "<role>%s</role>" % ("MODERATOR" if a == 0 else "VIEWER"),
            "<isPresenter>%s</isPresenter>" % ("true" if a == 0 else "false"),
            "<isListeningOnly>false</isListeningOnly>",
            "<hasJoinedVoice>true</hasJoinedVoice>",
            "<hasVideo>false</hasVideo>",
            "<clientType>HTML5</clientType>",
            "</attendee>",
        ]
    parts += [
        "</attendees>",
        "<metadata><bbb-origin>Moodle</bbb-origin><bbb-context>Course %d</bbb-context></metadata>" % i,
        "<isBreakout>false</isBreakout>",
    ]
    return "".join(parts)


def _recording_xml(i):
    """One <recording> in the shape bbb-web writes, about 2.1 KB."""
    rid = "%040x-17150%08d" % (0x5be50234e1c66bebcfce306edca2e3a65c2 * (i + 3), i)
    url = "https://bbb.example.com/presentation/%s/presentation/d2d9a672040fbde2a47a10bf6c37b6a4b5ae187f-%d/thumbnails" % (rid, i)
    return "".join([
        "<recording>",
        "<recordID>%s</recordID>" % rid,
        "<meetingID>course-%04d</meetingID>" % (i % 300),
        "<internalMeetingID>%s</internalMeetingID>" % rid,
        "<name>Lecture %d: Cells &amp; membranes</name>" % i,
        "<isBreakout>false</isBreakout>",
        "<published>true</published>",
        "<state>published</state>",
        "<startTime>17150%08d</startTime>" % i,
        "<endTime>17150%08d</endTime>" % (i + 3600000),
        "<participants>%d</participants>" % (i % 40),
        "<rawSize>%d</rawSize>" % (104857600 + i),
        "<metadata><bbb-origin>Moodle</bbb-origin><bbb-origin-version>4.3</bbb-origin-version>"
        "<bbb-context>Biology %d</bbb-context><bbb-recording-name>Lecture %d</bbb-recording-name>"
        "<gl-listed>true</gl-listed><isBreakout>false</isBreakout><meetingName>Course %d</meetingName>"
        "<meetingId>course-%04d</meetingId></metadata>" % (i % 300, i, i % 300, i % 300),
        "<breakout><parentId>unknown</parentId><sequence>0</sequence><freeJoin>false</freeJoin></breakout>",
        "<size>15728640</size>",
        "<playback>",
        "<format><type>presentation</type>"
        "<url>https://bbb.example.com/playback/presentation/2.3/%s</url>" % rid,
        "<processingTime>7177</processingTime><length>59</length><size>5242880</size>",
        "<preview><images>",
        "".join('<image alt="Slide %d" height="136" width="176">%s/thumb-%d.png</image>' % (k, url, k)
                for k in (1, 2, 3)),
        "</images></preview></format>",
        "<format><type>podcast</type><url>https://bbb.example.com/podcast/%s/audio.ogg</url>" % rid,
        "<processingTime>2051</processingTime><length>59</length><size>2097152</size></format>",
        "</playback>",
        "<data></data>",
        "</recording>",
    ])


def recordings_xml(n):
    """A getRecordings reply with n recordings (5,000: about 10.8 MB)."""
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><returncode>SUCCESS</returncode><recordings>"
            + "".join(_recording_xml(i) for i in range(n)) + "</recordings></response>")


def write_mock_data(d, meetings=100, recordings=5000, room="room", large=True):
    """Static replies for the nginx mock; returns {name: size in bytes}. room names the
    listed meetings (room-000, ...; a fleet's servers list their own); large=False leaves
    out the 1,000-recording reply."""
    files = {
        "isMeetingRunning.xml":
            "<response><returncode>SUCCESS</returncode><running>true</running></response>",
        "getMeetingInfo.xml":
            "<response><returncode>SUCCESS</returncode>" + _meeting_xml(1, 5, info=True) + "</response>",
        "getMeetings.xml":
            "<response><returncode>SUCCESS</returncode><meetings>"
            + "".join("<meeting>%s</meeting>" % _meeting_xml(i, i % 2, room=room) for i in range(meetings))
            + "</meetings></response>",
        "create.xml":
            "<response><returncode>SUCCESS</returncode><meetingID>bench-1</meetingID>"
            "<internalMeetingID>183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000</internalMeetingID>"
            "<parentMeetingID>bbb-none</parentMeetingID><attendeePW>ap</attendeePW><moderatorPW>mp</moderatorPW>"
            "<createTime>1700000000000</createTime><voiceBridge>70001</voiceBridge>"
            "<dialNumber>613-555-1234</dialNumber><createDate>Tue Nov 14 22:13:20 UTC 2023</createDate>"
            "<hasUserJoined>false</hasUserJoined><duration>0</duration>"
            "<hasBeenForciblyEnded>false</hasBeenForciblyEnded><messageKey></messageKey>"
            "<message></message></response>",
        "api.xml":
            "<response><returncode>SUCCESS</returncode><version>2.0</version>"
            "<apiVersion>2.0</apiVersion><bbbVersion>2.7.3</bbbVersion></response>",
        "getRecordings.xml": recordings_xml(recordings),
        # served for getRecordings?meetingID=r1000 (bench/run's large-reply case)
        "getRecordings-r1000.xml": recordings_xml(1000),
    }
    if not large:
        del files["getRecordings-r1000.xml"]
    sizes = {}
    for name, text in files.items():
        data = text.encode()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(d, name), 0o644)
        sizes[name] = len(data)
    return sizes


# --------------------------------------------------------------------------
# nginx mock and reference proxy

_NGX_COMMON = """\
worker_processes {workers};
daemon off;
master_process on;
pid {d}/{name}.pid;
error_log {d}/{name}.err warn;
worker_rlimit_nofile 16384;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  keepalive_requests 1000000;   # 1.22 defaults to 1000: wrk would reconnect mid-run
  keepalive_timeout 75s;
  client_body_temp_path {d}/{name}-body; proxy_temp_path {d}/{name}-proxy;
  fastcgi_temp_path {d}/{name}-fcgi; uwsgi_temp_path {d}/{name}-uwsgi; scgi_temp_path {d}/{name}-scgi;
"""


def _mock_server(port, root):
    """One mock BBB server block: the static replies in root, on port."""
    return """\
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    default_type application/xml;
    root {d};
    open_file_cache max=16; open_file_cache_valid 600s;
    location = /__status {{ stub_status; }}   # 'accepts' = TCP connects received
    location = /bigbluebutton/api {{ try_files /api.xml =500; }}
    location = /bigbluebutton/api/isMeetingRunning {{ return 200 '{running}'; }}
    location = /bigbluebutton/api/getMeetingInfo {{ try_files /getMeetingInfo.xml =500; }}
    location = /bigbluebutton/api/getMeetings {{ try_files /getMeetings.xml =500; }}
    location = /bigbluebutton/api/getRecordings {{
      try_files /getRecordings-$arg_meetingID.xml /getRecordings.xml =500;
    }}
    # create may be GET or POST; nginx discards a POST body for `return`
    location = /bigbluebutton/api/create {{ return 200 '{create}'; }}
    location / {{
      return 404 '<response><returncode>FAILED</returncode><messageKey>unsupportedRequest</messageKey></response>';
    }}
  }}
""".format(d=root, port=port, create=open(os.path.join(root, "create.xml")).read(),
           running=open(os.path.join(root, "isMeetingRunning.xml")).read())


def nginx_mock_conf(d, port, name="mock"):
    """A fast mock BBB: static XML replies; query strings (and checksums) ignored."""
    return _NGX_COMMON.format(workers=1, d=d, name=name) + _mock_server(port, d) + "}\n"


# --------------------------------------------------------------------------
# a fleet of mock BBB servers

FLEET_SERVERS = 3


def fleet_servers(ports, path="/bigbluebutton/api"):
    """The servers entries of a gateway in front of mock servers on ports: (name, url, secret),
    each server with a secret of its own."""
    return [("bbb%d" % (k + 1), "http://127.0.0.1:%d%s" % (port, path),
             "bench-secret-%d-0123456789abcdef" % (k + 1)) for k, port in enumerate(ports)]


def write_fleet_mock_data(d, n=FLEET_SERVERS, meetings=100):
    """Static replies of n mock servers, one directory each (<d>/bbb1, ...), each listing
    meetings of its own (bbb1-000, ...: as long as the one-server mock's room-000, so one
    server's getMeetings reply is as large as the one-server mock's). Returns the directories."""
    dirs = []
    for k in range(n):
        sd = os.path.join(d, "bbb%d" % (k + 1))
        os.makedirs(sd, exist_ok=True)
        os.chmod(sd, 0o755)
        write_mock_data(sd, meetings, recordings=10, room="bbb%d" % (k + 1), large=False)
        dirs.append(sd)
    return dirs


def nginx_fleet_mock_conf(d, ports, dirs, name="fleetmock"):
    """n fast mock BBB servers in one nginx (one worker): server k on ports[k], serving dirs[k]."""
    return (_NGX_COMMON.format(workers=1, d=d, name=name)
            + "".join(_mock_server(port, sd) for port, sd in zip(ports, dirs)) + "}\n")


# The tenant of the BBB-compatible API's scenarios: its name, prefix and secret.
FACADE_TENANT = "bench"
FACADE_SECRET = "bench-tenant-secret-0123456789abcdef0123"


def facade_config(port):
    """The tenant and facade groups of a gateway listening on port."""
    return ('tenants = ( { name = "%s"; meeting_prefix = "b~"; secret = "%s"; } );\n'
            'facade = { enabled = true; public_url = "http://127.0.0.1:%d"; };\n'
            % (FACADE_TENANT, FACADE_SECRET, port))


def facade_path(call, query):
    """A BBB-style request of the bench tenant, signed with SHA-1 as most BBB clients sign."""
    sum_ = hashlib.sha1((call + query + FACADE_SECRET).encode()).hexdigest()
    return "/%s/bigbluebutton/api/%s?%s&checksum=%s" % (FACADE_TENANT, call, query, sum_)


def nginx_proxy_conf(d, port, mock_port, workers=1):
    """The reference proxy hop: the gateway's REST paths mapped to BBB calls, proxy_pass."""
    return _NGX_COMMON.format(workers=workers, d=d, name="proxy") + """\
  upstream bbb_mock {{ server 127.0.0.1:{mock}; keepalive 64; keepalive_requests 1000000; }}
  proxy_http_version 1.1;
  proxy_set_header Connection "";   # upstream keep-alive
  proxy_connect_timeout 2s; proxy_send_timeout 10s; proxy_read_timeout 10s;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location = /v1/meetings {{
      if ($request_method = POST) {{ rewrite ^ /bigbluebutton/api/create break; }}
      rewrite ^ /bigbluebutton/api/getMeetings break;
      proxy_pass http://bbb_mock;
    }}
    location = /v1/recordings {{
      rewrite ^ /bigbluebutton/api/getRecordings break;
      proxy_pass http://bbb_mock;
    }}
    location ~ ^/v1/meetings/[^/]+/running$ {{
      rewrite ^ /bigbluebutton/api/isMeetingRunning?meetingID={mid} break;
      proxy_pass http://bbb_mock;
    }}
    location ~ ^/v1/meetings/[^/]+$ {{
      rewrite ^ /bigbluebutton/api/getMeetingInfo?meetingID={mid} break;
      proxy_pass http://bbb_mock;
    }}
    # the BBB-compatible API's reference: BBB's own paths passed on as they are
    location /{tenant}/bigbluebutton/api/ {{
      rewrite ^/{tenant}(/.*)$ $1 break;
      proxy_pass http://bbb_mock;
    }}
    location = /healthz {{ return 200 'ok'; }}
  }}
}}
""".format(port=port, mock=mock_port, mid=MEETING_ID, tenant=FACADE_TENANT)


class Nginx:
    def __init__(self, d, name, conf_text, port):
        self.d, self.name, self.port = d, name, port
        self.conf = os.path.join(d, name + ".conf")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        self.logfile = os.path.join(d, name + ".out")
        self.proc = None

    def start(self, probe):
        self.proc = spawn(["nginx", "-p", self.d, "-c", self.conf, "-e", os.path.join(self.d, self.name + ".err")],
                          self.logfile)
        wait_http(self.port, probe, self.proc, logfile=os.path.join(self.d, self.name + ".err"))
        return self

    def workers(self):
        w = children_of(self.proc.pid)
        if not w:
            raise BenchError("%s: no worker processes" % self.name)
        return w

    def stop(self):
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


def mock_accepts(port):
    """nginx stub_status 'accepts' (includes this very probe)."""
    _, _, body = http_get(port, "/__status")
    lines = body.decode().splitlines()
    return int(lines[2].split()[0])


# --------------------------------------------------------------------------
# the gateway

def mint_token(d):
    out = run([GW_BIN, "token", "new", "bench", "--scopes", "*"], 30)
    tok = re.search(r"bgw_[A-Za-z0-9_-]+", out)
    h = re.search(r"sha256:[0-9a-f]+", out)
    if not tok or not h:
        raise BenchError("cannot parse `bbb-gateway token new` output:\n" + out)
    return tok.group(0), h.group(0)


class Gateway:
    """bbb-gateway with a config written the way scripts/demo does it."""

    def __init__(self, d, name, port, bbb_url, token_hash, access_log=False, bbb_max_connections=64,
                 max_connections=1000, extra="", limits=None, binary=None, servers=None, threads=None):
        """servers: a fleet, [(name, url, secret), ...] (fleet_servers) instead of the lone
        bbb group's bbb_url (then None); threads: listen.threads (None: one per core)."""
        self.d, self.name, self.port = d, name, port
        self.binary = binary
        self.conf = os.path.join(d, name + ".conf")
        self.logfile = os.path.join(d, name + ".log")
        if servers:
            lone = ""
            fleet = "servers = (\n%s\n);\n" % ",\n".join(
                '  { name = "%s"; url = "%s"; secret = "%s"; }' % s for s in servers)
        else:
            lone = 'url = "%s"; secret = "bench-secret-0123456789abcdef"; ' % bbb_url
            fleet = ""
        with open(self.conf, "w") as f:
            f.write("""# written by bench/ for one benchmark run
listen = {{ address = "127.0.0.1"; port = {port};{threads} }};
limits = {{ max_connections = {maxc}; {limits} }};
bbb = {{ {lone}checksum = "sha256";
        max_connections = {bmax}; {bbbx} }};
{fleet}tokens = ( {{ name = "bench"; hash = "{h}"; scopes = [ "*" ]; }} );
log = {{ level = "info"; access = {acc}; }};
{extra}
""".format(port=port, threads="" if threads is None else " threads = %d;" % threads, maxc=max_connections, lone=lone, fleet=fleet, bmax=bbb_max_connections, bbbx=GW_BBB,
           h=token_hash, acc="true" if access_log else "false", extra=extra,
           limits=GW_LIMITS if limits is None else limits))
        self.proc = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("BBB_GATEWAY_")}
        binary = self.binary or GW_BIN
        run([binary, "--check-config", "-c", self.conf], 30, env=env)
        self.proc = spawn([binary, "-c", self.conf], self.logfile, env=env)
        wait_http(self.port, "/healthz", self.proc, logfile=self.logfile)
        return self

    def pid(self):
        if self.proc is None or self.proc.poll() is not None:
            raise BenchError("gateway %s is not running (log: %s)" % (self.name, self.logfile))
        return self.proc.pid

    def stop(self):
        if self.proc is not None:
            p = self.proc
            self.proc = None
            stop(p, grace=15)
            if p.returncode not in (0, -signal.SIGTERM):
                raise BenchError("gateway %s exited with %s (log: %s)" % (self.name, p.returncode, self.logfile))


def check_json(port, path, token, method="GET", body=None, want=(200,), key=None):
    """One request before a run: right status, JSON body (with key if given)."""
    hdr = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    if body is not None:
        hdr["Content-Type"] = "application/json"
    st, _, data = http_get(port, path, hdr, method=method, body=body)
    if st not in want:
        raise BenchError("%s %s on :%d gave %d: %s" % (method, path, port, st, data[:300]))
    if key is not None:
        try:
            obj = json.loads(data)
        except ValueError:
            raise BenchError("%s %s: not JSON: %r" % (method, path, data[:200]))
        if key not in obj:
            raise BenchError("%s %s: no %r in %s" % (method, path, key, data[:300]))
    return data


def make_workdir():
    d = tempfile.mkdtemp(prefix="bbb-bench.")
    os.chmod(d, 0o755)  # nginx workers (www-data) read the mock replies from here
    _dirs.append(d)
    return d

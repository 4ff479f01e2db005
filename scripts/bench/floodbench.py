#!/usr/bin/env python3
"""Helper of scripts/bench-flood.sh (Python 3 standard library only).

Subcommands (progress to stderr):
  monitor --url U --pid P --out F   until SIGTERM: GET /versions every 100-200 ms on a new connection, and
                                    VmRSS/VmHWM of P every 0.5 s; one JSON line per probe / sample to F
  run --url U --pid P --data-dir D --results F ...
                                    the phases (baseline, json-trickle, cut-uploads, create-flood, after)
                                    against one Glint, with a monitor process alongside; one JSON line per
                                    phase, then a summary line with the broken targets, to F
  report --results F --info F       print the Markdown report; exit 3 if a target was broken

All traffic goes to 127.0.0.1 (the URL must name a loopback address).
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

CLK = int(os.environ.get("BENCH_CLK_TCK") or os.sysconf("SC_CLK_TCK"))
MIB = 1 << 20
STATUS_RE = re.compile(rb"HTTP/1\.[01] (\d{3})")


def log(msg):
    print("# " + msg, file=sys.stderr, flush=True)


def die(msg):
    print("floodbench: " + msg, file=sys.stderr, flush=True)
    sys.exit(2)


def identity(project, roles="member"):
    return {"X-Identity-Status": "Confirmed", "X-Project-Id": project, "X-User-Id": "u", "X-Roles": roles}


def loopback(url):
    u = urllib.parse.urlsplit(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        die("only loopback targets are allowed, not %s" % u.hostname)
    return "127.0.0.1" if u.hostname == "localhost" else u.hostname, u.port or 80


# ----------------------------------------------------------------------------- /proc

# The /proc readers are the metadata benchmark's: proc_stat(pid) -> (ticks, children's ticks, starttime, ppid),
# mem_kb(pid, key) -> that line of /proc/<pid>/status in KiB.
from metabench import mem_kb, proc_stat  # noqa: E402  (same directory)


def tree_ticks(root):
    """CPU ticks of root, its live children and its reaped children (PostgreSQL: postmaster + backends)."""
    st = proc_stat(root)
    if st is None:
        return 0
    total = st[0] + st[1]
    for p in os.listdir("/proc"):
        if p.isdigit():
            s = proc_stat(int(p))
            if s and s[3] == root:
                total += s[0]
    return total


def machine_busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]) - v[3] - v[4]


class Cpu:
    """CPU seconds of Glint, its PostgreSQL, this load generator (and its monitor) and the whole machine."""

    def __init__(self, pid, pg):
        self.pid, self.pg = pid, pg

    def snap(self):
        g = proc_stat(self.pid)
        me = os.times()
        return {"glint": (g[0] if g else 0) / CLK, "pg": tree_ticks(self.pg) / CLK if self.pg else 0.0,
                "client": me.user + me.system + me.children_user + me.children_system,
                "machine": machine_busy_ticks() / CLK}

    @staticmethod
    def delta(a, b):
        return {k + "_cpu_s": round(b[k] - a[k], 3) for k in a}


# ----------------------------------------------------------------------------- monitor

def cmd_monitor(a):
    host, port = loopback(a.url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    out = open(a.out, "a", buffering=1)
    lock = threading.Lock()

    def emit(obj):
        with lock:
            out.write(json.dumps(obj) + "\n")

    def prober():
        rnd = random.Random(7)
        while not stop.is_set():
            t = time.time()
            t0 = time.monotonic()
            st = None
            try:
                c = http.client.HTTPConnection(host, port, timeout=a.timeout)
                c.request("GET", "/versions")
                r = c.getresponse()
                r.read()
                st = r.status
                c.close()
            except socket.timeout:
                st = "timeout"
            except (OSError, http.client.HTTPException) as e:
                st = "error:" + e.__class__.__name__
            emit({"k": "p", "t": t, "lat": round(time.monotonic() - t0, 6), "st": st})
            stop.wait(rnd.uniform(a.min_interval, a.max_interval))

    threading.Thread(target=prober, daemon=True).start()
    while not stop.is_set():
        rss, hwm = mem_kb(a.pid, "VmRSS"), mem_kb(a.pid, "VmHWM")
        emit({"k": "m", "t": time.time(), "rss_kb": rss, "hwm_kb": hwm})
        stop.wait(a.mem_interval)
    out.close()


# ----------------------------------------------------------------------------- raw HTTP

class Target:
    def __init__(self, url):
        self.host, self.port = loopback(url)
        self.url = url

    def connect(self, timeout):
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def head(self, method, path, headers):
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (self.host, self.port)]
        lines += ["%s: %s" % kv for kv in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(s, timeout):
    """Reads a response's status line. Returns the status ("413"), or "closed" (EOF, no answer), "reset"
    (connection reset, no answer), "hang" (nothing within timeout), "garbled"."""
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while b"\r\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return "hang"
            s.settimeout(left)
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        return "hang" if not buf else "garbled"
    except ConnectionResetError:
        if not buf:
            return "reset"
    except OSError:
        if not buf:
            return "reset"
    if not buf:
        return "closed"
    m = STATUS_RE.match(buf)
    return m.group(1).decode() if m else "garbled"


def readable(s, wait):
    try:
        r, _, _ = select.select([s], [], [], wait)
        return bool(r)
    except (OSError, ValueError):
        return True


def close_rst(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def get(self):
        with self.lock:
            return dict(sorted(self.counts.items()))


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


# ----------------------------------------------------------------------------- keep-alive JSON client

class Client:
    """One keep-alive connection; reconnects on a broken connection (one retry for idempotent use only)."""

    def __init__(self, target, headers, timeout):
        self.t, self.headers, self.timeout = target, dict(headers), timeout
        self.conn = None

    def req(self, method, path, obj=None):
        h = dict(self.headers)
        body = None
        if obj is not None:
            body = json.dumps(obj).encode()
            h["Content-Type"] = "application/json"
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.t.host, self.t.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
            data = r.read()
            if r.will_close:
                self.conn.close()
                self.conn = None
            return r.status, data
        except socket.timeout:
            self.close()
            return "timeout", b""
        except (http.client.HTTPException, OSError) as e:
            self.close()
            return "error:" + e.__class__.__name__, b""

    def json(self, method, path, obj=None, expect=(200,)):
        st, data = self.req(method, path, obj)
        if st not in expect:
            raise RuntimeError("%s %s -> %s: %s" % (method, path, st, data[:300].decode(errors="replace")))
        return json.loads(data) if data else None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def list_images(target, project):
    c = Client(target, identity(project), 30)
    out, path = [], "/v2/images?limit=1000"
    while path:
        page = c.json("GET", path)
        out += page["images"]
        path = page.get("next")
    c.close()
    return out


# ----------------------------------------------------------------------------- phases

class Runner:
    def __init__(self, a):
        self.a = a
        self.t = Target(a.url)
        self.cpu = Cpu(a.pid, a.pg)
        self.phases = []
        self.violations = []

    # -- bookkeeping
    def begin(self, name):
        log("phase %s" % name)
        return {"phase": name, "t0": time.time(), "cpu0": self.cpu.snap()}

    def end(self, ph, **extra):
        ph["t1"] = time.time()
        ph.update(Cpu.delta(ph.pop("cpu0"), self.cpu.snap()))
        ph["wall_s"] = round(ph["t1"] - ph["t0"], 2)
        ph.update(extra)
        self.phases.append(ph)
        return ph

    def alive(self):
        if proc_stat(self.a.pid) is None:
            die("Glint (pid %d) is gone" % self.a.pid)

    # -- 1 / 5
    def idle(self, name, seconds):
        ph = self.begin(name)
        time.sleep(seconds)
        self.end(ph, answers={})

    # -- 2
    def json_trickle(self):
        a = self.a
        size, chunk, interval = a.json_size, a.json_chunk, a.json_interval_ms / 1000.0
        prefix = b'{"name": "trickle", "disk_format": "raw", "container_format": "bare", "description": "'
        body = prefix + b"x" * (size - len(prefix) - 2) + b'"}'
        assert len(body) == size
        tally, lifetimes, bytes_sent = Tally(), [], [0]
        lock = threading.Lock()
        ph = self.begin("json-trickle")
        deadline = time.monotonic() + a.duration

        def one(chunked, clock):
            """One request. The client sends one step (the head with the first piece of body, or a further
            piece) per tick of `interval`, also across requests: a client answered at once (413 on
            Content-Length) sends its next request at its next tick, never faster."""
            hdr = identity("flood-json")
            hdr["Content-Type"] = "application/json"
            if chunked:
                hdr["Transfer-Encoding"] = "chunked"
            else:
                hdr["Content-Length"] = str(size)

            def frame(sent):
                n = min(chunk, size - sent)
                data = body[sent:sent + n]
                return ((b"%x\r\n" % n + data + b"\r\n") if chunked else data), n

            def tick(sock):
                """Waits for the client's next tick; True if the server answered or closed meanwhile."""
                wait = clock[0] - time.monotonic()
                if sock is not None:
                    if readable(sock, max(0.0, wait)):
                        return True
                elif wait > 0:
                    time.sleep(wait)
                clock[0] = max(clock[0], time.monotonic()) + interval
                return False

            tick(None)
            t0 = time.monotonic()
            sent = 0
            try:
                s = self.t.connect(a.answer_timeout)
            except OSError as e:
                return "connect-error:" + e.__class__.__name__, 0, 0.0
            try:
                s.settimeout(a.answer_timeout)
                try:
                    data, sent = frame(0)
                    s.sendall(self.t.head("POST", "/v2/images", hdr) + data)
                    while sent < size:
                        if tick(s):
                            return read_answer(s, a.answer_timeout), sent, time.monotonic() - t0
                        data, k = frame(sent)
                        s.sendall(data)
                        sent += k
                    if chunked:
                        s.sendall(b"0\r\n\r\n")
                except socket.timeout:
                    return "hang(send-blocked)", sent, time.monotonic() - t0
                except OSError:
                    pass  # the server closed or reset: its answer may still be readable
                return read_answer(s, a.answer_timeout), sent, time.monotonic() - t0
            finally:
                s.close()

        def client(i):
            chunked = i % 2 == 0
            kind = "chunked" if chunked else "content-length"
            clock = [time.monotonic() + random.Random(i).uniform(0, interval)]  # spread the clients' ticks
            while time.monotonic() < deadline:
                outcome, sent, life = one(chunked, clock)
                tally.add(outcome)
                tally.add("%s %s" % (kind, outcome))
                with lock:
                    lifetimes.append(life)
                    bytes_sent[0] += sent

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(a.json_clients)]
        for th in threads:
            th.start()
        hard = deadline + size / (chunk / interval) + 2 * a.answer_timeout + 5
        for th in threads:
            th.join(max(0.0, hard - time.monotonic()))
        stuck = sum(th.is_alive() for th in threads)
        counts = tally.get()
        answers = {k: v for k, v in counts.items() if " " not in k}
        by_kind = {k: v for k, v in counts.items() if " " in k}
        self.end(ph, answers=answers, by_kind=by_kind, requests=sum(answers.values()),
                 max_conn_s=round(max(lifetimes), 3) if lifetimes else None,
                 p99_conn_s=round(percentile(lifetimes, 99), 3) if lifetimes else None,
                 body_mib_sent=round(bytes_sent[0] / MIB, 1), stuck_clients=stuck,
                 clients=a.json_clients, body_size=size, chunk=chunk, interval_ms=a.json_interval_ms)
        self.alive()

    # -- 3
    CUT_MODES = ["close-after-head", "close-mid-body", "rst-mid-body", "chunked-bad-hex", "chunked-no-crlf",
                 "half-close-mid-body", "chunked-close-mid-body"]
    WAITS_FOR_ANSWER = {"chunked-bad-hex", "chunked-no-crlf", "half-close-mid-body"}

    def cut_uploads(self):
        a = self.a
        n, size = a.uploads, a.upload_size
        project = "flood-up"
        log("creating %d images (raw/bare) for the uploads and generating an %d-byte payload" % (n, size))
        base = os.urandom(size)
        ids = [None] * n

        def create(k):
            c = Client(self.t, identity(project), 30)
            for i in range(k, n, 8):
                img = c.json("POST", "/v2/images", {"name": "flood-up-%03d" % i, "disk_format": "raw",
                                                    "container_format": "bare"}, expect=(201,))
                ids[i] = img["id"]
            c.close()

        ths = [threading.Thread(target=create, args=(k,)) for k in range(8)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        if None in ids:
            die("could not create the upload images")
        rnd = random.Random(1234)
        plan = []  # (index, mode, chunked, cut byte, prefix)
        complete_every = n / max(1, n - a.cut) if a.cut < n else None
        complete_idx = set()
        if complete_every:
            complete_idx = {int(k * complete_every) for k in range(n - a.cut)}
        mode_i = complete_k = 0
        for i in range(n):
            prefix = b"%08d" % i
            if i in complete_idx:
                plan.append((i, "complete", complete_k % 2 == 1, None, prefix))  # every other one chunked
                complete_k += 1
            else:
                mode = self.CUT_MODES[mode_i % len(self.CUT_MODES)]
                mode_i += 1
                plan.append((i, mode, mode.startswith("chunked"), rnd.randint(size // 20, size * 19 // 20),
                             prefix))
        md5s = {}
        tail_view = memoryview(base)[8:]
        for i, mode, _, _, prefix in plan:
            if mode == "complete":
                h = hashlib.md5(prefix)
                h.update(tail_view)
                md5s[i] = h.hexdigest()
        results = [None] * n
        socks = [None] * n
        waits = [None] * n  # seconds from the cut to the server's answer or close (modes that wait for it)
        barrier = threading.Barrier(n + 1)
        batch = 256 * 1024

        def send_body(s, chunked, prefix, upto):
            """Sends the payload's bytes [0, upto) (framed as chunks of `batch` if chunked)."""
            view = memoryview(prefix + bytes(tail_view[:batch - 8]))  # first batch carries the prefix
            pos = 0
            while pos < upto:
                m = min(batch, upto - pos)
                data = view[:m] if pos == 0 else tail_view[pos - 8:pos - 8 + m]
                if chunked:
                    s.sendall(b"%x\r\n" % m)
                    s.sendall(data)
                    s.sendall(b"\r\n")
                else:
                    s.sendall(data)
                pos += m

        def upload(i, mode, chunked, cut, prefix):
            hdr = identity(project)
            hdr["Content-Type"] = "application/octet-stream"
            if chunked:
                hdr["Transfer-Encoding"] = "chunked"
            else:
                hdr["Content-Length"] = str(size)
            t0 = None
            answer = "n/a"
            try:
                s = self.t.connect(a.duration)
                socks[i] = s
            except OSError as e:
                barrier.wait()
                results[i] = {"i": i, "mode": mode, "answer": "connect-error:" + e.__class__.__name__, "s": 0}
                return
            try:
                barrier.wait()
                t0 = time.monotonic()
                phase_end = t0 + a.duration

                def wait_answer():
                    """Waits for the server's answer or close after the cut: until the phase's end, at least
                    answer_timeout (the server may not read a paused upload's last bytes before then)."""
                    t_cut = time.monotonic()
                    ans = read_answer(s, max(a.answer_timeout, phase_end - t_cut))
                    waits[i] = round(time.monotonic() - t_cut, 3)
                    return ans

                s.settimeout(a.duration)
                s.sendall(self.t.head("PUT", "/v2/images/%s/file" % ids[i], hdr))
                if mode == "complete":
                    send_body(s, chunked, prefix, size)
                    if chunked:
                        s.sendall(b"0\r\n\r\n")
                    answer = read_answer(s, max(a.answer_timeout, phase_end - time.monotonic()))
                elif mode == "close-after-head":
                    time.sleep(0.02)
                    s.close()
                    answer = "client-closed"
                elif mode in ("close-mid-body", "chunked-close-mid-body"):
                    send_body(s, chunked, prefix, cut)
                    s.close()
                    answer = "client-closed"
                elif mode == "rst-mid-body":
                    send_body(s, chunked, prefix, cut)
                    close_rst(s)
                    answer = "client-reset"
                elif mode == "chunked-bad-hex":
                    send_body(s, True, prefix, cut)
                    s.sendall(b"zz1g\r\n" + bytes(tail_view[:4096]))
                    answer = wait_answer()
                elif mode == "chunked-no-crlf":
                    send_body(s, True, prefix, cut)
                    s.sendall(b"%x\r\n" % 4096 + bytes(tail_view[:4096]) + b"XX" + bytes(tail_view[:4096]))
                    answer = wait_answer()
                elif mode == "half-close-mid-body":
                    send_body(s, False, prefix, cut)
                    s.shutdown(socket.SHUT_WR)
                    answer = wait_answer()
            except socket.timeout:
                answer = "hang(send-blocked)"
            except OSError as e:
                # the server closed or reset the connection while we were sending
                if mode in ("complete",) or mode in self.WAITS_FOR_ANSWER:
                    try:
                        answer = read_answer(s, 2)
                    except Exception:  # noqa: BLE001
                        answer = "reset"
                    answer = "send-failed(%s)/%s" % (e.__class__.__name__, answer)
                else:
                    answer = "send-failed(%s)" % e.__class__.__name__
            finally:
                try:
                    s.close()
                except OSError:
                    pass
            results[i] = {"i": i, "mode": mode, "chunked": chunked, "cut": cut, "answer": answer,
                          "s": round(time.monotonic() - (t0 or time.monotonic()), 3), "wait_s": waits[i]}

        ph = self.begin("cut-uploads")
        threads = [threading.Thread(target=upload, args=p, daemon=True) for p in plan]
        for th in threads:
            th.start()
        barrier.wait()
        t_go = time.monotonic()
        hard = t_go + a.duration + a.answer_timeout + 5
        for th in threads:
            th.join(max(0.0, hard - time.monotonic()))
        stuck = 0
        for i, th in enumerate(threads):
            if th.is_alive():
                stuck += 1
                if socks[i] is not None:
                    try:
                        socks[i].close()
                    except OSError:
                        pass
        t_done = time.monotonic()
        clients_s = round(t_done - t_go, 2)
        # the state within settle_s after the last client finished
        settle_deadline = t_done + a.settle_s
        by_id = {ids[r["i"]]: r for r in results if r}
        while True:
            images = {img["id"]: img for img in list_images(self.t, project) if img["id"] in set(ids)}
            incoming_dir = os.path.join(a.data_dir, "images", ".incoming")
            try:
                incoming = len(os.listdir(incoming_dir))
            except OSError:
                incoming = None
            statuses = {}
            bad_complete, bad_cut = [], []
            for idx, image_id in enumerate(ids):
                img = images.get(image_id)
                st = img["status"] if img else "missing"
                statuses[st] = statuses.get(st, 0) + 1
                mode = plan[idx][1]
                if mode == "complete":
                    ok = img and st == "active" and img.get("checksum") == md5s[idx] and img.get("size") == size
                    if not ok:
                        bad_complete.append({"i": idx, "id": image_id, "status": st, "checksum": img and img.get("checksum"),
                                             "expected": md5s[idx], "size": img and img.get("size"),
                                             "answer": results[idx] and results[idx]["answer"]})
                elif st != "queued":
                    bad_cut.append({"i": idx, "id": image_id, "mode": mode, "status": st,
                                    "answer": results[idx] and results[idx]["answer"]})
            settled = (statuses.get("saving", 0) == 0 and not bad_complete and not bad_cut and incoming == 0)
            if settled or time.monotonic() >= settle_deadline:
                break
            time.sleep(0.1)
        settle_after = round(time.monotonic() - t_done, 2)
        modes = {}
        for r in results:
            if not r:
                continue
            m = modes.setdefault(r["mode"], {"n": 0, "answers": {}, "final": {}, "max_wait_s": None})
            if r.get("wait_s") is not None:
                m["max_wait_s"] = max(m["max_wait_s"] or 0, r["wait_s"])
            m["n"] += 1
            m["answers"][r["answer"]] = m["answers"].get(r["answer"], 0) + 1
            img = images.get(ids[r["i"]])
            fs = img["status"] if img else "missing"
            m["final"][fs] = m["final"].get(fs, 0) + 1
        answers = {}
        for r in results:
            if r:
                key = r["answer"]
                answers[key] = answers.get(key, 0) + 1
        complete_ok = sum(1 for i, mode, *_ in plan if mode == "complete") - len(bad_complete)
        durations = [r["s"] for r in results if r and r["mode"] == "complete"]
        self.end(ph, answers=dict(sorted(answers.items())), uploads=n, cut=n - len(md5s), complete=len(md5s),
                 upload_size=size, modes=modes, final_status=statuses, incoming_files=incoming,
                 complete_ok=complete_ok, bad_complete=bad_complete[:10], bad_cut=bad_cut[:10],
                 bad_cut_count=len(bad_cut), settled=settled, settle_s=settle_after, clients_s=clients_s,
                 stuck_clients=stuck,
                 complete_upload_s_max=max(durations) if durations else None,
                 store_files=len([f for f in os.listdir(os.path.join(a.data_dir, "images"))
                                  if not f.startswith(".")]))
        self.alive()

    # -- 4
    def create_flood(self):
        a = self.a
        tally = Tally()
        lats = []
        lock = threading.Lock()
        distros = [("ubuntu", "24.04"), ("debian", "12"), ("centos", "9"), ("fedora", "40"), ("cirros", "0.6.2")]
        ph = self.begin("create-flood")
        deadline = time.monotonic() + a.duration

        def client(k):
            c = Client(self.t, identity("flood-cd"), a.answer_timeout)
            i = 0
            mine = []
            while time.monotonic() < deadline:
                distro, ver = distros[(k + i) % len(distros)]
                body = {"name": "flood-%s-%s-%d-%d" % (distro, ver, k, i), "disk_format": "qcow2",
                        "container_format": "bare", "visibility": "private", "min_disk": 10, "min_ram": 512,
                        "tags": ["flood", distro, "lts" if i % 2 else "test"], "os_distro": distro,
                        "os_version": ver, "architecture": "x86_64", "hw_disk_bus": "virtio",
                        "hw_qemu_guest_agent": "yes"}
                i += 1
                t0 = time.monotonic()
                st, data = c.req("POST", "/v2/images", body)
                l1 = time.monotonic() - t0
                tally.add("POST %s" % st)
                if st != 201:
                    if not isinstance(st, int):
                        time.sleep(0.05)
                    with lock:
                        lats.append(l1)
                    continue
                image_id = json.loads(data)["id"]
                t0 = time.monotonic()
                st, _ = c.req("DELETE", "/v2/images/" + image_id)
                l2 = time.monotonic() - t0
                tally.add("DELETE %s" % st)
                if st != 204:
                    mine.append(image_id)
                with lock:
                    lats.extend((l1, l2))
            c.close()

        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(a.create_clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(max(0.0, deadline + a.answer_timeout + 5 - time.monotonic()))
        stuck = sum(th.is_alive() for th in threads)
        counts = tally.get()
        left = len(list_images(self.t, "flood-cd"))
        wall = time.time() - ph["t0"]
        pairs = min(counts.get("POST 201", 0), counts.get("DELETE 204", 0))
        answers = {}
        for k, v in counts.items():
            st = k.split(" ", 1)[1]
            answers[st] = answers.get(st, 0) + v
        self.end(ph, answers=dict(sorted(answers.items())), by_kind=counts, pairs=pairs,
                 pairs_per_s=round(pairs / wall, 1) if wall else None, leftover_images=left,
                 clients=a.create_clients, stuck_clients=stuck,
                 req_p50_ms=round(1000 * percentile(lats, 50), 1) if lats else None,
                 req_p99_ms=round(1000 * percentile(lats, 99), 1) if lats else None,
                 req_max_ms=round(1000 * max(lats), 1) if lats else None)
        self.alive()

    # -- monitor data
    def attach_monitor(self, path):
        probes, mems = [], []
        with open(path) as f:
            for line in f:
                if line.strip():
                    try:
                        o = json.loads(line)
                    except ValueError:
                        continue
                    (probes if o["k"] == "p" else mems).append(o)
        for ph in self.phases:
            lo, hi = ph["t0"], ph["t1"]
            ps = [p for p in probes if lo <= p["t"] <= hi]
            lat = [p["lat"] for p in ps]
            bad = {}
            for p in ps:
                if p["st"] != 200:
                    bad[str(p["st"])] = bad.get(str(p["st"]), 0) + 1
            ph["probes"] = {"n": len(ps), "p50_ms": round(1000 * percentile(lat, 50), 1) if lat else None,
                            "p99_ms": round(1000 * percentile(lat, 99), 1) if lat else None,
                            "worst_ms": round(1000 * max(lat), 1) if lat else None, "not_200": bad}
            ms = [m for m in mems if lo <= m["t"] <= hi and m["rss_kb"]]
            ph["rss"] = {"n": len(ms), "max_mib": round(max(m["rss_kb"] for m in ms) / 1024, 1) if ms else None,
                         "last_mib": round(ms[-1]["rss_kb"] / 1024, 1) if ms else None,
                         "hwm_mib": round(ms[-1]["hwm_kb"] / 1024, 1) if ms and ms[-1]["hwm_kb"] else None}
        all_rss = [m["rss_kb"] for m in mems if m["rss_kb"]]
        all_hwm = [m["hwm_kb"] for m in mems if m["hwm_kb"]]
        return {"samples": len(all_rss), "probes": len(probes),
                "rss_max_mib": round(max(all_rss) / 1024, 1) if all_rss else None,
                "hwm_mib": round(max(all_hwm) / 1024, 1) if all_hwm else None}

    def judge(self, overall):
        a = self.a
        v = self.violations
        for ph in self.phases:
            name = ph["phase"]
            w = ph["probes"]["worst_ms"]
            if w is not None and w > a.max_latency_ms:
                v.append("%s: worst GET /versions %.0f ms > %d ms" % (name, w, a.max_latency_ms))
            if ph["probes"]["not_200"]:
                v.append("%s: GET /versions not 200: %s" % (name, ph["probes"]["not_200"]))
            for st, cnt in ph.get("answers", {}).items():
                code = re.search(r"\b(5\d\d)\b", st)
                if code and code.group(1) != "503":
                    v.append("%s: %d answers %s (5xx other than 503)" % (name, cnt, st))
                if "hang" in st:
                    v.append("%s: %d connections got neither an answer nor a close in time (%s)" % (name, cnt, st))
            if ph.get("stuck_clients"):
                v.append("%s: %d client threads still running at the phase's hard deadline"
                         % (name, ph["stuck_clients"]))
            if ph["rss"]["max_mib"] is not None and ph["rss"]["max_mib"] > a.rss_limit_mib:
                v.append("%s: RSS %.0f MiB > %d MiB" % (name, ph["rss"]["max_mib"], a.rss_limit_mib))
            if name == "cut-uploads":
                if ph["final_status"].get("saving"):
                    v.append("cut-uploads: %d images left in saving" % ph["final_status"]["saving"])
                if ph["incoming_files"] != 0:
                    v.append("cut-uploads: %s files left in .incoming" % ph["incoming_files"])
                if ph["complete_ok"] != ph["complete"]:
                    v.append("cut-uploads: %d of %d complete uploads not active with the right checksum and size"
                             % (ph["complete"] - ph["complete_ok"], ph["complete"]))
                if ph["bad_cut_count"]:
                    v.append("cut-uploads: %d cut uploads not back to queued" % ph["bad_cut_count"])
        if overall["rss_max_mib"] is not None and overall["rss_max_mib"] > a.rss_limit_mib:
            v.append("RSS sampled at %.0f MiB > %d MiB at some point" % (overall["rss_max_mib"], a.rss_limit_mib))
        if overall["hwm_mib"] is not None and overall["hwm_mib"] > a.rss_limit_mib:
            v.append("VmHWM (peak RSS) %.0f MiB > %d MiB" % (overall["hwm_mib"], a.rss_limit_mib))


def wait_quiet(max_wait, below):
    """Waits up to max_wait s for a 1-s window in which the whole machine is below `below` % of one core busy
    (Glint idles meanwhile, so this waits out other users' bursts)."""
    deadline = time.monotonic() + max_wait
    while True:
        b0 = machine_busy_ticks()
        time.sleep(1)
        busy = 100.0 * (machine_busy_ticks() - b0) / CLK
        if busy < below:
            return
        if time.monotonic() >= deadline:
            log("machine still %.0f %% busy after waiting %d s: starting anyway" % (busy, max_wait))
            return


PHASES = ["baseline", "json-trickle", "cut-uploads", "create-flood", "after"]


def cmd_run(a):
    for name in a.phases.split():
        if name not in PHASES:
            die("unknown phase %r (%s)" % (name, ", ".join(PHASES)))
    a.json_size, a.json_chunk, a.upload_size = int(a.json_size), int(a.json_chunk), int(a.upload_size)
    if a.cut > a.uploads:
        die("--cut > --uploads")
    r = Runner(a)
    mon_path = a.results + ".monitor"
    open(mon_path, "w").close()
    mon = subprocess.Popen([sys.executable, os.path.abspath(__file__), "monitor", "--url", a.url, "--pid",
                            str(a.pid), "--out", mon_path, "--timeout", str(a.answer_timeout)])
    try:
        if a.quiet_wait > 0:
            wait_quiet(a.quiet_wait, 50.0)
        time.sleep(0.5)  # its first probe and sample
        for name in a.phases.split():
            {"baseline": lambda: r.idle("baseline", a.baseline), "json-trickle": r.json_trickle,
             "cut-uploads": r.cut_uploads, "create-flood": r.create_flood,
             "after": lambda: r.idle("after", a.after)}[name]()
    finally:
        mon.send_signal(signal.SIGTERM)
        try:
            mon.wait(15)
        except subprocess.TimeoutExpired:
            mon.kill()
    overall = r.attach_monitor(mon_path)
    r.judge(overall)
    with open(a.results, "a") as f:
        for ph in r.phases:
            f.write(json.dumps(ph) + "\n")
        f.write(json.dumps({"phase": "summary", "overall": overall, "violations": r.violations,
                            "targets": {"max_latency_ms": a.max_latency_ms, "rss_limit_mib": a.rss_limit_mib,
                                        "answer_timeout_s": a.answer_timeout, "settle_s": a.settle_s}}) + "\n")
    for ph in r.phases:
        log("%-13s answers %s  /versions p99 %s ms worst %s ms  RSS max %s last %s MiB"
            % (ph["phase"], ph.get("answers"), ph["probes"]["p99_ms"], ph["probes"]["worst_ms"],
               ph["rss"]["max_mib"], ph["rss"]["last_mib"]))
    for x in r.violations:
        log("TARGET BROKEN: " + x)


# ----------------------------------------------------------------------------- report

def fmt_answers(d):
    if not d:
        return "–"
    return ", ".join("%s × %s" % (v, k) for k, v in sorted(d.items(), key=lambda kv: -kv[1]))


def n(v, nd=0):
    return "n/a" if v is None else ("%." + str(nd) + "f") % v


def cmd_report(a):
    rows, summary = [], None
    with open(a.results) as fh:
        for line in fh:
            if line.strip():
                o = json.loads(line)
                if o["phase"] == "summary":
                    summary = o
                else:
                    rows.append(o)
    info = {}
    with open(a.info) as fh:
        for line in fh:
            k, sep, v = line.rstrip("\n").partition("=")
            if sep:
                info[k] = v
    if summary is None:
        die("no summary line in %s (the run did not finish)" % a.results)
    tg = summary["targets"]
    out = []
    w = out.append
    w("# Glint flood benchmark, %s" % info.get("date", "?"))
    w("")
    w("- Command: `%s`" % info.get("command", "?"))
    w("- Machine: %s cores (nproc), %s, %s" % (info.get("nproc"), info.get("cpu"), info.get("kernel")))
    w("- JDK: %s; JVM options: %s" % (info.get("jdk"), info.get("jvm_opts") or "(none)"))
    w("- Glint: commit %s%s, jar built %s; start-up %s s; %s" % (info.get("commit"), info.get("dirty", ""),
                                                               info.get("jar_time"), info.get("startup_s"),
                                                               info.get("db")))
    w("- Probe: `GET /versions` on a new connection every 100–200 ms from a separate process; RSS = VmRSS of "
      "Glint's JVM every 0.5 s (VmHWM = the kernel's peak RSS)")
    w("")
    w("| phase | wall s | answers by status | /versions probes | p50 ms | p99 ms | worst ms | RSS max MiB "
      "| RSS last MiB | Glint CPU % | PG CPU % | load gen CPU % | other CPU % |")
    w("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        wall = r["wall_s"] or 1
        other = r["machine_cpu_s"] - r["glint_cpu_s"] - r["pg_cpu_s"] - r["client_cpu_s"]
        p = r["probes"]
        w("| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["phase"], n(r["wall_s"], 1), fmt_answers(r.get("answers")), p["n"], n(p["p50_ms"], 1),
            n(p["p99_ms"], 1), n(p["worst_ms"], 1), n(r["rss"]["max_mib"]), n(r["rss"]["last_mib"]),
            n(100 * r["glint_cpu_s"] / wall), n(100 * r["pg_cpu_s"] / wall), n(100 * r["client_cpu_s"] / wall),
            n(100 * other / wall)))
    w("")
    for r in rows:
        if r["phase"] == "json-trickle":
            w("**json-trickle**: %d clients, each repeatedly `POST /v2/images` with a %d-byte JSON body, half "
              "chunked, half `Content-Length: %d`, one step per %d ms and client (the head with the first %d bytes "
              "of body, or the next %d bytes; a new request waits for the next step); %d requests (%s/s), %s MiB "
              "of body sent in all; longest connection %s s (p99 %s s). By framing: %s."
              % (r["clients"], r["body_size"], r["body_size"], r["interval_ms"], r["chunk"], r["chunk"],
                 r["requests"], n(r["requests"] / (r["wall_s"] or 1)), r["body_mib_sent"], r["max_conn_s"],
                 r["p99_conn_s"], fmt_answers(r["by_kind"])))
            w("")
        elif r["phase"] == "cut-uploads":
            w("**cut-uploads**: %d concurrent `PUT /v2/images/{id}/file` of %d bytes (%d cut, %d complete); "
              "clients done after %s s, longest complete upload %s s. Final state %s s after the last client: "
              "statuses %s; complete uploads active with the right checksum and size: %d of %d; cut uploads "
              "not queued: %d; files in `.incoming`: %s; image files in the store: %s."
              % (r["uploads"], r["upload_size"], r["cut"], r["complete"], r["clients_s"],
                 r["complete_upload_s_max"], r["settle_s"], fmt_answers(r["final_status"]), r["complete_ok"],
                 r["complete"], r["bad_cut_count"], r["incoming_files"], r["store_files"]))
            w("")
            w("| mode | n | client's view (answer) | longest wait for it s | final image status |")
            w("| --- | ---: | --- | ---: | --- |")
            for mode, m in r["modes"].items():
                w("| %s | %d | %s | %s | %s |" % (mode, m["n"], fmt_answers(m["answers"]),
                                                n(m.get("max_wait_s"), 2), fmt_answers(m["final"])))
            w("")
            if r["bad_complete"]:
                w("Complete uploads not right (first 10): `%s`" % json.dumps(r["bad_complete"]))
                w("")
            if r["bad_cut"]:
                w("Cut uploads not queued (first 10): `%s`" % json.dumps(r["bad_cut"]))
                w("")
        elif r["phase"] == "create-flood":
            w("**create-flood**: %d clients (keep-alive) creating private qcow2/bare images (min_disk, min_ram, "
              "5 extra properties, 3 tags) and deleting them: %d pairs (%s pairs/s); request latency p50 %s ms, p99 %s "
              "ms, max %s ms; by request: %s; images left: %d."
              % (r["clients"], r["pairs"], r["pairs_per_s"], r["req_p50_ms"], r["req_p99_ms"], r["req_max_ms"],
                 fmt_answers(r["by_kind"]), r["leftover_images"]))
            w("")
    ov = summary["overall"]
    w("Memory over the whole run: RSS sampled max %s MiB (%d samples), VmHWM %s MiB; limit %d MiB."
      % (n(ov["rss_max_mib"]), ov["samples"], n(ov["hwm_mib"]), tg["rss_limit_mib"]))
    w("")
    w("Answers: an HTTP status, or `closed` (server closed without an answer), `reset` (connection reset "
      "without an answer), `hang` (neither within %d s after the body ended or the client's send blocked; "
      "cut-uploads: neither by the phase's end (--duration after the start), and at least %d s after the "
      "cut), `client-closed`/`client-reset` (the client cut the upload and did not wait), `send-failed(...)` "
      "(the server closed while the client was sending)." % (tg["answer_timeout_s"], tg["answer_timeout_s"]))
    w("CPU: utime+stime of Glint's JVM, of the embedded PostgreSQL (postmaster and children) and of this "
      "load generator (Python, and its monitor process), as % of one core over the phase; other = whole "
      "machine minus those (another user's load).")
    w("")
    if summary["violations"]:
        w("## Targets broken")
        w("")
        for x in summary["violations"]:
            w("- %s" % x)
    else:
        w("All targets met: /versions worst ≤ %d ms, no 5xx other than 503, no hang, no image left in saving, "
          "no file in `.incoming`, every complete upload active with the right checksum, RSS ≤ %d MiB."
          % (tg["max_latency_ms"], tg["rss_limit_mib"]))
    print("\n".join(out))
    if summary["violations"]:
        sys.exit(3)


# ----------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("monitor")
    s.add_argument("--url", required=True)
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--timeout", type=float, default=10)
    s.add_argument("--min-interval", type=float, default=0.1)
    s.add_argument("--max-interval", type=float, default=0.2)
    s.add_argument("--mem-interval", type=float, default=0.5)
    s = sub.add_parser("run")
    s.add_argument("--url", required=True)
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--pg", type=int, default=0, help="the embedded PostgreSQL's postmaster pid (CPU)")
    s.add_argument("--data-dir", required=True)
    s.add_argument("--results", required=True)
    s.add_argument("--quiet-wait", type=float, default=15)
    s.add_argument("--phases", default=" ".join(PHASES))
    s.add_argument("--baseline", type=float, default=5)
    s.add_argument("--after", type=float, default=10)
    s.add_argument("--duration", type=float, default=20)
    s.add_argument("--answer-timeout", type=float, default=10)
    s.add_argument("--settle-s", type=float, default=2)
    s.add_argument("--json-clients", type=int, default=40)
    s.add_argument("--json-size", default=4 * MIB)
    s.add_argument("--json-chunk", default=64 * 1024)
    s.add_argument("--json-interval-ms", type=int, default=50)
    s.add_argument("--uploads", type=int, default=150)
    s.add_argument("--cut", type=int, default=120)
    s.add_argument("--upload-size", default=8 * MIB)
    s.add_argument("--create-clients", type=int, default=64)
    s.add_argument("--max-latency-ms", type=int, default=1000)
    s.add_argument("--rss-limit-mib", type=int, default=300)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--info", required=True)
    a = p.parse_args()
    {"monitor": cmd_monitor, "run": cmd_run, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)

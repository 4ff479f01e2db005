#!/usr/bin/env python3
"""Helper of scripts/bench-data.sh (Python 3 standard library only; reuses metabench.py's /proc sampling).

Subcommands (results are JSON lines appended to --results; progress goes to stderr):
  sums FILE                        print "<md5> <sha512>" of FILE
  seed     --url U --file F ...    create an image, PUT F with curl -T, check it is active with F's md5; print its id
  verify   --url U --size N --md5 M  one full GET (curl): status 200, N bytes, md5 M
  download --url U --client curl|wrk -c C ...   one download measurement (warm-up, CPU + RSS sampling)
  pick-client --results F          print the client (curl or wrk) that got more MB/s in the calibration lines
  upload   --url U --file F --conc "1 8" --reps R ...   create + PUT + GET of C images at once, R times
  hashrate --dir D --java-opts S   JDK MessageDigest md5 / sha512 single-thread rates (javac'd into D)
  dd       --dir D                 dd if=/dev/zero bs=1M count=1024 conv=fsync into D
  report   --results F --info F    print the Markdown report
"""

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # importing metabench must not leave __pycache__/ in the source tree
from metabench import (CLK, Client, children_of, f, machine_ticks, mem_kb, pg_pids, proc_stat, read_run,  # noqa: E402
                       wait_quiet)

# the identity of every request (Glint's trusted-header mode); nginx gets the same headers (and ignores them)
HEADERS = {"X-Identity-Status": "Confirmed", "X-Project-Id": "bench", "X-Roles": "member"}


def log(msg):
    print("# " + msg, file=sys.stderr, flush=True)


def die(msg):
    print("databench: " + msg, file=sys.stderr, flush=True)
    sys.exit(2)


def size_label(n):
    for unit, mult in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= mult and n % mult == 0:
            return "%d %s" % (n // mult, unit)
    return "%d B" % n


def append(path, obj):
    with open(path, "a") as fh:
        fh.write(json.dumps(obj) + "\n")


def write_headers(path):
    with open(path, "w") as fh:
        for k, v in HEADERS.items():
            fh.write("%s: %s\n" % (k, v))


# ----------------------------------------------------------------------------- process accounting

def irq_ticks():
    """Machine-wide irq + softirq ticks (/proc/stat): network work not charged to any process."""
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
    return v[5] + v[6]


def tree(root):
    """root and its direct children (nginx: master + workers)."""
    return [root] + children_of(root)


def ticks_of(pids):
    n = 0
    for p in pids:
        st = proc_stat(p)
        if st:
            n += st[0]
    return n


def rss_kb(pids, key="VmRSS"):
    return sum(mem_kb(p, key) or 0 for p in pids)


def reset_hwm(pids):
    """Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to /proc/<pid>/clear_refs), so that the VmHWM
    read after a run is that run's peak. Returns False if not permitted."""
    ok = True
    for p in pids:
        try:
            with open("/proc/%d/clear_refs" % p, "w") as fh:
                fh.write("5")
        except OSError:
            ok = False
    return ok


class RssSampler(threading.Thread):
    """Samples the summed VmRSS of a set of processes every `interval` seconds; keeps the max."""

    def __init__(self, pids, interval=0.5):
        super().__init__(daemon=True)
        self.pids = pids
        self.interval = interval
        self.halt = threading.Event()
        self.samples = []

    def run(self):
        while True:
            self.samples.append(rss_kb(self.pids))
            if self.halt.wait(self.interval):
                break

    def stop(self):
        self.halt.set()
        self.join()
        self.samples.append(rss_kb(self.pids))
        return {"rss_max_mib": max(self.samples) / 1024.0, "rss_start_mib": self.samples[0] / 1024.0,
                "rss_end_mib": self.samples[-1] / 1024.0, "rss_samples": len(self.samples)}


def thread_ticks(pid):
    """{thread group name: utime+stime ticks} of one process's threads; JVM thread names (15 chars, from
    /proc/<pid>/task/<tid>/comm) with digits removed, e.g. "vert.x-eventloo", "GC Thread#"."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, t)) as fh:
                st = fh.read()
        except OSError:
            continue
        name = re.sub(r"[0-9]+", "", st[st.index("(") + 1:st.rindex(")")]).strip() or "?"
        rest = st[st.rindex(")") + 2:].split()
        out[(name, t)] = int(rest[11]) + int(rest[12])
    return out


class Window:
    """CPU of the server processes, of PostgreSQL (optional), of our own children (the load generator) and of
    this process, and of the whole machine, between start() and stop()."""

    def __init__(self, server_pids, pg_spec="", threads_of=None):
        self.server_pids = server_pids
        self.pg_spec = pg_spec
        self.threads_of = threads_of  # a pid whose threads' CPU is broken down (Glint's JVM)

    def _pg(self):
        if not self.pg_spec:
            return 0
        pids, pm = pg_pids(self.pg_spec)
        n = ticks_of(pids)
        if pm:
            st = proc_stat(pm)
            n += st[1] if st else 0  # exited children, reaped by the postmaster
        return n

    def start(self):
        self.t0 = time.monotonic()
        self.wall0 = time.time()
        self.th0 = thread_ticks(self.threads_of) if self.threads_of else {}
        self.srv0 = ticks_of(self.server_pids)
        self.pg0 = self._pg()
        self.busy0, _ = machine_ticks()
        self.irq0 = irq_ticks()
        self.ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.me0 = resource.getrusage(resource.RUSAGE_SELF)
        return self

    def stop(self):
        wall = time.monotonic() - self.t0
        srv = (ticks_of(self.server_pids) - self.srv0) / CLK
        pg = (self._pg() - self.pg0) / CLK
        busy = (machine_ticks()[0] - self.busy0) / CLK
        irq = (irq_ticks() - self.irq0) / CLK
        ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        me1 = resource.getrusage(resource.RUSAGE_SELF)
        client = (ch1.ru_utime - self.ch0.ru_utime) + (ch1.ru_stime - self.ch0.ru_stime)
        harness = (me1.ru_utime - self.me0.ru_utime) + (me1.ru_stime - self.me0.ru_stime)
        threads = {}
        if self.threads_of:
            for (name, tid), t in thread_ticks(self.threads_of).items():
                threads[name] = threads.get(name, 0) + (t - self.th0.get((name, tid), 0)) / CLK
        return {"wall_s": wall, "server_cpu_s": srv, "pg_cpu_s": pg, "client_cpu_s": client + harness,
                "machine_busy_s": busy, "irq_s": irq, "threads": {k: v for k, v in threads.items() if v > 0},
                "t_start": time.strftime("%H:%M:%S", time.gmtime(self.wall0)),
                "t_end": time.strftime("%H:%M:%S", time.gmtime(time.time()))}


class LogWatch:
    """WARN/ERROR lines a log file gained between start() and stop() (Glint's log)."""

    def __init__(self, path):
        self.path = path

    def start(self):
        self.pos = os.path.getsize(self.path) if self.path and os.path.exists(self.path) else 0
        return self

    def stop(self):
        if not self.path or not os.path.exists(self.path):
            return {"log_issues": None, "log_kinds": {}}
        with open(self.path, errors="replace") as fh:
            fh.seek(self.pos)
            lines = [x for x in fh.read().splitlines() if re.search(r" (WARN|ERROR) ", x)]
        kinds = {}
        for x in lines:
            # "<time> LEVEL [thread] logger - message": group by level, logger and message without ids
            m = re.match(r"\S+ (WARN|ERROR)\s+\[[^]]*\] (\S+) - (.*)", x)
            key = ("%s %s - %s" % (m.group(1), m.group(2), re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", m.group(3)))
                   if m else x)[:160]
            kinds[key] = kinds.get(key, 0) + 1
        return {"log_issues": len(lines), "log_kinds": kinds}


# ----------------------------------------------------------------------------- API helpers

def create_image(c, name="bench"):
    img = c.json("POST", "/v2/images", {"name": name, "disk_format": "raw", "container_format": "bare"},
                 expect=(201,))
    return img["id"]


def curl_put(base, hdr_file, image_id, path, expect100=True):
    """curl -T: returns (http code or 'curl_rcN ...', total seconds, seconds until curl started sending the body
    (with `Expect: 100-continue` curl waits for the server's 100 response, or 1 s))."""
    cmd = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total} %{time_starttransfer}", "-X", "PUT",
           "-H", "@" + hdr_file, "-H", "Content-Type: application/octet-stream", "-T", path,
           base + "/v2/images/%s/file" % image_id]
    if not expect100:
        cmd[1:1] = ["-H", "Expect:"]  # no "Expect: 100-continue" (python-glanceclient/openstacksdk send none)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return "curl_rc%d %s" % (p.returncode, p.stderr.strip()[:200]), 0.0, 0.0
    code, secs, start = p.stdout.split()
    return code, float(secs), float(start)


def cmd_sums(a):
    md5, sha = hashlib.md5(), hashlib.sha512()
    with open(a.file, "rb") as fh:
        while True:
            b = fh.read(4 << 20)
            if not b:
                break
            md5.update(b)
            sha.update(b)
    print(md5.hexdigest(), sha.hexdigest())


def cmd_seed(a):
    c = Client(a.url, HEADERS)
    image_id = create_image(c, a.name)
    code, secs, _ = curl_put(a.url, a.headers, image_id, a.file, expect100=False)
    if code != "204":
        die("upload of %s to image %s failed: %s" % (a.file, image_id, code))
    img = c.json("GET", "/v2/images/" + image_id)
    size = os.path.getsize(a.file)
    if img.get("status") != "active" or img.get("size") != size or img.get("checksum") != a.md5:
        die("image %s after upload: status %s size %s checksum %s (expected active, %d, %s)"
            % (image_id, img.get("status"), img.get("size"), img.get("checksum"), size, a.md5))
    log("image %s: %s uploaded in %.2f s, active, md5 ok" % (image_id, size_label(size), secs))
    print(image_id)


def cmd_verify(a):
    p = subprocess.Popen(["curl", "-sS", "-f", "-H", "@" + a.headers, a.url], stdout=subprocess.PIPE)
    h = hashlib.md5()
    n = 0
    while True:
        b = p.stdout.read(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    rc = p.wait()
    ok = rc == 0 and n == a.size and h.hexdigest() == a.md5
    log("integrity %s: GET %s -> curl rc %d, %d bytes, md5 %s" % ("ok" if ok else "FAIL", a.url, rc, n, h.hexdigest()))
    if not ok:
        die("integrity check failed for %s (expected %d bytes, md5 %s)" % (a.url, a.size, a.md5))


# ----------------------------------------------------------------------------- download clients

def wrk_script(run_dir):
    """scripts/bench/common.lua alone: reads the header file, prints the WRK summary line; no request() (wrk GETs
    the URL) and no response() (that would make wrk buffer every body)."""
    path = os.path.join(run_dir, "wrk-download.lua")
    with open(os.path.join(HERE, "common.lua")) as src, open(path, "w") as out:
        out.write(src.read())
    return path


def run_wrk(url, c, duration, hdr_file, run_dir, size):
    t = max(1, min(c, os.cpu_count() or 2))
    cmd = ["wrk", "-t%d" % t, "-c%d" % c, "-d%ds" % duration, "--timeout", "600s", "-s", wrk_script(run_dir), url]
    env = dict(os.environ, BENCH_HDR_FILE=hdr_file)
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    r = {}
    for line in p.stdout.splitlines():
        if line.startswith("WRK "):
            r = {k: float(v) for k, v in (kv.split("=", 1) for kv in line.split()[1:])}
    if p.returncode != 0 or not r:
        die("wrk failed (rc=%d): %s\ncommand: %s" % (p.returncode, p.stdout[-2000:], " ".join(cmd)))
    errors = int(r["err_connect"] + r["err_read"] + r["err_write"] + r["err_status"] + r["err_timeout"])
    done = int(r["requests"])
    # wrk counts bytes as read (headers included, partial transfers at the deadline too) and cannot check each
    # body's length without a response() hook; bound the total instead: complete bodies <= bytes <= complete +
    # one in-flight transfer per connection, each with < 8 KiB of headers.
    lo, hi = done * size, (done + c) * (size + 8192)
    ok = errors == 0 and lo <= r["bytes"] <= hi
    return {"bytes": int(r["bytes"]), "complete": done, "secs": r["duration_us"] / 1e6, "errors": errors,
            "err_detail": "connect %d, read %d, write %d, status %d, timeout %d" % (
                r["err_connect"], r["err_read"], r["err_write"], r["err_status"], r["err_timeout"]) if errors else "",
            "check": "ok" if ok else "FAIL", "lat_mean_s": r["lat_mean_us"] / 1e6 if done else None,
            "cmd": " ".join(cmd)}


def run_curl(url, c, duration, hdr_file, size):
    """C client loops, each running `curl -s -o /dev/null URL` back to back until the deadline (a new connection
    per transfer, as real image downloads). A transfer still running at the deadline is cut by --max-time and its
    bytes count (curl's size_download); every finished one must be a 200 with exactly `size` body bytes."""
    t0 = time.monotonic()
    deadline = t0 + duration
    lock = threading.Lock()
    agg = {"bytes": 0, "complete": 0, "cut": 0, "status": {}, "bad_size": 0, "curl_err": {}}
    lat = []

    def loop():
        while True:
            left = deadline - time.monotonic()
            if left <= 0.02:
                return
            cmd = ["curl", "-s", "-o", "/dev/null", "--max-time", "%.3f" % left,
                   "-w", "%{http_code} %{size_download} %{time_total}", "-H", "@" + hdr_file, url]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                code, nbytes, secs = p.stdout.split()
                nbytes, secs = int(nbytes), float(secs)
            except ValueError:
                code, nbytes, secs = "000", 0, 0.0
            with lock:
                agg["bytes"] += nbytes
                if p.returncode == 28 and code in ("200", "000"):
                    agg["cut"] += 1  # cut at the deadline: partial transfer, counted, not an error
                elif p.returncode != 0:
                    agg["curl_err"][p.returncode] = agg["curl_err"].get(p.returncode, 0) + 1
                elif code != "200":
                    agg["status"][code] = agg["status"].get(code, 0) + 1
                elif nbytes != size:
                    agg["bad_size"] += 1
                else:
                    agg["complete"] += 1
                    lat.append(secs)

    ths = [threading.Thread(target=loop, daemon=True) for _ in range(c)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    errors = sum(agg["status"].values()) + sum(agg["curl_err"].values()) + agg["bad_size"]
    detail = []
    if agg["status"]:
        detail.append("HTTP " + ", ".join("%s x%d" % kv for kv in sorted(agg["status"].items())))
    if agg["curl_err"]:
        detail.append("curl exit " + ", ".join("%s x%d" % kv for kv in sorted(agg["curl_err"].items())))
    if agg["bad_size"]:
        detail.append("%d wrong-length bodies" % agg["bad_size"])
    return {"bytes": agg["bytes"], "complete": agg["complete"], "cut": agg["cut"],
            "secs": time.monotonic() - t0, "errors": errors, "err_detail": "; ".join(detail),
            "check": "ok" if errors == 0 else "FAIL", "lat_mean_s": statistics.mean(lat) if lat else None,
            "cmd": "curl -s -o /dev/null --max-time <left> -H @headers %s  (x%d loops)" % (url, c)}


def cmd_download(a):
    run_dir = a.run_dir
    hdr = os.path.join(run_dir, "headers.txt")
    write_headers(hdr)
    if a.server == "nginx":
        pids = tree(a.pid)  # master + workers
    else:
        pids = [a.pid]      # the Glint JVM (its embedded PostgreSQL is measured separately)
    if not proc_stat(a.pid):
        die("%s (pid %d) is gone" % (a.server, a.pid))
    quiet = wait_quiet(a.quiet_wait, a.quiet_below) if a.quiet_wait > 0 else None

    def client(secs):
        if a.client == "wrk":
            return run_wrk(a.url, a.c, secs, hdr, run_dir, a.size)
        return run_curl(a.url, a.c, secs, hdr, a.size)

    if a.warmup > 0:
        log("%s %s c=%d %s: warm-up %d s" % (a.server, size_label(a.size), a.c, a.client, a.warmup))
        client(a.warmup)
    log("%s %s c=%d %s: measuring %d s" % (a.server, size_label(a.size), a.c, a.client, a.duration))
    hwm_reset = reset_hwm(pids)
    sampler = RssSampler(pids)
    sampler.start()
    lw = LogWatch(a.log).start()
    w = Window(pids, a.pg, a.pid if a.server == "glint" else None).start()
    r = client(a.duration)
    d = w.stop()
    d.update(lw.stop())
    mem = sampler.stop()
    alive = proc_stat(a.pid) is not None
    res = {"kind": a.kind, "server": a.server, "size": a.size, "c": a.c, "client": a.client, "rep": a.rep,
           "busy_before_pct": quiet, "hwm_mib": rss_kb(pids, "VmHWM") / 1024.0, "hwm_reset": hwm_reset,
           "server_alive": alive, "procs": len(pids)}
    res.update(r)
    res.update(d)
    res.update(mem)
    secs = r["secs"] or 1e-9
    res["mbps"] = r["bytes"] / secs / 1e6
    gb = r["bytes"] / 1e9
    res["server_cost"] = d["server_cpu_s"] / gb if gb else None
    res["client_cost"] = d["client_cpu_s"] / gb if gb else None
    append(a.results, res)
    log("%s %s c=%d %s: %.0f MB/s, %d complete, server %.3f core-s/GB, client %.3f core-s/GB, RSS max %.0f MiB, "
        "errors %d%s" % (a.server, size_label(a.size), a.c, a.client, res["mbps"], r["complete"],
                         res["server_cost"] or 0, res["client_cost"] or 0, mem["rss_max_mib"], r["errors"],
                         " (%s)" % r["err_detail"] if r["err_detail"] else ""))
    if not alive:
        die("%s (pid %d) died during the run" % (a.server, a.pid))


def cmd_pick_client(a):
    by = {}
    with open(a.results) as fh:
        for line in fh:
            r = json.loads(line)
            if r.get("kind") == "calibration":
                by.setdefault(r["client"], []).append(r["mbps"])
    if not by:
        die("no calibration lines in %s" % a.results)
    # geometric mean over the client counts, so that no single concurrency dominates
    score = {k: statistics.geometric_mean(v) for k, v in by.items() if min(v) > 0}
    # curl unless wrk is clearly faster (> 5 %): curl checks every transfer's status and length and opens a new
    # connection per image, as real image downloads do; a near-tie should not flip the client between sittings
    best = "wrk" if score.get("wrk", 0) > 1.05 * score.get("curl", 0) else "curl"
    log("client calibration against nginx (geometric mean MB/s over the client counts): "
        + ", ".join("%s %.0f" % kv for kv in sorted(score.items())) + " -> " + best + " (wrk only if > 5 % ahead)")
    print(best)


# ----------------------------------------------------------------------------- uploads

def cmd_upload(a):
    hdr = os.path.join(a.run_dir, "headers.txt")
    write_headers(hdr)
    size = os.path.getsize(a.file)
    pids = [a.pid]
    cl = Client(a.url, HEADERS)
    for _ in range(a.warmup):  # not measured: JIT-compiles the upload path (hashing, file writes) first
        iid = create_image(cl)
        code, secs, _ = curl_put(a.url, hdr, iid, a.file, expect100=a.expect100)
        log("upload %s: warm-up upload -> %s in %.2f s" % (a.label, code, secs))
        cl.req("DELETE", "/v2/images/" + iid)
    for rep in range(1, a.reps + 1):
        for c in [int(x) for x in a.conc.split()]:
            os.sync()  # start every rep with no dirty page cache left by the previous one (outside the window)
            quiet = wait_quiet(a.quiet_wait, a.quiet_below) if a.quiet_wait > 0 else None
            barrier = threading.Barrier(c + 1)
            out = [None] * c

            def job(i):
                cl = Client(a.url, HEADERS)
                barrier.wait()
                t0 = time.monotonic()
                image_id, code, secs, start, img = None, "-", 0.0, 0.0, {}
                try:
                    image_id = create_image(cl)
                    code, secs, start = curl_put(a.url, hdr, image_id, a.file, expect100=a.expect100)
                    img = cl.json("GET", "/v2/images/" + image_id)
                except Exception as e:  # noqa: BLE001 - reported as a failed upload
                    code = "exception: %s" % e
                out[i] = (t0, time.monotonic(), image_id, code, secs, img, start)

            ths = [threading.Thread(target=job, args=(i,), daemon=True) for i in range(c)]
            for t in ths:
                t.start()
            hwm_reset = reset_hwm(pids)
            sampler = RssSampler(pids)
            sampler.start()
            lw = LogWatch(a.log).start()
            w = Window(pids, a.pg, a.pid).start()
            barrier.wait()
            for t in ths:
                t.join()
            d = w.stop()
            d.update(lw.stop())
            mem = sampler.stop()
            wall = max(o[1] for o in out) - min(o[0] for o in out)
            bad = []
            for (_, _, iid, code, _, img, _) in out:
                ok = (code == "204" and img.get("status") == "active" and img.get("size") == size
                      and img.get("checksum") == a.md5 and img.get("os_hash_algo") == "sha512"
                      and img.get("os_hash_value") == a.sha512)
                if not ok:
                    bad.append("id=%s code=%s status=%s size=%s checksum=%s" % (
                        iid, code, img.get("status"), img.get("size"), img.get("checksum")))
            for b in bad:
                log("upload verify FAIL: " + b)
            total = c * size
            res = {"kind": "upload", "label": a.label, "fsync": a.fsync, "size": size, "c": c, "rep": rep,
                   "wall_window_s": wall, "bytes": total, "mbps": total / wall / 1e6,
                   "per_upload_s": statistics.mean(o[1] - o[0] for o in out),
                   "curl_put_s": statistics.mean(o[4] for o in out),
                   "body_start_s": statistics.mean(o[6] for o in out), "expect100": a.expect100,
                   "verified": c - len(bad), "bad": bad[:3], "busy_before_pct": quiet,
                   "hwm_mib": rss_kb(pids, "VmHWM") / 1024.0, "hwm_reset": hwm_reset,
                   "server_alive": proc_stat(a.pid) is not None}
            res.update(d)
            res.update(mem)
            res["server_cost"] = d["server_cpu_s"] / (total / 1e9)
            res["client_cost"] = d["client_cpu_s"] / (total / 1e9)
            append(a.results, res)
            log("upload %s c=%d rep %d: %.0f MB/s (%.2f s), Glint %.2f core-s/GB, RSS max %.0f MiB, verified %d/%d"
                % (a.label, c, rep, res["mbps"], wall, res["server_cost"], mem["rss_max_mib"], c - len(bad), c))
            cl = Client(a.url, HEADERS)
            for o in out:  # outside the window: keep the disk from filling up
                if o[2]:
                    st, _ = cl.req("DELETE", "/v2/images/" + o[2])
                    if st not in (204, 404):
                        log("WARNING: DELETE /v2/images/%s -> HTTP %d" % (o[2], st))
            if not res["server_alive"]:
                die("Glint (pid %d) died during the uploads" % a.pid)


HASHRATE_JAVA = r"""
import java.security.MessageDigest;
import java.util.Random;

public class HashRate {
  public static void main(String[] args) throws Exception {
    long total = Long.parseLong(args[0]);
    byte[] buf = new byte[Integer.parseInt(args[1])];
    new Random(42).nextBytes(buf);
    String[][] cases = {{"MD5"}, {"SHA-512"}, {"MD5", "SHA-512"}};
    for (String[] algs : cases) {
      run(algs, buf, 256L << 20);  // warm-up: let the JIT compile (and intrinsify) the digest loops
      long t0 = System.nanoTime();
      run(algs, buf, total);
      long ns = System.nanoTime() - t0;
      System.out.println(String.join("+", algs) + " " + total + " " + ns);
    }
  }

  static void run(String[] algs, byte[] buf, long total) throws Exception {
    MessageDigest[] mds = new MessageDigest[algs.length];
    for (int i = 0; i < algs.length; i++) mds[i] = MessageDigest.getInstance(algs[i]);
    for (long done = 0; done < total; done += buf.length) {
      for (MessageDigest md : mds) md.update(buf);
    }
    for (MessageDigest md : mds) md.digest();
  }
}
"""


def cmd_hashrate(a):
    src = os.path.join(a.dir, "HashRate.java")
    with open(src, "w") as fh:
        fh.write(HASHRATE_JAVA)
    p = subprocess.run(["javac", "-d", a.dir, src], capture_output=True, text=True)
    if p.returncode != 0:
        die("javac failed: %s" % p.stderr[-1000:])
    cmd = ["java"] + a.java_opts.split() + ["-cp", a.dir, "HashRate", str(a.total), str(a.buf)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        die("HashRate failed: %s" % (p.stdout + p.stderr)[-1000:])
    res = {"kind": "hashrate", "total": a.total, "buf": a.buf, "cmd": " ".join(cmd)}
    for line in p.stdout.split("\n"):
        if line.strip():
            alg, total, ns = line.split()
            res[alg] = int(total) / (int(ns) / 1e9) / 1e6
    append(a.results, res)
    log("JDK MessageDigest, one thread: md5 %.0f MB/s, sha512 %.0f MB/s, both %.0f MB/s"
        % (res["MD5"], res["SHA-512"], res["MD5+SHA-512"]))


def cmd_dd(a):
    path = os.path.join(a.dir, "ddtest")
    os.sync()
    cmd = ["dd", "if=/dev/zero", "of=" + path, "bs=1M", "count=1024", "conv=fsync"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:
        os.unlink(path)
    except OSError:
        pass
    m = re.search(r"^(\d+) bytes .* copied, ([\d.]+) s", p.stderr, re.M)
    if p.returncode != 0 or not m:
        die("dd failed: %s" % p.stderr[-500:])
    res = {"kind": "dd", "bytes": int(m.group(1)), "secs": float(m.group(2)),
           "mbps": int(m.group(1)) / float(m.group(2)) / 1e6, "cmd": " ".join(cmd)}
    append(a.results, res)
    log("disk: dd 1 GiB conv=fsync %.0f MB/s" % res["mbps"])


# ----------------------------------------------------------------------------- report

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def spread(vals, nd, unit=""):
    """median, with (min–max, n) when there are several values."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    m = statistics.median(vals)
    if len(vals) == 1:
        return f(m, nd) + unit
    return "%s%s (%s–%s, n=%d)" % (f(m, nd), unit, f(min(vals), nd), f(max(vals), nd), len(vals))


def mark(ok):
    return "yes" if ok else "**no**"


def cmd_report(a):
    rows, info = read_run(a.results, a.info)
    dl = [r for r in rows if r["kind"] == "download"]
    cal = [r for r in rows if r["kind"] == "calibration"]
    up = [r for r in rows if r["kind"] == "upload"]
    hr = next((r for r in rows if r["kind"] == "hashrate"), None)
    dd = next((r for r in rows if r["kind"] == "dd"), None)
    out = []
    w = out.append
    w("# Glint image-data benchmark, %s" % info["date"])
    w("")
    w("- Command: `%s`" % info["command"])
    w("- Machine: %s cores (nproc), %s, %s, %s GiB RAM; temp dir on %s" % (
        info["nproc"], info["cpu"], info["kernel"], info["mem_gib"], info["fs"]))
    w("- JDK: %s; JVM options: %s" % (info["jdk"], info["jvm_opts"] or "(none)"))
    w("- Glint: commit %s%s, jar built %s; %s" % (info["commit"], info["dirty"], info["jar_time"], info["db"]))
    w("- Start-up: %s" % info["startups"])
    if dl:
        w("- nginx: %s, %s worker processes, `sendfile on; tcp_nopush on;` keep-alive, access log off, root = Glint's "
          "file store directory (the same files)" % (info["nginx"], info["nginx_workers"]))
        cal_txt = ""
        if cal:
            by = {}
            for r in cal:
                by.setdefault(r["client"], []).append("c=%d %.0f" % (r["c"], r["mbps"]))
            cal_txt = ("; chosen by a %s-s calibration against nginx (geometric mean over the client counts; wrk only if "
                       "> 5 %% ahead) at %s, MB/s: %s") % (
                info["calib_duration"], size_label(cal[0]["size"]),
                "; ".join("%s %s" % (k, ", ".join(v)) for k, v in sorted(by.items())))
        w("- Download client: **%s** (%s)%s" % (info["client"], info["client_desc"], cal_txt))
        w("- Downloads: %s s per run after a %s s warm-up; every client GETs the whole image over and over; "
          "MB/s = all bytes received in the window / window (transfers cut at the deadline count with their "
          "partial bytes); images seeded through the API (%s), md5 of one full GET checked on both servers"
          % (info["duration"], info["warmup"], info["seeded"]))
        if info.get("connection_warmup", "0") not in ("", "0"):
            w("- Before the download runs, each server got %s s of one-byte Range requests on new connections "
              "(wrk, `Connection: close`), so that the JVM has compiled its per-connection path" % info["connection_warmup"])
    w("")
    if dl:
        w("## Downloads: `GET /v2/images/{id}/file` vs nginx sendfile (same files, same client, same run)")
        w("")
        w("| size | clients | Glint MB/s | nginx MB/s | Glint/nginx (≥ 0.9) | Glint core-s/GB (≤ 0.25) "
          "| nginx core-s/GB | client core-s/GB Glint · nginx | Glint RSS max MiB | errors Glint · nginx |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        keys = []
        for r in dl:
            if (r["size"], r["c"]) not in keys:
                keys.append((r["size"], r["c"]))
        for size, c in keys:
            g = [r for r in dl if r["server"] == "glint" and r["size"] == size and r["c"] == c]
            n = [r for r in dl if r["server"] == "nginx" and r["size"] == size and r["c"] == c]
            gm, nm = med([r["mbps"] for r in g]), med([r["mbps"] for r in n])
            gc = med([r["server_cost"] for r in g])
            ratio = gm / nm if gm and nm else None
            # per-rep ratios (same rep, back to back) when there are several reps
            ratios = [x["mbps"] / y["mbps"] for x in g for y in n if x["rep"] == y["rep"] and y["mbps"]]
            rtxt = spread(ratios, 2) if len(ratios) > 1 else f(ratio, 2)
            ge = sum(r["errors"] for r in g) + sum(1 for r in g if r["check"] != "ok" and not r["errors"])
            ne = sum(r["errors"] for r in n) + sum(1 for r in n if r["check"] != "ok" and not r["errors"])
            w("| %s | %d | %s | %s | %s %s | %s %s | %s | %s · %s | %s | %s · %s |" % (
                size_label(size), c, spread([r["mbps"] for r in g], 0), spread([r["mbps"] for r in n], 0),
                rtxt, mark(ratio is not None and ratio >= 0.9), spread([r["server_cost"] for r in g], 3),
                mark(gc is not None and gc <= 0.25), spread([r["server_cost"] for r in n], 3),
                f(med([r["client_cost"] for r in g]), 2), f(med([r["client_cost"] for r in n]), 2),
                f(max([r["rss_max_mib"] for r in g] or [0]), 0), ge, ne))
        w("")
        w("core-s/GB = CPU seconds (utime+stime from /proc/<pid>/stat: Glint's JVM; nginx's master + workers) over "
          "the measured window / GB transferred (GB = 10^9 bytes, MB = 10^6). Client = the load generator (%s) plus "
          "this harness. On loopback the kernel's TCP work is charged to whichever process happens to run it "
          "(sender or receiver), so the split of CPU between server and client is approximate; both servers are "
          "measured the same way. Errors = non-200 statuses, transfer failures, and bodies of the wrong length "
          "(curl) / byte totals outside [complete × size, (complete + clients) × (size + 8 KiB)] (wrk)."
          % info["client"])
        w("")
    if up:
        w("## Uploads: create → `PUT /v2/images/{id}/file` (curl -T, %s) → 204 → GET (active)" % size_label(up[0]["size"]))
        w("")
        w("| Glint | streams | MB/s (1 stream ≥ 350; more streams ≥ 1 stream) | Glint core-s/GB (≤ 3.0) | Glint CPU % "
          "| curl CPU % | curl's wait before sending the body, s | Glint RSS max MiB | verified |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        labels = []
        for r in up:
            if r["label"] not in labels:
                labels.append(r["label"])
        for lab in labels:
            cs = []
            for r in up:
                if r["label"] == lab and r["c"] not in cs:
                    cs.append(r["c"])
            one = med([r["mbps"] for r in up if r["label"] == lab and r["c"] == 1])
            for c in cs:
                rs = [r for r in up if r["label"] == lab and r["c"] == c]
                m = med([r["mbps"] for r in rs])
                target = (m >= 350) if c == 1 else (one is not None and m >= one) if one else None
                cost = med([r["server_cost"] for r in rs])
                w("| %s | %d | %s %s | %s %s | %s | %s | %s | %s | %d/%d |" % (
                    lab, c, spread([r["mbps"] for r in rs], 0), mark(target) if target is not None else "",
                    spread([r["server_cost"] for r in rs], 2), mark(cost <= 3.0),
                    f(med([100 * r["server_cpu_s"] / r["wall_s"] for r in rs]), 0),
                    f(med([100 * r["client_cpu_s"] / r["wall_s"] for r in rs]), 0),
                    f(med([r.get("body_start_s") for r in rs]), 2),
                    f(max(r["rss_max_mib"] for r in rs), 0),
                    sum(r["verified"] for r in rs), sum(r["c"] for r in rs)))
        w("")
        ctx = []
        if dd:
            ctx.append("disk: `dd if=/dev/zero bs=1M count=1024 conv=fsync` into the temp dir: **%.0f MB/s** (the "
                       "ceiling of an fsync'ed upload)" % dd["mbps"])
        if hr:
            ctx.append("JDK `MessageDigest` on one thread, 1 GiB in 256 KiB buffers (same JVM options): md5 **%.0f MB/s**, "
                       "sha512 **%.0f MB/s**, md5 + sha512 in turn on one thread %.0f MB/s (= %.2f core-s/GB for the "
                       "two digests Glint must compute)" % (hr["MD5"], hr["SHA-512"], hr["MD5+SHA-512"],
                                                            1000.0 / hr["MD5+SHA-512"]))
        for x in ctx:
            w("- " + x)
        w("")
        w("MB/s = streams × size / (first create → last image seen active). Every image was checked afterwards: 204, "
          "`status` active, `size`, `checksum` = md5 and `os_hash_value` = sha512 of the file. Each repetition starts "
          "after `sync` and the images are deleted after it (outside the window). \"fsync off\" = Glint restarted "
          "with `--glance_store.filesystem_store_fsync=false`. Unless the row says otherwise curl runs with "
          "`-H 'Expect:'`, i.e. without `Expect: 100-continue`, like python-glanceclient and openstacksdk; with curl's "
          "default `Expect: 100-continue` curl sends the body only after the server's `100 Continue`, or after "
          "waiting 1 s for it (\"wait before sending the body\" = curl's time_starttransfer). Glint CPU = its JVM only; "
          "curl CPU includes this harness.")
        w("")
    # memory
    mem_rows = []
    if dl:
        gd = [r for r in dl if r["server"] == "glint"]
        big = max(r["size"] for r in gd)
        cmax = max(r["c"] for r in gd)
        for r in gd:
            if r["size"] == big and r["c"] == cmax:
                mem_rows.append(("download %s, %d clients (rep %d)" % (size_label(big), cmax, r["rep"]), r))
    if up:
        umax = max(r["c"] for r in up)
        for r in up:
            if r["c"] == umax:
                mem_rows.append(("upload %d streams, %s (rep %d)" % (umax, r["label"], r["rep"]), r))
    if mem_rows:
        w("## Memory: Glint JVM during the heaviest runs (target ≤ 300 MiB)")
        w("")
        w("| run | VmRSS max (0.5-s samples) MiB | VmRSS at start · end MiB | VmHWM of the run MiB | ≤ 300 MiB |")
        w("| --- | ---: | ---: | ---: | ---: |")
        for name, r in mem_rows:
            peak = max(r["rss_max_mib"], r["hwm_mib"] if r.get("hwm_reset") else 0)
            w("| %s | %s | %s · %s | %s%s | %s |" % (
                name, f(r["rss_max_mib"], 0), f(r["rss_start_mib"], 0), f(r["rss_end_mib"], 0), f(r["hwm_mib"], 0),
                "" if r.get("hwm_reset") else " (since start)", mark(peak <= 300)))
        all_g = [r for r in dl if r["server"] == "glint"] + up
        w("")
        w("VmHWM is reset before each run (`echo 5 > /proc/<pid>/clear_refs`), so it is that run's peak. Largest "
          "Glint VmRSS sample over all runs of this sitting: %s MiB; VmHWM/VmRSS at the end: %s / %s MiB."
          % (f(max(r["rss_max_mib"] for r in all_g), 0), info.get("hwm_end", "n/a"), info.get("rss_end", "n/a")))
        w("")
    # details
    if dl or up:
        w("## Run details")
        w("")
        w("CPU as % of one core over the measured window (200 % = the whole machine); \"other\" = whole machine minus "
          "server, PostgreSQL and client (load from anything else; per-process and whole-machine accounting differ a "
          "little, hence small negative values); \"irq+softirq\" = the machine's time in interrupt context (loopback TCP "
          "receive work; mostly charged to the process it interrupted, so part of the columns before); \"busy before\" = "
          "whole machine in the 1-s window before the run; threads = Glint's JVM threads by name (digits removed; "
          "/proc/<pid>/task/*/stat). Glint log lines are counted between the start and the end of the window: "
          "transfers cut by the client at a deadline (the warm-up's or the window's) are logged by Glint as they "
          "happen, so they straddle windows.")
        w("")
        w("| run | server | size | c | client | rep | UTC | bytes | complete | s | MB/s | server CPU % | PG CPU % "
          "| client CPU % | other CPU % | irq+softirq % | busy before % | RSS max MiB | Glint log WARN+ERROR "
          "| Glint's busiest threads, CPU % |")
        w("| --- | --- | --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: | ---: | ---: | --- |")
        for r in cal + dl + up:
            wall = r["wall_s"] or 1
            other = r["machine_busy_s"] - r["server_cpu_s"] - r["pg_cpu_s"] - r["client_cpu_s"]
            if r["kind"] == "upload":
                kind, server, client, secs, done = "upload", "glint (%s)" % r["label"], "curl -T", r["wall_window_s"], \
                    r["verified"]
            else:
                kind, server, client, secs, done = r["kind"], r["server"], r["client"], r["secs"], r["complete"]
            th = sorted((r.get("threads") or {}).items(), key=lambda kv: -kv[1])[:4]
            th_txt = ", ".join("%s %.0f" % (k, 100 * v / wall) for k, v in th if 100 * v / wall >= 1) or "–"
            w("| %s | %s | %s | %d | %s | %d | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                kind, server, size_label(r["size"]), r["c"], client, r["rep"],
                "%s–%s" % (r["t_start"], r["t_end"]) if "t_start" in r else "", r["bytes"], done, f(secs, 2),
                f(r["mbps"], 0), f(100 * r["server_cpu_s"] / wall, 0),
                f(100 * r["pg_cpu_s"] / wall, 0) if r.get("server") != "nginx" else "–",
                f(100 * r["client_cpu_s"] / wall, 0), f(100 * other / wall, 0),
                f(100 * r["irq_s"] / wall, 0) if "irq_s" in r else "n/a", f(r.get("busy_before_pct"), 0),
                f(r["rss_max_mib"], 0), r.get("log_issues") if r.get("log_issues") is not None else "–", th_txt))
        w("")
        bad = [r for r in dl + cal if r["errors"] or r["check"] != "ok"]
        for r in bad:
            w("- %s %s %s c=%d rep %d: check %s, %d errors%s" % (
                r["kind"], r["server"], size_label(r["size"]), r["c"], r["rep"], r["check"], r["errors"],
                " (%s)" % r["err_detail"] if r["err_detail"] else ""))
        for r in up:
            for b in r["bad"]:
                w("- upload %s c=%d rep %d: verify FAIL %s" % (r["label"], r["c"], r["rep"], b))
        if bad or any(r["bad"] for r in up):
            w("")
        kinds = {}
        for r in dl + up:
            for k, n in (r.get("log_kinds") or {}).items():
                e = kinds.setdefault(k, [0, []])
                e[0] += n
                tag = ("%s %s c=%d" % (r.get("server") or "upload " + r.get("label", ""), size_label(r["size"]), r["c"]))
                if tag not in e[1]:
                    e[1].append(tag)
        if kinds:
            w("Glint's WARN/ERROR log lines during the measured windows (ids replaced by `<id>`):")
            w("")
            for k, (n, tags) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
                w("- %d × `%s` (%s%s)" % (n, k, ", ".join(tags[:6]), ", …" if len(tags) > 6 else ""))
            w("")
    print("\n".join(out))


# ----------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sums")
    s.add_argument("file")
    s = sub.add_parser("seed")
    s.add_argument("--url", required=True)
    s.add_argument("--file", required=True)
    s.add_argument("--md5", required=True)
    s.add_argument("--name", default="bench")
    s.add_argument("--headers", required=True)
    s = sub.add_parser("verify")
    s.add_argument("--url", required=True)
    s.add_argument("--size", type=int, required=True)
    s.add_argument("--md5", required=True)
    s.add_argument("--headers", required=True)
    s = sub.add_parser("download")
    s.add_argument("--kind", default="download", choices=("download", "calibration"))
    s.add_argument("--server", required=True, choices=("glint", "nginx"))
    s.add_argument("--url", required=True)
    s.add_argument("--pid", type=int, required=True, help="Glint's JVM, or nginx's master")
    s.add_argument("--pg", default="", help="tree:<postmaster pid> (Glint's embedded PostgreSQL)")
    s.add_argument("--client", required=True, choices=("curl", "wrk"))
    s.add_argument("--log", default="", help="Glint's log: count its WARN/ERROR lines during the run")
    s.add_argument("-c", type=int, required=True)
    s.add_argument("--size", type=int, required=True)
    s.add_argument("--duration", type=int, default=10)
    s.add_argument("--warmup", type=int, default=2)
    s.add_argument("--rep", type=int, default=1)
    s.add_argument("--quiet-wait", type=int, default=30)
    s.add_argument("--quiet-below", type=float, default=50.0)
    s.add_argument("--run-dir", required=True)
    s.add_argument("--results", required=True)
    s = sub.add_parser("pick-client")
    s.add_argument("--results", required=True)
    s = sub.add_parser("upload")
    s.add_argument("--url", required=True)
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--pg", default="")
    s.add_argument("--file", required=True)
    s.add_argument("--md5", required=True)
    s.add_argument("--sha512", required=True)
    s.add_argument("--conc", default="1 8")
    s.add_argument("--reps", type=int, default=3)
    s.add_argument("--label", required=True)
    s.add_argument("--fsync", required=True)
    s.add_argument("--expect100", action="store_true", help="let curl send Expect: 100-continue (its default)")
    s.add_argument("--warmup", type=int, default=1, help="un-measured single uploads first")
    s.add_argument("--log", default="")
    s.add_argument("--quiet-wait", type=int, default=30)
    s.add_argument("--quiet-below", type=float, default=50.0)
    s.add_argument("--run-dir", required=True)
    s.add_argument("--results", required=True)
    s = sub.add_parser("hashrate")
    s.add_argument("--dir", required=True)
    s.add_argument("--java-opts", default="")
    s.add_argument("--total", type=int, default=1 << 30)
    s.add_argument("--buf", type=int, default=256 << 10)
    s.add_argument("--results", required=True)
    s = sub.add_parser("dd")
    s.add_argument("--dir", required=True)
    s.add_argument("--results", required=True)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--info", required=True)
    a = p.parse_args()
    {"sums": cmd_sums, "seed": cmd_seed, "verify": cmd_verify, "download": cmd_download,
     "pick-client": cmd_pick_client, "upload": cmd_upload, "hashrate": cmd_hashrate, "dd": cmd_dd,
     "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        os._exit(130)

#!/usr/bin/env python3
"""Helper of scripts/bench-metadata.sh (Python 3 standard library only).

Subcommands (all print to stdout, progress to stderr):
  free-port                       print a free TCP port on 127.0.0.1
  wait-ready URL PID T0_NS TIMEOUT  poll GET URL until 200; print seconds since T0_NS (a time.time_ns())
  seed   --url U --n N --out-ids F  create N images through the API, write ids of visible ones to F
  check  --url U --ids F          one GET, one list, one create+delete: each must be 2xx
  run    --url U --test T -c C ...  warm up, sample CPU, run wrk, sample CPU, append a JSON line to --results
  cleanup-cd --url U              delete leftover bench-cd images (create+delete runs)
  report --results F ...          print the Markdown report
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
CLK = int(os.environ.get("BENCH_CLK_TCK") or os.sysconf("SC_CLK_TCK"))  # getconf CLK_TCK

MEMBER = {"X-Identity-Status": "Confirmed", "X-Project-Id": "bench", "X-User-Id": "bench",
          "X-Roles": "member"}
ADMIN = dict(MEMBER, **{"X-Roles": "admin,member"})


def log(msg):
    print("# " + msg, file=sys.stderr, flush=True)


def die(msg):
    print("metabench: " + msg, file=sys.stderr, flush=True)
    sys.exit(2)


# ----------------------------------------------------------------------------- HTTP

class Client:
    """One keep-alive connection; reconnects once on a broken connection."""

    def __init__(self, url, headers):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.headers = dict(headers)
        self.conn = None

    def req(self, method, path, obj=None, headers=None, raw=None):
        h = dict(self.headers)
        if headers:
            h.update(headers)
        body = raw
        if obj is not None:
            body = json.dumps(obj).encode()
            h["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def json(self, method, path, obj=None, expect=(200,), headers=None):
        st, data = self.req(method, path, obj, headers)
        if st not in expect:
            raise RuntimeError("%s %s -> HTTP %d: %s" % (method, path, st, data[:300].decode(errors="replace")))
        return json.loads(data) if data else None


# ----------------------------------------------------------------------------- /proc sampling

def proc_stat(pid):
    """(utime+stime, cutime+cstime, starttime, ppid) in ticks, or None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] = state (field 3); field n is rest[n-3]
    return int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14]), int(rest[19]), int(rest[1])


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def children_of(ppid):
    out = []
    for p in all_pids():
        st = proc_stat(p)
        if st and st[3] == ppid:
            out.append(p)
    return out


BACKEND_RE = re.compile(r"^postgres: (?:\S+: )?(\S+) (\S+) (\S+\(\d+\)|\[local\])")


def pg_pids(spec):
    """PostgreSQL processes serving Glint.

    spec "tree:<postmaster pid>"  (embedded): the postmaster and all its children.
    spec "db:<dbname>"            (external, local): client backends of that database, their
                                  postmaster and its background processes (no other database's backends).
    Returns (pids, postmaster pid or None).
    """
    kind, _, arg = spec.partition(":")
    if kind == "tree":
        pm = int(arg)
        return [pm] + children_of(pm), pm
    if kind == "db":
        backends, postmasters = [], set()
        for p in all_pids():
            cl = cmdline(p)
            m = BACKEND_RE.match(cl)
            if m and m.group(2) == arg:
                st = proc_stat(p)
                if st:
                    backends.append(p)
                    postmasters.add(st[3])
        pids = list(backends)
        for pm in postmasters:
            pids.append(pm)
            for c in children_of(pm):
                if not BACKEND_RE.match(cmdline(c)):
                    pids.append(c)
        return sorted(set(pids)), None
    return [], None


def machine_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, sum(v[:8])


class Snapshot:
    def __init__(self, glint_pid, pg_spec):
        self.t = time.monotonic()
        st = proc_stat(glint_pid)
        if st is None:
            die("Glint (pid %d) is gone" % glint_pid)
        self.glint = st[0]
        self.pg = {}
        self.pg_children_done = 0
        if pg_spec:
            pids, pm = pg_pids(pg_spec)
            for p in pids:
                s = proc_stat(p)
                if s:
                    self.pg[p] = (s[0], s[2])
            if pm:
                s = proc_stat(pm)
                # CPU of postmaster children that exited (e.g. autovacuum workers), reaped by the postmaster
                self.pg_children_done = s[1] if s else 0
        self.busy, self.total = machine_ticks()
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children = ru.ru_utime + ru.ru_stime


def delta(a, b):
    """CPU seconds used between snapshots a and b."""
    pg = b.pg_children_done - a.pg_children_done
    for p, (ticks, start) in b.pg.items():
        before = a.pg.get(p)
        pg += ticks - (before[0] if before and before[1] == start else 0)
    return {
        "wall_s": b.t - a.t,
        "glint_cpu_s": (b.glint - a.glint) / CLK,
        "pg_cpu_s": pg / CLK,
        "pg_procs": len(b.pg),
        "machine_busy_s": (b.busy - a.busy) / CLK,
        "client_cpu_s": b.children - a.children,
    }


def mem_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# ----------------------------------------------------------------------------- commands

def cmd_copy_jar(a):
    """Copy a complete, runnable jar (a concurrent `mvn package` rewrites it in place: first the plain jar,
    then the shaded one). Retries until the copy has a Main-Class and the source did not change meanwhile."""
    import shutil
    import zipfile
    deadline = time.monotonic() + a.timeout
    while True:
        why = None
        try:
            st0 = os.stat(a.src)
            shutil.copyfile(a.src, a.dst)
            st1 = os.stat(a.src)
            if (st0.st_mtime_ns, st0.st_size) != (st1.st_mtime_ns, st1.st_size):
                why = "changed while copying"
            else:
                with zipfile.ZipFile(a.dst) as z:
                    manifest = z.read("META-INF/MANIFEST.MF").decode(errors="replace")
                    if "Main-Class:" not in manifest:
                        why = "has no Main-Class (a build is writing it?)"
                    elif not any(n.startswith("io/vertx/") for n in z.namelist()):
                        why = "is not the shaded jar (a build is writing it?)"
        except (OSError, zipfile.BadZipFile, KeyError) as e:
            why = "unreadable (%s)" % e
        if why is None:
            return
        if time.monotonic() >= deadline:
            die("%s %s; giving up after %d s" % (a.src, why, a.timeout))
        log("%s %s; retrying in 5 s" % (a.src, why))
        time.sleep(5)


def cmd_free_port(a):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_wait_ready(a):
    deadline = time.monotonic() + a.timeout
    u = urllib.parse.urlsplit(a.url)
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
            c.request("GET", u.path or "/")
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                print("%.2f" % ((time.time_ns() - a.t0_ns) / 1e9))
                return
        except OSError:
            pass
        if proc_stat(a.pid) is None:
            die("Glint exited during start-up")
        time.sleep(0.01)
    die("no 200 from %s within %d s" % (a.url, a.timeout))


DISTROS = [("ubuntu", ["20.04", "22.04", "24.04"]), ("debian", ["11", "12"]), ("centos", ["8", "9"]),
           ("fedora", ["39", "40"]), ("rocky", ["9.3"]), ("cirros", ["0.6.2"]), ("windows", ["2022"])]
FORMATS = ["raw"]  # the 1 KiB of data must pass the upload's format check (a raw image is anything)


def seed_spec(i):
    """(owner project, headers, body, members) of seed image i, shaped like images of real clouds (and like
    glancebench's `metadata` set, which has two tags and three custom properties per active image): 90 % owned
    by the bench project (public 35 %, shared 25 %, private 25 %, community 5 %), 10 % private/shared images of
    another project; two tags and five custom properties each. Members: each shared image of the bench project
    is shared with two other projects; the other project's shared images are shared with bench (half of
    them accepted, half pending)."""
    r = i % 20
    if r < 7:
        owner, vis = "bench", "public"
    elif r < 12:
        owner, vis = "bench", "shared"
    elif r < 17:
        owner, vis = "bench", "private"
    elif r < 18:
        owner, vis = "bench", "community"
    else:
        owner, vis = "other", ("private" if r == 18 else "shared")
    distro, versions = DISTROS[i % len(DISTROS)]
    ver = versions[(i // len(DISTROS)) % len(versions)]
    fmt = FORMATS[i % len(FORMATS)]
    body = {
        "name": "bench-%s-%s-%04d" % (distro, ver, i),
        "visibility": vis,
        "disk_format": fmt,
        "container_format": "bare",
        "min_disk": [0, 1, 10, 20][i % 4],
        "min_ram": [0, 512, 1024, 2048][i % 4],
        "tags": ["bench-meta", distro],
        "os_distro": distro,
        "os_version": ver,
        "architecture": "x86_64" if i % 5 else "aarch64",
        "hw_disk_bus": "virtio" if i % 2 else "scsi",
        "hw_qemu_guest_agent": "yes" if i % 3 else "no",
    }
    headers = dict(ADMIN if vis == "public" else MEMBER)
    headers["X-Project-Id"] = owner
    headers["X-User-Id"] = owner
    if vis != "shared":
        members = []
    elif owner == "bench":
        members = [("partner-%d" % (i % 7), "accepted"), ("partner-%d" % ((i + 3) % 7), "pending")]
    else:
        members = [("bench", "accepted" if (i // 20) % 2 == 0 else "pending")]
    return owner, headers, body, members


SEED_DATA = bytes(range(256)) * 4  # 1 KiB, as glancebench's metadata images


def cmd_seed(a):
    def work(chunk):
        c = Client(a.url, MEMBER)
        out = []
        for i in chunk:
            owner, headers, body, members = seed_spec(i)
            img = c.json("POST", "/v2/images", body, expect=(201,), headers=headers)
            st, data = c.req("PUT", "/v2/images/%s/file" % img["id"], None,
                             dict(headers, **{"Content-Type": "application/octet-stream"}), SEED_DATA)
            if st != 204:
                die("PUT /v2/images/%s/file -> HTTP %d: %s" % (img["id"], st, data[:300]))
            for member, status in members:
                c.json("POST", "/v2/images/%s/members" % img["id"], {"member": member}, headers=headers)
                if status != "pending":
                    as_member = dict(headers, **{"X-Project-Id": member, "X-User-Id": member})
                    c.json("PUT", "/v2/images/%s/members/%s" % (img["id"], member), {"status": status},
                           headers=as_member)
            out.append((owner, img["id"]))
        return out

    chunks = [list(range(k, a.n, a.workers)) for k in range(a.workers)]
    t0 = time.monotonic()
    made = []
    with concurrent.futures.ThreadPoolExecutor(a.workers) as ex:
        for res in ex.map(work, chunks):
            made.extend(res)
    visible = [i for owner, i in made if owner == "bench"]
    random.Random(42).shuffle(visible)
    with open(a.out_ids, "w") as f:
        f.write("\n".join(visible[:a.get_ids]) + "\n")
    log("seeded %d active images in %.1f s (%d owned by project bench; %d ids used for GET)"
        % (len(made), time.monotonic() - t0, len(visible), min(len(visible), a.get_ids)))


def count_visible(c, path="/v2/images?limit=1000"):
    n = 0
    while path:
        page = c.json("GET", path)
        n += len(page["images"])
        path = page.get("next")
    return n


def cmd_count(a):
    print(count_visible(Client(a.url, ADMIN if a.admin else MEMBER)))


def cmd_check(a):
    c = Client(a.url, MEMBER)
    with open(a.ids) as f:
        image_id = f.readline().strip()
    c.json("GET", "/v2/images/" + image_id)
    page = c.json("GET", "/v2/images?limit=25")
    if len(page["images"]) != 25:
        die("GET /v2/images?limit=25 returned %d images, expected 25" % len(page["images"]))
    if any(i["status"] != "active" or len(i["tags"]) != 2 for i in page["images"]):
        die("GET /v2/images?limit=25 listed images that are not active with two tags")
    for test in ("list_tag", "list_prop", "list_shared", "list_100"):
        n = len(c.json("GET", "/v2/images?" + list_query(test))["images"])
        if n < 1:
            die("%s listed no image" % TESTS[test][1])
    img = c.json("POST", "/v2/images", {"name": "bench-cd", "visibility": "private", "disk_format": "raw",
                                        "container_format": "bare"}, expect=(201,))
    st, data = c.req("DELETE", "/v2/images/" + img["id"])
    if st != 204:
        die("DELETE /v2/images/%s -> HTTP %d: %s" % (img["id"], st, data[:300]))
    log("pre-check ok: GET one image, list 25, create 201 + delete 204; %d images visible to project bench"
        % count_visible(c))


def cleanup_cd(url):
    c = Client(url, MEMBER)
    ids = []
    path = "/v2/images?name=bench-cd&limit=1000"
    while path:
        page = c.json("GET", path)
        ids += [i["id"] for i in page["images"]]
        path = page.get("next")
    bad = {}
    for i in ids:
        st, _ = c.req("DELETE", "/v2/images/" + i)
        # 404: a DELETE wrk sent just before its deadline completed after our listing
        if st not in (204, 404):
            bad[st] = bad.get(st, 0) + 1
    if bad:
        log("WARNING: deleting leftover bench-cd images failed: %s" % bad)
    return len(ids)


def cmd_cleanup_cd(a):
    n = cleanup_cd(a.url)
    if n:
        log("deleted %d leftover bench-cd images" % n)


TESTS = {
    "get": ("get.lua", "GET /v2/images/{id}"),
    "list": ("list.lua", "GET /v2/images?limit=25"),
    # filtered lists and a long page (the query is the test's LIST_QUERIES entry)
    "list_tag": ("list.lua", "GET /v2/images?tag=ubuntu&limit=25"),
    "list_prop": ("list.lua", "GET /v2/images?os_distro=debian&limit=25"),
    "list_shared": ("list.lua", "GET /v2/images?visibility=shared&limit=25"),
    "list_100": ("list.lua", "GET /v2/images?limit=100"),
    "create_delete": ("create_delete.lua", "POST + DELETE /v2/images (pairs)"),
    "v1_list": ("v1_list.lua", "GET /v1/images/detail?limit=25"),
    # scripts/bench-metadefs.sh
    "metadef_list": ("metadef_list.lua", "GET /v2/metadefs/namespaces"),
    "metadef_show": ("metadef_show.lua", "GET /v2/metadefs/namespaces/{namespace}"),
}


def list_query(test):
    """The query string of a list test (its label's, after the '?')."""
    return TESTS[test][1].split("?", 1)[1]


def wrk_script(test, run_dir):
    path = os.path.join(run_dir, "wrk-%s.lua" % test)
    with open(path, "w") as out:
        for name in ("common.lua", TESTS[test][0]):
            with open(os.path.join(HERE, name)) as f:
                out.write(f.read() + "\n")
    return path


def parse_kv(line):
    return {k: float(v) for k, v in (kv.split("=", 1) for kv in line.split()[1:])}


def run_wrk(a, script, duration, env):
    t = max(1, min(a.threads, a.c))
    cmd = ["wrk", "-t%d" % t, "-c%d" % a.c, "-d%ds" % duration, "--timeout", "%ds" % a.timeout, "-s", script,
           a.url.rstrip("/")]
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout
    if p.returncode != 0 or "\nWRK " not in "\n" + out:
        die("wrk failed (rc=%d): %s\ncommand: %s" % (p.returncode, out[-2000:], " ".join(cmd)))
    r = {}
    for line in out.splitlines():
        if line.startswith("WRK ") or line.startswith("WRKX "):
            r.update(parse_kv(line))
    r["wrk_cmd"] = " ".join(cmd)
    return r


def wait_quiet(max_wait, below):
    """Wait up to max_wait s for a 1-s window in which the whole machine is below `below` % of one core
    busy (Glint idles between runs, so this waits out other users' bursts). Returns that window's %."""
    deadline = time.monotonic() + max_wait
    while True:
        b0, _ = machine_ticks()
        time.sleep(1)
        b1, _ = machine_ticks()
        busy = 100.0 * (b1 - b0) / CLK
        if busy < below or time.monotonic() >= deadline:
            if busy >= below:
                log("machine still %.0f %% busy after waiting %d s: measuring anyway" % (busy, max_wait))
            return busy


def cmd_run(a):
    run_dir = a.run_dir
    hdr = os.path.join(run_dir, "headers.txt")
    with open(hdr, "w") as f:
        for k, v in MEMBER.items():
            f.write("%s: %s\n" % (k, v))
    env = dict(os.environ, BENCH_HDR_FILE=hdr, BENCH_IDS_FILE=a.ids)
    if TESTS[a.test][0] == "list.lua":
        env["BENCH_LIST_QUERY"] = list_query(a.test)
    script = wrk_script(a.test, run_dir)
    quiet = wait_quiet(a.quiet_wait, a.quiet_below) if a.quiet_wait > 0 else None
    if a.warmup > 0:
        log("%s c=%d: warm-up %d s" % (a.test, a.c, a.warmup))
        run_wrk(a, script, a.warmup, env)
        if a.test == "create_delete":
            cleanup_cd(a.url)
    log("%s c=%d: measuring %d s" % (a.test, a.c, a.duration))
    s0 = Snapshot(a.glint_pid, a.pg)
    w = run_wrk(a, script, a.duration, env)
    s1 = Snapshot(a.glint_pid, a.pg)
    d = delta(s0, s1)
    leftovers = cleanup_cd(a.url) if a.test == "create_delete" else 0
    secs = w["duration_us"] / 1e6
    if a.test == "create_delete":
        units = min(w.get("creates", 0), w.get("deletes", 0))
    else:
        units = w["requests"] - w["err_status"]
    sock_err = w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"]
    res = {
        "test": a.test, "c": a.c, "threads": max(1, min(a.threads, a.c)), "duration_s": secs,
        "requests": w["requests"], "units": units, "rate": units / secs if secs else 0.0,
        "req_rate": w["requests"] / secs if secs else 0.0,
        "p50_ms": w["lat_p50_us"] / 1000, "p90_ms": w["lat_p90_us"] / 1000, "p99_ms": w["lat_p99_us"] / 1000,
        "max_ms": w["lat_max_us"] / 1000, "mean_ms": w["lat_mean_us"] / 1000,
        # with the Lua response hook every non-2xx status is counted; without it, wrk's status errors (>= 400)
        "non_2xx": w["status_other"] if w["hook"] else w["err_status"],
        "first_bad_status": int(w["first_bad_status"]), "status_hook": bool(w["hook"]),
        "sock_err": sock_err, "err_timeout": w["err_timeout"], "err_connect": w["err_connect"],
        "err_read": w["err_read"], "err_write": w["err_write"], "wrk_err_status": w["err_status"],
        "creates": w.get("creates"), "deletes": w.get("deletes"), "create_no_id": w.get("create_no_id"),
        "leftovers": leftovers, "wrk_cmd": w["wrk_cmd"], "busy_before_pct": quiet,
    }
    res.update(d)
    res["glint_ms_per_unit"] = 1000 * d["glint_cpu_s"] / units if units else None
    res["pg_ms_per_unit"] = (1000 * d["pg_cpu_s"] / units if units else None) if a.pg else None
    with open(a.results, "a") as f:
        f.write(json.dumps(res) + "\n")
    errs = res["non_2xx"] + res["sock_err"]
    log("%s c=%d: %.0f %s/s  p50 %.2f ms  p99 %.2f ms  Glint %.3f core-ms  PG %s core-ms  errors %d"
        % (a.test, a.c, res["rate"], "pairs" if a.test == "create_delete" else "req", res["p50_ms"],
           res["p99_ms"], res["glint_ms_per_unit"] or 0,
           "%.3f" % res["pg_ms_per_unit"] if res["pg_ms_per_unit"] is not None else "n/a", errs))


def f(v, nd):
    if v is None:
        return "n/a"
    return ("%." + str(nd) + "f") % v


def f3(v):
    """3 significant-ish digits for small costs, fewer decimals for big ones."""
    if v is None:
        return "n/a"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    if v >= 1:
        return "%.2f" % v
    return "%.3f" % v


def read_run(results_path, info_path):
    """The JSON lines of a run's results and its key=value info file (written by the bench script)."""
    rows = []
    with open(results_path) as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    info = {}
    with open(info_path) as fh:
        for line in fh:
            k, sep, v = line.rstrip("\n").partition("=")
            if sep:
                info[k] = v
    return rows, info


def facts_lines(info):
    """The report lines every benchmark starts with: command, machine, JDK, which Glint (lib.sh run_facts)."""
    return [
        "- Command: `%s`" % info["command"],
        "- Machine: %s cores (nproc), %s, %s" % (info["nproc"], info["cpu"], info["kernel"]),
        "- JDK: %s; JVM options: %s" % (info["jdk"], info["jvm_opts"] or "(none)"),
        "- Glint: commit %s%s, jar built %s" % (info["commit"], info["dirty"], info["jar_time"]),
    ]


def cmd_report(a):
    rows, info = read_run(a.results, a.info)
    info["embedded"] = info.get("embedded") == "1"
    out = []
    w = out.append
    w("# Glint metadata benchmark, %s" % info["date"])
    w("")
    out.extend(facts_lines(info))
    w("- Database: %s" % info["db"])
    w("- Data: %s active images (1 KiB of data each, so checksum, os_hash_value, size and a location) seeded "
      "through the API in %s (bench project: 35 %% public, 25 %% shared with two other projects, 25 %% private, "
      "5 %% community; 10 %% private/shared of another project, half of its shared ones accepted by bench; "
      "5 custom properties and 2 tags each); "
      "%s visible to the benchmark identity; GET spreads over %s ids"
      % (info["images"], info["seed_time"], info["visible"], info["get_ids"]))
    w("- Planner statistics: %s" % info["analyzed"])
    w("- Start-up: %s s from launching java to the first 200 on `GET /versions`%s"
      % (info["startup_s"], " (includes initdb + start of the embedded PostgreSQL in a fresh data dir)"
         if info["embedded"] else ""))
    w("- Load: wrk %s, %s threads (at most one per connection), %s s per run after a %s s warm-up, keep-alive; "
      "identity headers `X-Identity-Status: Confirmed`, `X-Project-Id: bench`, `X-User-Id: bench`, "
      "`X-Roles: member`" % (info["wrk"], info["threads"], info["duration"], info["warmup"]))
    w("")
    w("| endpoint | connections | req/s | p50 ms | p99 ms | Glint core-ms/req | PostgreSQL core-ms/req | errors |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        name = TESTS[r["test"]][1]
        rate = f(r["rate"], 0) + (" pairs/s" if r["test"] == "create_delete" else "")
        errs = int(r["non_2xx"] + r["sock_err"])
        e = str(errs)
        if errs:
            parts = []
            if r["non_2xx"]:
                parts.append("%d non-2xx%s" % (r["non_2xx"], ", first %d" % r["first_bad_status"]
                                                if r["first_bad_status"] else ""))
            for k in ("err_connect", "err_read", "err_write", "err_timeout"):
                if r[k]:
                    parts.append("%d %s" % (r[k], k[4:]))
            e += " (" + "; ".join(parts) + ")"
        w("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
            name, r["c"], rate, f(r["p50_ms"], 2), f(r["p99_ms"], 2), f3(r["glint_ms_per_unit"]),
            f3(r["pg_ms_per_unit"]), e))
    w("")
    w("create+delete: req/s column = completed pairs/s (min of 201 creates and 204 deletes per second); "
      "latency = per request (create or delete); CPU per pair. Latency percentiles are wrk's (wrk 4 adds its "
      "coordinated-omission correction to the histogram). Errors = non-2xx responses (create+delete: every "
      "status, counted in wrk's Lua response hook; GETs: wrk's count of responses >= 400) + socket errors "
      "(connect, read, write, timeout > %s s). CPU = utime+stime from "
      "/proc/<pid>/stat (CLK_TCK %d) of Glint's JVM%s, sampled before and after each run."
      % (info["timeout"], CLK, (", and of " + info["pg_what"]) if info["pg_what"] else
         "; PostgreSQL not measured (not on this host)"))
    w("")
    w("Glint memory after the runs: VmHWM %s MiB, VmRSS %s MiB." % (info["hwm_mib"], info["rss_mib"]))
    w("")
    w("Run details (CPU as %% of one core over the measured window; \"other\" = whole machine minus Glint, "
      "PostgreSQL and wrk, i.e. load from anything else (approximate: whole-machine and per-process CPU accounting "
      "differ by up to ~15 %% of a core, hence small negative values); \"busy before\" = whole machine in the 1-s window "
      "before the warm-up, after waiting up to %s s for it to fall below %s %%):" % (info["quiet_wait"], info["quiet_below"]))
    w("")
    w("| endpoint | c | requests | req/s (all) | mean ms | max ms | Glint CPU % | PostgreSQL CPU % | wrk CPU % "
      "| other CPU % | machine busy before % |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        wall = r["wall_s"] or 1
        other = r["machine_busy_s"] - r["glint_cpu_s"] - r["pg_cpu_s"] - r["client_cpu_s"]
        w("| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["test"], r["c"], r["requests"], f(r["req_rate"], 0), f(r["mean_ms"], 2), f(r["max_ms"], 1),
            f(100 * r["glint_cpu_s"] / wall, 0), f(100 * r["pg_cpu_s"] / wall, 0) if info["pg_what"] else "n/a",
            f(100 * r["client_cpu_s"] / wall, 0), f(100 * other / wall, 0), f(r.get("busy_before_pct"), 0)))
    print("\n".join(out))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("free-port")
    s = sub.add_parser("copy-jar")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("--timeout", type=int, default=300)
    s = sub.add_parser("wait-ready")
    s.add_argument("url")
    s.add_argument("pid", type=int)
    s.add_argument("t0_ns", type=int)
    s.add_argument("timeout", type=int)
    s = sub.add_parser("seed")
    s.add_argument("--url", required=True)
    s.add_argument("--n", type=int, default=1000)
    s.add_argument("--workers", type=int, default=8)
    s.add_argument("--get-ids", type=int, default=256)
    s.add_argument("--out-ids", required=True)
    s = sub.add_parser("count")
    s.add_argument("--url", required=True)
    s.add_argument("--admin", action="store_true")
    s = sub.add_parser("check")
    s.add_argument("--url", required=True)
    s.add_argument("--ids", required=True)
    s = sub.add_parser("cleanup-cd")
    s.add_argument("--url", required=True)
    s = sub.add_parser("run")
    s.add_argument("--url", required=True)
    s.add_argument("--test", choices=sorted(TESTS), required=True)
    s.add_argument("-c", type=int, required=True)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--duration", type=int, default=10)
    s.add_argument("--warmup", type=int, default=2)
    s.add_argument("--timeout", type=int, default=30)
    s.add_argument("--quiet-wait", type=int, default=30)
    s.add_argument("--quiet-below", type=float, default=50.0)
    s.add_argument("--ids", required=True)
    s.add_argument("--glint-pid", type=int, required=True)
    s.add_argument("--pg", default="", help="tree:<postmaster pid> or db:<dbname>; empty = not measured")
    s.add_argument("--run-dir", required=True)
    s.add_argument("--results", required=True)
    s = sub.add_parser("mem")
    s.add_argument("pid", type=int)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--info", required=True)
    a = p.parse_args()
    if a.cmd == "mem":
        hwm, rss = mem_kb(a.pid, "VmHWM"), mem_kb(a.pid, "VmRSS")
        print("%s %s" % (f(hwm / 1024, 0) if hwm else "n/a", f(rss / 1024, 0) if rss else "n/a"))
        return
    {"free-port": cmd_free_port, "copy-jar": cmd_copy_jar, "wait-ready": cmd_wait_ready, "seed": cmd_seed, "count": cmd_count,
     "check": cmd_check, "cleanup-cd": cmd_cleanup_cd, "run": cmd_run, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)

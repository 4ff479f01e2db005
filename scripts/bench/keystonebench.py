#!/usr/bin/env python3
"""Helper of scripts/bench-keystone.sh (Python 3 standard library only; measuring reuses metabench.py).

Subcommands (all print to stdout, progress to stderr):
  stub   --port P --tokens N --tokens-out F   a small Keystone: mints N user tokens (project "bench", roles
                                              member and reader) into F, then serves POST/GET /v3/auth/tokens
                                              as Keystone does and counts validations (GET /_stats) until killed
  stats  --url U                              the stub's counts as JSON
  run    --url U --mode M -c C ...            warm up, sample CPU, run wrk, sample CPU, append a JSON line
  report --results F --info F                 print the Markdown report
"""

import argparse
import base64
import datetime
import http.server
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import metabench  # noqa: E402  (the wrk runner, /proc sampling, quiet-machine wait)

SERVICE_USER, SERVICE_PASSWORD = "glance", "bench-secret"


def log(msg):
    print("# " + msg, file=sys.stderr, flush=True)


def die(msg):
    print("keystonebench: " + msg, file=sys.stderr, flush=True)
    sys.exit(2)


# ----------------------------------------------------------------------------- the stub Keystone

def iso(t):
    """Keystone's time format: 2015-11-07T02:58:43.578887Z."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_token():
    """A Fernet-looking token id (~186 URL-safe characters)."""
    return "gAAAAA" + base64.urlsafe_b64encode(os.urandom(135)).decode().rstrip("=")


def token_body(user, project, roles, issued, expires, catalog):
    """A token body shaped as Keystone's api-ref sample auth-password-project-scoped-response.json."""
    domain = {"id": "default", "name": "Default"}
    body = {"token": {
        "methods": ["password"],
        "user": {"domain": domain, "id": user, "name": user, "password_expires_at": None},
        "audit_ids": [new_token()[6:28]],
        "expires_at": iso(expires), "issued_at": iso(issued),
        "project": {"domain": domain, "id": project, "name": project},
        "is_domain": False,
        "roles": [{"id": "r-" + r, "name": r} for r in roles],
    }}
    if catalog is not None:
        body["token"]["catalog"] = catalog
    return json.dumps(body).encode()


class Stub:
    def __init__(self, n_tokens, lifetime, url):
        now = time.time()
        self.url = url
        self.catalog = [{"type": "identity", "name": "keystone", "id": "k", "endpoints": [
            {"id": "e-" + i, "interface": i, "region": "RegionOne", "region_id": "RegionOne", "url": url + "/v3/"}
            for i in ("public", "internal", "admin")]}]
        self.lock = threading.Lock()
        self.tokens = {}  # token -> (body with catalog, body without)
        for _ in range(n_tokens):
            t = new_token()
            self.tokens[t] = tuple(token_body("bench", "bench", ["member", "reader"], now, now + lifetime, c)
                                   for c in (self.catalog, None))
        self.service = {}
        self.per_token = {}
        self.validations = 0
        self.service_auths = 0
        self.lifetime = lifetime


def make_handler(stub):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body, headers=()):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "X-Auth-Token")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def error(self, status, message, title):
            self.send(status, json.dumps({"error": {"code": status, "message": message, "title": title}}).encode())

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/v3/auth/tokens":
                return self.error(404, "The resource could not be found.", "Not Found")
            try:
                user = json.loads(body)["auth"]["identity"]["password"]["user"]
                ok = user.get("name") == SERVICE_USER and user.get("password") == SERVICE_PASSWORD
            except (ValueError, KeyError, TypeError):
                ok = False
            if not ok:
                return self.error(401, "The request you have made requires authentication.", "Unauthorized")
            now = time.time()
            t = new_token()
            with stub.lock:
                stub.service[t] = now + stub.lifetime
                stub.service_auths += 1
            self.send(201, token_body("glance", "service", ["service", "admin"], now, now + stub.lifetime,
                                      stub.catalog), [("X-Subject-Token", t)])

        def do_GET(self):
            if self.path == "/_stats":
                with stub.lock:
                    counts = list(stub.per_token.values())
                    s = {"validations": stub.validations, "distinct": len(counts),
                         "max_per_token": max(counts) if counts else 0, "tokens": len(stub.tokens),
                         "service_auths": stub.service_auths}
                return self.send(200, json.dumps(s).encode())
            if not self.path.startswith("/v3/auth/tokens"):
                return self.error(404, "The resource could not be found.", "Not Found")
            subject = self.headers.get("X-Subject-Token")
            with stub.lock:
                stub.validations += 1
                stub.per_token[subject] = stub.per_token.get(subject, 0) + 1
                expires = stub.service.get(self.headers.get("X-Auth-Token"))
            if expires is None or expires <= time.time():
                return self.error(401, "The request you have made requires authentication.", "Unauthorized")
            bodies = stub.tokens.get(subject)
            if bodies is None:
                return self.error(404, "Could not find token: %s." % subject, "Not Found")
            self.send(200, bodies[1] if "nocatalog" in self.path else bodies[0], [("X-Subject-Token", subject)])

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256


def cmd_stub(a):
    url = "http://127.0.0.1:%d" % a.port
    stub = Stub(a.tokens, a.lifetime, url)
    with open(a.tokens_out, "w") as f:
        f.write("\n".join(stub.tokens) + "\n")
    server = Server(("127.0.0.1", a.port), make_handler(stub))
    log("stub Keystone on %s with %d tokens" % (url, a.tokens))
    server.serve_forever()


def stats(url):
    with urllib.request.urlopen(url + "/_stats", timeout=10) as r:
        return json.loads(r.read())


def cmd_stats(a):
    print(json.dumps(stats(a.url)))


# ----------------------------------------------------------------------------- measuring

LUA = {
    # the trusted-headers run: metabench's common.lua (identity headers from $BENCH_HDR_FILE) + get.lua
    "trusted": None,
    # the keystone run: a token drawn per request from $BENCH_TOKENS_FILE, an image id from $BENCH_IDS_FILE
    "keystone": """
local ids, hdrs = {}, {}
function init(args)
  local f = assert(io.open(os.getenv("BENCH_IDS_FILE"), "r"))
  for line in f:lines() do if #line > 0 then ids[#ids + 1] = line end end
  f:close()
  f = assert(io.open(os.getenv("BENCH_TOKENS_FILE"), "r"))
  for line in f:lines() do if #line > 0 then hdrs[#hdrs + 1] = {["X-Auth-Token"] = line} end end
  f:close()
  assert(#ids > 0 and #hdrs > 0, "no ids or no tokens")
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 1000003)
end
function request()
  return wrk.format("GET", "/v2/images/" .. ids[math.random(#ids)], hdrs[math.random(#hdrs)])
end
""",
}


def wrk_script(mode, run_dir):
    path = os.path.join(run_dir, "wrk-%s.lua" % mode)
    with open(path, "w") as out:
        with open(os.path.join(HERE, "common.lua")) as f:
            out.write(f.read() + "\n")
        if mode == "trusted":
            with open(os.path.join(HERE, "get.lua")) as f:
                out.write(f.read() + "\n")
        else:
            out.write(LUA[mode])
    return path


def cmd_run(a):
    hdr = os.path.join(a.run_dir, "headers-%s.txt" % a.mode)
    with open(hdr, "w") as f:
        if a.mode == "trusted":
            for k, v in metabench.MEMBER.items():
                f.write("%s: %s\n" % (k, v))
    env = dict(os.environ, BENCH_HDR_FILE=hdr, BENCH_IDS_FILE=a.ids, BENCH_TOKENS_FILE=a.tokens)
    script = wrk_script(a.mode, a.run_dir)
    quiet = metabench.wait_quiet(a.quiet_wait, 50) if a.quiet_wait > 0 else None
    before = stats(a.stub) if a.stub else None
    if a.warmup > 0:
        log("%s round %d: warm-up %d s" % (a.mode, a.round, a.warmup))
        metabench.run_wrk(a, script, a.warmup, env)
    warm = stats(a.stub) if a.stub else None
    log("%s round %d: measuring %d s" % (a.mode, a.round, a.duration))
    s0 = metabench.Snapshot(a.glint_pid, a.pg)
    w = metabench.run_wrk(a, script, a.duration, env)
    s1 = metabench.Snapshot(a.glint_pid, a.pg)
    after = stats(a.stub) if a.stub else None
    d = metabench.delta(s0, s1)
    secs = w["duration_us"] / 1e6
    ok = w["requests"] - w["err_status"]
    res = {
        "mode": a.mode, "round": a.round, "c": a.c, "duration_s": secs, "requests": w["requests"],
        "rate": ok / secs if secs else 0.0, "p50_ms": w["lat_p50_us"] / 1000, "p99_ms": w["lat_p99_us"] / 1000,
        "non_2xx": w["err_status"],
        "sock_err": w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"],
        "glint_ms_per_req": 1000 * d["glint_cpu_s"] / ok if ok else None,
        "pg_ms_per_req": 1000 * d["pg_cpu_s"] / ok if ok else None,
        "validations_warmup": (warm["validations"] - before["validations"]) if a.stub else None,
        "validations_measured": (after["validations"] - warm["validations"]) if a.stub else None,
        "busy_before_pct": quiet, "wrk_cmd": w["wrk_cmd"],
    }
    res.update(d)
    with open(a.results, "a") as f:
        f.write(json.dumps(res) + "\n")
    log("%s round %d: %.0f req/s  p50 %.2f ms  p99 %.2f ms  Glint %.3f core-ms/req  errors %d%s"
        % (a.mode, a.round, res["rate"], res["p50_ms"], res["p99_ms"], res["glint_ms_per_req"] or 0,
           res["non_2xx"] + res["sock_err"],
           "  validations: %d in warm-up, %d measured" % (res["validations_warmup"], res["validations_measured"])
           if a.stub else ""))


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return (xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2) if xs else None


def cmd_report(a):
    rows, info = metabench.read_run(a.results, a.info)
    f, f3 = metabench.f, metabench.f3
    by = {m: [r for r in rows if r["mode"] == m] for m in ("trusted", "keystone")}
    med = {m: median([r["rate"] for r in by[m]]) for m in by}
    ratio = med["keystone"] / med["trusted"] if med["trusted"] else None
    stub = json.loads(info["stub_stats"])
    out = []
    w = out.append
    w("# Glint Keystone-mode benchmark, %s" % info["date"])
    w("")
    out.extend(metabench.facts_lines(info))
    w("- Two Glints on one embedded PostgreSQL (%s images seeded, GET spreads over %s ids visible to project "
      "`bench`): one in trusted-headers mode (`X-Identity-Status: Confirmed`, `X-Project-Id: bench`, "
      "`X-Roles: member`), one in keystone mode (`[keystone_authtoken]` against a stub Keystone, "
      "scripts/bench/keystonebench.py, token_cache_time %s s) with %s distinct tokens of project `bench`, one "
      "drawn at random per request" % (info["images"], info["get_ids"], info["token_cache_time"], stub["tokens"]))
    w("- Load: `GET /v2/images/{id}`, wrk %s, %s connections, %s threads, %s s per run after a %s s warm-up; "
      "the modes alternate, %s rounds each" % (info["wrk"], info["connections"], info["threads"],
                                                info["duration"], info["warmup"], info["rounds"]))
    w("")
    w("| mode | round | req/s | p50 ms | p99 ms | Glint core-ms/req | PostgreSQL core-ms/req | errors | Keystone "
      "validations (warm-up / measured) | other CPU % |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        v = "–" if r["validations_warmup"] is None else "%d / %d" % (r["validations_warmup"],
                                                                     r["validations_measured"])
        wall = r["wall_s"] or 1
        other = r["machine_busy_s"] - r["glint_cpu_s"] - r["pg_cpu_s"] - r["client_cpu_s"]
        w("| %s | %d | %s | %s | %s | %s | %s | %d | %s | %s |" % (
            r["mode"], r["round"], f(r["rate"], 0), f(r["p50_ms"], 2), f(r["p99_ms"], 2),
            f3(r["glint_ms_per_req"]), f3(r["pg_ms_per_req"]), int(r["non_2xx"] + r["sock_err"]), v,
            f(100 * other / wall, 0)))
    w("")
    w("Median req/s: trusted headers %s, keystone %s: **keystone / trusted = %s** (target >= 0.80)."
      % (f(med["trusted"], 0), f(med["keystone"], 0), f(ratio, 2) if ratio else "n/a"))
    w("")
    w("Stub Keystone after the runs: %d validations for %d distinct tokens (of %d), at most **%d per token** "
      "(target <= 1); Glint authenticated itself %d time(s). Run time %s s." % (
          stub["validations"], stub["distinct"], stub["tokens"], stub["max_per_token"], stub["service_auths"],
          info["elapsed_s"]))
    w("")
    w("Before the rounds, each Glint served %s s of the same load, unmeasured (JIT warm-up; the keystone Glint "
      "validated the tokens then). CPU = utime+stime from /proc/<pid>/stat of the measured Glint's JVM and of the "
      "embedded PostgreSQL (both Glints' queries; image rows are cached, so it is idle), sampled before and after "
      "each run; \"other CPU %%\" = the whole machine minus Glint, PostgreSQL and wrk, as %% of one core (other "
      "users of the machine; the idle Glint and the stub). The load generator shares the machine: compare "
      "same-run ratios and CPU per request." % info["initial_warmup"])
    print("\n".join(out))
    if ratio is not None and ratio < 0.8:
        log("keystone rate is %.2f of trusted-headers (target 0.80)" % ratio)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stub")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--tokens", type=int, default=1000)
    s.add_argument("--lifetime", type=int, default=4 * 3600)
    s.add_argument("--tokens-out", required=True)
    s = sub.add_parser("stats")
    s.add_argument("--url", required=True)
    s = sub.add_parser("run")
    s.add_argument("--url", required=True)
    s.add_argument("--mode", choices=["trusted", "keystone"], required=True)
    s.add_argument("--round", type=int, default=1)
    s.add_argument("-c", type=int, default=64)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--duration", type=int, default=10)
    s.add_argument("--warmup", type=int, default=3)
    s.add_argument("--timeout", type=int, default=30)
    s.add_argument("--quiet-wait", type=int, default=10)
    s.add_argument("--ids", required=True)
    s.add_argument("--tokens", default="")
    s.add_argument("--stub", default="", help="the stub's URL: its validation counts go into the results")
    s.add_argument("--glint-pid", type=int, required=True)
    s.add_argument("--pg", default="")
    s.add_argument("--run-dir", required=True)
    s.add_argument("--results", required=True)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True)
    s.add_argument("--info", required=True)
    a = p.parse_args()
    {"stub": cmd_stub, "stats": cmd_stats, "run": cmd_run, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)

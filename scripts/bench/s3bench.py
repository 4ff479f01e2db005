#!/usr/bin/env python3
"""Measurements of scripts/bench-s3.sh: transfers through Glint's S3 store beside the same S3 server used directly.

  s3bench.py run     ... one sitting: uploads and/or downloads at each client count, through Glint and directly,
                         alternating which goes first; appends JSON lines
  s3bench.py report  JSONL     the markdown tables (medians over rounds, same-round ratios)
  s3bench.py verify  ...       one large image through Glint: upload, checksum, download, compare (the 5 GiB run)

Clients are curl processes (a new connection per transfer). Direct S3 requests are signed by curl (--aws-sigv4, with
UNSIGNED-PAYLOAD as Glint's SDK sends). Glint's CPU is its own process's (utime + stime from /proc, all threads; the
embedded PostgreSQL is another process), its memory VmRSS sampled every 0.2 s during each transfer set.
"""
import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import re
import threading
import time
import urllib.parse
import urllib.request

CLK = os.sysconf("SC_CLK_TCK")
IDENT = ["-H", "X-Identity-Status: Confirmed", "-H", "X-Project-Id: bench", "-H", "X-Roles: member"]


def ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """VmRSS of a process every 0.2 s while running: the maximum seen."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.max_kib, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                self.max_kib = max(self.max_kib, rss_kib(self.pid))
            except OSError:
                return
            self.done.wait(0.2)

    def stop(self):
        self.done.set()
        self.join()
        return self.max_kib


def parallel(commands):
    """Runs curl commands at once; returns wall seconds. Each must print its HTTP status and succeed."""
    start = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    outs = [p.communicate() for p in procs]
    wall = time.monotonic() - start
    for p, (out, err) in zip(procs, outs):
        code = out.strip().split()[-1] if out.strip() else "none"
        if p.returncode != 0 or not code.startswith("2"):
            raise SystemExit(f"transfer failed (curl exit {p.returncode}, HTTP {code}): {err.strip()[:300]}")
    return wall


class Bench:
    def __init__(self, a):
        self.a = a
        self.sig = ["--aws-sigv4", f"aws:amz:{a.region}:s3", "--user", f"{a.access}:{a.secret}",
                    "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]

    # ------------------------------------------------------------------------------------------ Glint API
    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.a.glint + path, data=data, method=method, headers={
            "X-Identity-Status": "Confirmed", "X-Project-Id": "bench", "X-Roles": "member",
            "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            text = r.read()
            return json.loads(text) if text else None

    def new_image(self):
        return self.api("POST", "/v2/images", {"name": "bench", "disk_format": "raw", "container_format": "bare"})["id"]

    def glint_put(self, image_id):
        return ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Expect:",
                "-H", "Content-Type: application/octet-stream", *IDENT, "-T", self.a.file,
                f"{self.a.glint}/v2/images/{image_id}/file"]

    def glint_get(self, image_id):
        return ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *IDENT,
                f"{self.a.glint}/v2/images/{image_id}/file"]

    def s3_put(self, key):
        return ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *self.sig, "-T", self.a.file,
                f"{self.a.s3}/{self.a.bucket}/{key}"]

    def s3_multipart(self, key):
        """One direct client's multipart upload, as the AWS CLI sends a large file: initiate, the parts one after the
        other on one connection (one curl for all of them), complete. Returns the wall seconds."""
        url = f"{self.a.s3}/{self.a.bucket}/{key}"
        start = time.monotonic()
        out = subprocess.run(["curl", "-sS", "-f", "-X", "POST", *self.sig, url + "?uploads="], capture_output=True,
                             text=True, check=True).stdout
        upload_id = urllib.parse.quote(re.search(r"<UploadId>([^<]+)</UploadId>", out).group(1), safe="")
        cmd = ["curl", "-sS", "-f", "-w", "%{http_code} %header{etag}\n", *self.sig]
        for n, part in enumerate(self.parts, 1):
            cmd += ["-o", "/dev/null", "-T", part, f"{url}?partNumber={n}&uploadId={upload_id}"]
        lines = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
        codes, etags = lines[0::2], lines[1::2]
        if len(etags) != len(self.parts) or any(c != "200" for c in codes):
            raise SystemExit(f"direct multipart upload failed: {lines[:6]}")
        body = "<CompleteMultipartUpload>" + "".join(
            f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in enumerate(etags, 1)) \
            + "</CompleteMultipartUpload>"
        done = subprocess.run(["curl", "-sS", "-f", "-X", "POST", *self.sig, "-H", "Content-Type: application/xml",
                               "--data-binary", body, f"{url}?uploadId={upload_id}"], capture_output=True, text=True,
                              check=True).stdout
        if "<Error>" in done or "CompleteMultipartUploadResult" not in done:
            raise SystemExit(f"completing a direct multipart upload failed: {done[:300]}")
        return time.monotonic() - start

    def split_parts(self):
        """The source file cut into parts of --direct-part-mib, beside it (read from the page cache by curl)."""
        size = self.a.direct_part_mib * 1048576
        self.parts = []
        with open(self.a.file, "rb") as f:
            n = 0
            while chunk := f.read(size):
                n += 1
                path = f"{self.a.file}.part{n:05d}"
                with open(path, "wb") as p:
                    p.write(chunk)
                self.parts.append(path)

    def s3_get(self, key):
        return ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *self.sig, f"{self.a.s3}/{self.a.bucket}/{key}"]

    def relay_get(self, key):
        """The object through the reference relay (HAProxy in splice mode in front of the S3 server), signed for it."""
        return ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *self.sig, f"{self.a.relay}/{self.a.bucket}/{key}"]

    def s3_delete(self, key):
        subprocess.run(["curl", "-sS", "-o", "/dev/null", "-X", "DELETE", *self.sig,
                        f"{self.a.s3}/{self.a.bucket}/{key}"], check=True)

    # ------------------------------------------------------------------------------------------ measuring
    def measure_glint(self, commands, nbytes, pid=None):
        pid = pid or self.a.glint_pid
        sampler = Sampler(pid)
        sampler.start()
        t0 = ticks(pid)
        wall = parallel(commands)
        t1 = ticks(pid)
        rss = sampler.stop()
        return {"mbs": nbytes / 1e6 / wall, "core_s_per_gb": (t1 - t0) / CLK / (nbytes / 1e9), "rss_mib": rss / 1024,
                "wall": wall}

    def measure_direct(self, commands, nbytes):
        wall = parallel(commands)
        return {"mbs": nbytes / 1e6 / wall, "wall": wall}

    def measure_direct_multipart(self, keys, nbytes):
        errors = []

        def one(key):
            try:
                self.s3_multipart(key)
            except BaseException as e:  # noqa: B036 -- reported below, the round fails
                errors.append(e)

        start = time.monotonic()
        threads = [threading.Thread(target=one, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - start
        if errors:
            raise SystemExit(f"direct multipart upload failed: {errors[0]}")
        return {"mbs": nbytes / 1e6 / wall, "wall": wall}

    def upload_round(self, clients, rnd):
        total = clients * self.a.size
        ids = [self.new_image() for _ in range(clients)]
        keys = [f"direct-{rnd}-{i}" for i in range(clients)]

        def glint():
            return self.measure_glint([self.glint_put(i) for i in ids], total)

        def direct():
            if self.a.direct_part_mib:
                return self.measure_direct_multipart(keys, total)
            return self.measure_direct([self.s3_put(k) for k in keys], total)

        g, d = (glint(), direct()) if rnd % 2 == 0 else tuple(reversed((direct(), glint())))
        for i in ids:
            self.api("DELETE", f"/v2/images/{i}")
        for k in keys:
            self.s3_delete(k)
        return g, d

    def download_round(self, clients, rnd, image_id, key):
        total = clients * self.a.size

        def glint():
            return self.measure_glint([self.glint_get(image_id) for _ in range(clients)], total)

        def direct():
            return self.measure_direct([self.s3_get(key) for _ in range(clients)], total)

        if not self.a.relay:
            return ((glint(), direct()) if rnd % 2 == 0 else tuple(reversed((direct(), glint())))) + (None,)
        # With the reference relay, the three take turns going first.
        def relay():
            return self.measure_glint([self.relay_get(key) for _ in range(clients)], total, self.a.relay_pid)

        order = [glint, relay, direct]
        order = order[rnd % 3:] + order[:rnd % 3]
        got = {f: f() for f in order}
        return got[glint], got[direct], got[relay]

    def run(self):
        a = self.a
        out = open(a.out, "a")
        phases = a.phases.split(",")
        clients = [int(c) for c in a.clients.split()]
        if a.direct_part_mib:
            self.split_parts()
        # Warm-up: transfers each way through both paths (JIT, page cache). Two through Glint: on a fresh JVM the
        # first 1 GiB upload costs ~7 core-s/GB and the second ~4 (the JIT compiling, 2.3 and 1.0 core-s), then
        # ~3.2; with one, the first round measured a JVM still compiling.
        for n in range(2):
            warm_id = self.new_image()
            parallel([self.glint_put(warm_id)])
            if n == 0:
                self.api("DELETE", f"/v2/images/{warm_id}")
        image_id = warm_id
        info = self.api("GET", f"/v2/images/{image_id}")
        key = info["direct_url"].split(f"/{a.bucket}/", 1)[1]
        parallel([self.s3_put("warm")])
        self.s3_delete("warm")
        parallel([self.glint_get(image_id)])
        parallel([self.glint_get(image_id)])
        parallel([self.s3_get(key)])
        for n, phase in enumerate(phases):
            if phase == "down" and n > 0:
                # The uploads before have pushed the object out of the page cache and the download path's code out
                # of the JIT's attention: warm both again, as at the start, so that the first download measured does
                # not pay for them alone.
                parallel([self.glint_get(image_id)])
                parallel([self.s3_get(key)])
            for c in clients:
                for rnd in range(a.first_round - 1, a.first_round - 1 + a.rounds):
                    relay = None
                    if phase == "up":
                        g, d = self.upload_round(c, rnd)
                    else:
                        g, d, relay = self.download_round(c, rnd, image_id, key)
                    row = {"label": a.label, "phase": phase, "clients": c, "round": rnd + 1, "size": a.size,
                           "glint": g, "direct": d, "ratio": g["mbs"] / d["mbs"]}
                    if relay:
                        row["relay"] = relay
                        print(f"  HAProxy splice relay: {relay['mbs']:.0f} MB/s ({relay['core_s_per_gb']:.2f} core-s/GB),"
                              f" ratio {relay['mbs'] / d['mbs']:.2f}", file=sys.stderr)
                    print(f"{a.label} {phase} c={c} r={rnd + 1}: Glint {g['mbs']:.0f} MB/s "
                          f"({g['core_s_per_gb']:.2f} core-s/GB, RSS max {g['rss_mib']:.0f} MiB), direct "
                          f"{d['mbs']:.0f} MB/s, ratio {row['ratio']:.2f}", file=sys.stderr)
                    out.write(json.dumps(row) + "\n")
                    out.flush()
        self.api("DELETE", f"/v2/images/{image_id}")


def report(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    groups = {}
    for r in rows:
        groups.setdefault((r["label"], r["phase"], r["clients"]), []).append(r)
    print("| Glint | transfer | clients | direct MB/s | through Glint MB/s | Glint / direct | Glint core-s/GB "
          "| Glint RSS max |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")

    def med(xs, fmt):
        m = statistics.median(xs)
        return fmt.format(m) if len(xs) == 1 else (fmt + " ({}–{})").format(m, fmt.format(min(xs)), fmt.format(max(xs)))

    for (label, phase, clients), rs in groups.items():
        size = rs[0]["size"]
        what = ("upload" if phase == "up" else "download") + f" {size / 2**30:g} GiB"
        print(f"| {label} | {what} | {clients} | {med([r['direct']['mbs'] for r in rs], '{:.0f}')} "
              f"| {med([r['glint']['mbs'] for r in rs], '{:.0f}')} | {med([r['ratio'] for r in rs], '{:.2f}')} "
              f"| {med([r['glint']['core_s_per_gb'] for r in rs], '{:.2f}')} "
              f"| {max(r['glint']['rss_mib'] for r in rs):.0f} MiB |")


    relayed = [r for r in rows if "relay" in r]
    if relayed:
        print()
        print("Downloads beside a reference relay: HAProxy in splice mode (socket to socket in the kernel, as Glint) "
              "in front of the same S3 server, on Glint's CPUs, in the same rounds (the three take turns going first):")
        print()
        print("| clients | direct MB/s | Glint MB/s | HAProxy MB/s | Glint / direct | HAProxy / direct "
              "| Glint core-s/GB | HAProxy core-s/GB |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for clients in sorted({r["clients"] for r in relayed}):
            rs = [r for r in relayed if r["clients"] == clients]
            print(f"| {clients} | {med([r['direct']['mbs'] for r in rs], '{:.0f}')} "
                  f"| {med([r['glint']['mbs'] for r in rs], '{:.0f}')} | {med([r['relay']['mbs'] for r in rs], '{:.0f}')} "
                  f"| {med([r['ratio'] for r in rs], '{:.2f}')} "
                  f"| {med([r['relay']['mbs'] / r['direct']['mbs'] for r in rs], '{:.2f}')} "
                  f"| {med([r['glint']['core_s_per_gb'] for r in rs], '{:.2f}')} "
                  f"| {med([r['relay']['core_s_per_gb'] for r in rs], '{:.2f}')} |")

    labels = {r["label"] for r in rows}
    if {"current", "base"} <= labels:
        print()
        print("Per round, this Glint against the base jar (same round, each beside its own direct measurement):")
        print()
        print("| transfer | clients | Glint MB/s current / base | (Glint / direct) current / base "
              "| core-s/GB current / base |")
        print("| --- | ---: | --- | --- | --- |")
        keys = sorted({(r["phase"], r["clients"]) for r in rows}, key=lambda k: (k[0] != "up", k[1]))
        for phase, clients in keys:
            by = {(r["label"], r["round"]): r for r in rows if r["phase"] == phase and r["clients"] == clients}
            rounds = sorted(n for (label, n) in by if label == "current" and ("base", n) in by)
            if not rounds:
                continue
            pairs = [(by[("current", n)], by[("base", n)]) for n in rounds]
            mbs = " ".join(f"{c['glint']['mbs'] / b['glint']['mbs']:.2f}" for c, b in pairs)
            rel = " ".join(f"{c['ratio'] / b['ratio']:.2f}" for c, b in pairs)
            cpu = " ".join(f"{c['glint']['core_s_per_gb'] / b['glint']['core_s_per_gb']:.2f}" for c, b in pairs)
            what = "upload" if phase == "up" else "download"
            print(f"| {what} | {clients} | {mbs} | {rel} | {cpu} |")


def verify(a):
    """Uploads a file through Glint (sized, then chunked), checks checksum and size, downloads and compares."""
    b = Bench(a)
    md5 = hashlib.md5()
    with open(a.file, "rb") as f:
        for block in iter(lambda: f.read(8 << 20), b""):
            md5.update(block)
    want = md5.hexdigest()
    print(f"source: {a.size} bytes, md5 {want}")
    for mode in ("Content-Length", "chunked"):
        image_id = b.new_image()
        cmd = b.glint_put(image_id)
        if mode == "chunked":
            cmd = cmd[:-3] + ["-H", "Transfer-Encoding: chunked", "-T", "-", cmd[-1]]
            t0 = time.monotonic()
            with open(a.file, "rb") as f:
                p = subprocess.run(cmd, stdin=f, capture_output=True, text=True)
        else:
            t0 = time.monotonic()
            p = subprocess.run(cmd, capture_output=True, text=True)
        up = time.monotonic() - t0
        if p.returncode != 0 or p.stdout.strip() != "204":
            raise SystemExit(f"upload ({mode}) failed: curl {p.returncode}, HTTP {p.stdout.strip()} {p.stderr.strip()}")
        info = b.api("GET", f"/v2/images/{image_id}")
        print(f"upload ({mode}): HTTP 204 in {up:.1f} s ({a.size / 1e6 / up:.0f} MB/s); status {info['status']}, "
              f"size {info['size']}, checksum {info['checksum']}, location {info['direct_url']}")
        key = info["direct_url"].split(f"/{a.bucket}/", 1)[1]
        head = subprocess.run(["curl", "-sS", "-I", *b.sig, f"{a.s3}/{a.bucket}/{key}"], capture_output=True,
                              text=True).stdout
        length = [l.split(":", 1)[1].strip() for l in head.splitlines() if l.lower().startswith("content-length")]
        print(f"  S3 object {key}: Content-Length {length[0] if length else '?'}")
        t0 = time.monotonic()
        got = hashlib.md5()
        n = 0
        with subprocess.Popen(["curl", "-sS", "--fail", *IDENT, f"{a.glint}/v2/images/{image_id}/file"],
                              stdout=subprocess.PIPE) as p:
            for block in iter(lambda: p.stdout.read(8 << 20), b""):
                got.update(block)
                n += len(block)
        down = time.monotonic() - t0
        print(f"  download: {n} bytes in {down:.1f} s ({n / 1e6 / down:.0f} MB/s), md5 {got.hexdigest()}")
        ok = info["status"] == "active" and info["size"] == a.size and info["checksum"] == want \
            and got.hexdigest() == want and n == a.size and length and int(length[0]) == a.size
        print(f"  intact: {'yes' if ok else 'NO'}")
        b.api("DELETE", f"/v2/images/{image_id}")
        if not ok:
            raise SystemExit(1)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("run", "verify"):
        s = sub.add_parser(name)
        s.add_argument("--glint", required=True)
        s.add_argument("--glint-pid", type=int, required=True)
        s.add_argument("--s3", required=True)
        s.add_argument("--bucket", required=True)
        s.add_argument("--access", required=True)
        s.add_argument("--secret", required=True)
        s.add_argument("--region", default="us-east-1")
        s.add_argument("--file", required=True)
        s.add_argument("--size", type=int, required=True)
        s.add_argument("--clients", default="1 16")
        s.add_argument("--rounds", type=int, default=1)
        s.add_argument("--first-round", type=int, default=1, help="number of the first round (which path goes first alternates)")
        s.add_argument("--phases", default="up,down")
        s.add_argument("--label", default="splice")
        s.add_argument("--direct-part-mib", type=int, default=0,
                       help="the direct client uploads in parts of this size, one after the other (0: one PUT)")
        s.add_argument("--relay", default="", help="URL of a reference relay in front of the S3 server (downloads)")
        s.add_argument("--relay-pid", type=int, default=0, help="its process, for its CPU")
        s.add_argument("--out", default="/dev/null")
    r = sub.add_parser("report")
    r.add_argument("jsonl")
    a = p.parse_args()
    if a.cmd == "run":
        Bench(a).run()
    elif a.cmd == "verify":
        verify(a)
    else:
        report(a.jsonl)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Import benchmark driver (used by scripts/bench-import.sh; standard library only).

Measures, in alternating rounds against one Glint, the time until an image of the same payload is active:
  upload       PUT /v2/images/{id}/file with curl (the reference);
  web-download POST /v2/images/{id}/import, method web-download, from a local nginx; until the image is active;
  copy-image   POST /v2/images/{id}/import, method copy-image, of the round's uploaded image from store 'fast'
               into store 'cheap'; until the task succeeded (the copy is verified against the recorded md5 and
               sha512 by Glint) and the image lists both stores.
Prints one JSON line per measurement; the shell script writes the report.
"""
import argparse
import json
import subprocess
import sys
import time
import urllib.request

HDR = {"Content-Type": "application/json", "Accept": "application/json"}


def call(base, method, path, obj=None, headers=None):
    data = None if obj is None else json.dumps(obj).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={**HDR, **(headers or {})})
    with urllib.request.urlopen(req, timeout=600) as r:
        body = r.read()
        return r.status, (json.loads(body) if body and r.headers.get("Content-Type", "").startswith("application/json")
                          else None)


def create(base):
    status, image = call(base, "POST", "/v2/images", {"name": "bench", "disk_format": "raw",
                                                      "container_format": "bare"})
    assert status == 201, status
    return image["id"]


def wait(base, image_id, done, poll):
    while True:
        _, image = call(base, "GET", "/v2/images/" + image_id)
        verdict = done(image)
        if verdict is not None:
            return verdict, image
        time.sleep(poll)


def upload(a):
    image_id = create(a.url)
    t0 = time.monotonic()
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Expect:",
                          "-H", "Content-Type: application/octet-stream", "-H", "X-Image-Meta-Store: fast",
                          "-T", a.file, a.url + "/v2/images/" + image_id + "/file"],
                         capture_output=True, text=True, check=True)
    t1 = time.monotonic()
    if out.stdout.strip() != "204":
        sys.exit("upload answered " + out.stdout)
    _, image = call(a.url, "GET", "/v2/images/" + image_id)
    return image_id, t1 - t0, image


def web_download(a):
    image_id = create(a.url)
    t0 = time.monotonic()
    status, _ = call(a.url, "POST", "/v2/images/%s/import" % image_id,
                     {"method": {"name": "web-download", "uri": a.origin}, "stores": ["fast"]})
    assert status == 202, status
    ok, image = wait(a.url, image_id, lambda i: True if i["status"] == "active"
                     else (False if i["status"] == "queued" else None), a.poll)
    t1 = time.monotonic()
    if not ok:
        sys.exit("web-download failed: " + json.dumps(image))
    return image_id, t1 - t0, image


def copy_image(a, image_id):
    t0 = time.monotonic()
    status, _ = call(a.url, "POST", "/v2/images/%s/import" % image_id,
                     {"method": {"name": "copy-image"}, "stores": ["cheap"]})
    assert status == 202, status

    def done(i):
        if "cheap" in (i.get("stores") or "").split(","):
            return True
        if "cheap" in (i.get("os_glance_failed_import") or "").split(","):
            return False
        return None
    ok, image = wait(a.url, image_id, done, a.poll)
    t1 = time.monotonic()
    if not ok:
        sys.exit("copy-image failed: " + json.dumps(image))
    return t1 - t0, image


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--origin", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--md5", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--poll", type=float, default=0.01)
    p.add_argument("--warmup", type=int, default=1, help="un-reported rounds first (the JVM compiles its paths)")
    a = p.parse_args()
    orders = [["upload", "web-download", "copy-image"], ["web-download", "upload", "copy-image"],
              ["upload", "copy-image", "web-download"]]
    for r in range(a.warmup + a.rounds):
        results = {}
        uploaded = None
        for kind in orders[r % len(orders)]:
            if kind == "upload":
                uploaded, secs, image = upload(a)
            elif kind == "web-download":
                image_id, secs, image = web_download(a)
                call(a.url, "DELETE", "/v2/images/" + image_id)
            else:
                secs, image = copy_image(a, uploaded)
            if image["checksum"] != a.md5 or image["size"] != a.size:
                sys.exit("%s stored the wrong bytes: %s" % (kind, json.dumps(image)))
            results[kind] = secs
        call(a.url, "DELETE", "/v2/images/" + uploaded)
        if r < a.warmup:
            continue
        for kind, secs in results.items():
            print(json.dumps({"round": r + 1 - a.warmup, "kind": kind, "seconds": round(secs, 3),
                              "mb_s": round(a.size / secs / 1e6, 1)}), flush=True)


if __name__ == "__main__":
    main()

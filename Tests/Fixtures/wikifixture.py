#!/usr/bin/env python3
"""A local stand-in for es.wikipedia.org, for the tests of the `api` and `dump` sources.

Serves, on 127.0.0.1 only:
  /w/api.php   a MediaWiki Action API look-alike built from a real saved API response
               (list=random with rncontinue, prop=revisions with rvcontinue "pageid|revid",
               meta=siteinfo with the main page, formatversion=2, gzip)
  /files/NAME  the files of --files DIR, with Range, If-Range and ETag support

and injects faults on chosen requests: --fault KIND:N=FAULT[:ARG], where KIND is random,
siteinfo, content or file, N the request's number among those of its kind (1-based) or * for
all, and FAULT one of: drop, status (ARG: code[/retry-after]), maxlag (ARG: retry-after), stall (ARG:
seconds), badjson, longlength, shortlength, badsha1, apierror (ARG: code), truncate, hangafter
(ARG: bytes sent before hanging). Every request is logged as one JSON line to --log, with
its arrival time ("time", seconds on a monotonic clock).

The wiki itself: --pages N keeps the first N pages of the generator's order (a small wiki),
--main-page TITLE names siteinfo's main page, and --max-result-bytes N plays MediaWiki's
$wgAPIMaxResultSize: a page with more bytes of content never fits in an answer, and the answer's
rvcontinue points at it every time, as a real MediaWiki's does.
Prints "listening PORT" once ready. Python standard library only.
"""
import argparse, bz2, gzip, hashlib, json, os, signal, socket, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
pages = []          # [{pageid, ns, title, timestamp, content}] in the generator's fixed order
by_title = {}
counters = {}
lock = threading.Lock()


def load_pages(path):
    with bz2.open(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    result = []
    for p in data["query"]["pages"]:
        rev = p["revisions"][0]
        result.append({"pageid": p["pageid"], "ns": p["ns"], "title": p["title"],
                       "timestamp": rev["timestamp"], "content": rev["slots"]["main"]["content"]})
    # page_random order: a fixed pseudo-random permutation, as the real generator has.
    result.sort(key=lambda p: hashlib.sha1(p["title"].encode()).hexdigest())
    return result


def fault_for(kind, n):
    for spec in args.fault:
        target, _, what = spec.partition("=")
        k, _, num = target.partition(":")
        if k == kind and (num == "*" or num == str(n)):
            name, _, arg = what.partition(":")
            return name, arg
    return None, None


def log(entry):
    with lock:
        with open(args.log, "a") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.route(None)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.route(self.rfile.read(length).decode())

    def route(self, body):
        url = urllib.parse.urlsplit(self.path)
        query = url.query if body is None else body
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if url.path == "/w/api.php":
            if params.get("list") == "random":
                kind = "random"
            elif params.get("meta") == "siteinfo":
                kind = "siteinfo"
            else:
                kind = "content"
        elif url.path.startswith("/files/"):
            kind = "file"
        else:
            return self.plain(404, b"not found")
        with lock:
            counters[kind] = counters.get(kind, 0) + 1
            n = counters[kind]
        fault, arg = fault_for(kind, n)
        log({"kind": kind, "n": n, "time": time.monotonic(), "method": self.command, "path": url.path, "params": params,
             "range": self.headers.get("Range"), "if_range": self.headers.get("If-Range"),
             "user_agent": self.headers.get("User-Agent"), "accept_encoding": self.headers.get("Accept-Encoding"),
             "fault": fault})
        if fault == "status":
            code, _, after = arg.partition("/")
            headers = {"Retry-After": after} if after else {}
            return self.plain(int(code), b"fixture error", headers)
        if kind == "file":
            return self.file(url.path[len("/files/"):], fault, arg)
        if fault == "maxlag":
            return self.json({"error": {"code": "maxlag", "info": "Waiting for a database server: 7 seconds lagged."}},
                             {"Retry-After": arg or "5", "X-Database-Lag": "7"})
        if fault == "apierror":
            return self.json({"error": {"code": arg, "info": "fixture refuses: " + arg}})
        if kind == "siteinfo":
            return self.json({"batchcomplete": True, "query": {"general": {"mainpage": args.main_page,
                                                                           "sitename": "Fixturepedia", "lang": "es"}}})
        answer = self.random(params) if kind == "random" else self.content(params, fault)
        self.json(answer, fault=fault, arg=arg)

    def random(self, params):
        limit = int(params.get("rnlimit", "10"))
        start = int(params["rncontinue"].split("|")[0]) if "rncontinue" in params else args.random_start
        chosen = [pages[(start + i) % len(pages)] for i in range(limit)]
        nxt = (start + limit) % len(pages)
        return {"batchcomplete": True, "continue": {"rncontinue": "%d|0" % nxt, "continue": "-||"},
                "query": {"random": [{"id": p["pageid"], "ns": p["ns"], "title": p["title"]} for p in chosen]}}

    def content(self, params, fault):
        titles = params.get("titles", "").split("|")
        start = 0
        if "rvcontinue" in params:
            pageid = int(params["rvcontinue"].split("|")[0])
            start = next(i for i, t in enumerate(titles) if t in by_title and by_title[t]["pageid"] == pageid)
        out, served, resume = [], 0, None
        for i, title in enumerate(titles):
            p = by_title.get(title)
            if p is None:
                out.append({"ns": 0, "title": title, "missing": True})
                continue
            entry = {"pageid": p["pageid"], "ns": p["ns"], "title": p["title"]}
            if i >= start and resume is None:
                too_big = args.max_result_bytes and len(p["content"].encode()) > args.max_result_bytes
                if served < args.content_page_limit and not too_big:
                    served += 1
                    sha1 = hashlib.sha1(p["content"].encode()).hexdigest()
                    if fault == "badsha1":
                        sha1 = "0" * 40
                    entry["revisions"] = [{"revid": p["pageid"] * 10 + 1, "parentid": p["pageid"] * 10,
                                           "timestamp": p["timestamp"], "sha1": sha1,
                                           "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki",
                                                              "content": p["content"]}}}]
                else:
                    resume = "%d|%d" % (p["pageid"], p["pageid"] * 10 + 1)
            out.append(entry)
        answer = {"query": {"pages": out}}
        if resume:
            answer["continue"] = {"rvcontinue": resume, "continue": "||"}
        else:
            answer["batchcomplete"] = True
        return answer

    def json(self, obj, headers=None, fault=None, arg=None):
        body = json.dumps(obj, ensure_ascii=False).encode()
        if fault == "badjson":
            body = b"<html>upstream proxy error</html>"
        gz = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if gz:
            body = gzip.compress(body)
        headers = dict(headers or {})
        headers["Content-Type"] = "application/json; charset=utf-8"
        if gz:
            headers["Content-Encoding"] = "gzip"
        self.send(200, body, headers, fault, arg)

    def plain(self, code, body, headers=None):
        self.send(code, body, dict(headers or {}, **{"Content-Type": "text/plain"}), None, None)

    def send(self, code, body, headers, fault, arg):
        length = len(body)
        if fault == "longlength":
            length += 1000
        if fault == "shortlength":
            length = len(body) // 2
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(length))
        if fault in ("drop", "longlength"):
            self.send_header("Connection", "close")
        self.end_headers()
        if fault == "drop":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if fault == "stall":
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            time.sleep(float(arg or "30"))
            self.close_connection = True
            return
        if fault == "hangafter":
            self.wfile.write(body[: int(arg)])
            self.wfile.flush()
            time.sleep(3600)
            return
        self.wfile.write(body[:length])
        self.wfile.flush()
        if fault == "longlength":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    def file(self, name, fault, arg):
        path = os.path.join(args.files or "", os.path.basename(urllib.parse.unquote(name)))
        if not args.files or not os.path.isfile(path):
            return self.plain(404, b"no such file")
        with open(path, "rb") as f:
            data = f.read()
        if fault == "truncate":
            data = data[: len(data) * 2 // 3]
        etag = '"%s"' % hashlib.sha1(data).hexdigest()
        headers = {"ETag": etag, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and (if_range is None or if_range == etag):
            first = int(rng.split("=")[1].split("-")[0])
            if first >= len(data):
                return self.send(416, b"", dict(headers, **{"Content-Range": "bytes */%d" % len(data)}), None, None)
            headers["Content-Range"] = "bytes %d-%d/%d" % (first, len(data) - 1, len(data))
            return self.send(206, data[first:], headers, fault, arg)
        self.send(200, data, headers, fault, arg)


def main():
    global args, pages, by_title
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-data")
    parser.add_argument("--files")
    parser.add_argument("--log", required=True)
    parser.add_argument("--fault", action="append", default=[])
    parser.add_argument("--random-start", type=int, default=0)
    parser.add_argument("--content-page-limit", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=0)
    parser.add_argument("--main-page", default="Página principal")
    parser.add_argument("--max-result-bytes", type=int, default=0)
    args = parser.parse_args()
    # A parent that blocks SIGTERM in its threads passes that mask on; undo it so we can be stopped.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    if args.api_data:
        pages = load_pages(args.api_data)[: args.pages or None]
        by_title = {p["title"]: p for p in pages}
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("listening %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

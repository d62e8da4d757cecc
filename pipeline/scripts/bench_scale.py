#!/usr/bin/env python3
"""Driver of bench-scale.sh: bench_scale.py OUT BIN "SIZES_MB" "THREADS"."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(command, env=None, stdout=subprocess.DEVNULL):
    """Wall seconds, peak RSS (MiB) and stderr of one process."""
    err = open(os.path.join(OUT, "last-stderr.txt"), "w+")
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=stdout, stderr=err, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    err.seek(0)
    text = err.read()
    if status != 0:
        sys.exit(f"{' '.join(command)} failed ({status}):\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def record(row):
    print(json.dumps(row), file=sys.stderr)
    with open(os.path.join(OUT, "results.jsonl"), "a") as f:
        f.write(json.dumps(row) + "\n")
    ROWS.append(row)


def main():
    global OUT, ROWS
    OUT, BIN, sizes, threads = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
    ROWS = []
    open(os.path.join(OUT, "results.jsonl"), "w").close()  # this run's rows only
    load = open("/proc/loadavg").read().split()[0]
    for size in sizes:
        dump = os.path.abspath(f"{OUT}/bench{size}-pages-articles-multistream.xml.bz2")
        index = dump.replace("-multistream.xml.bz2", "-multistream-index.txt.bz2")
        info_path = dump + ".json"
        if not os.path.exists(info_path):
            built = subprocess.run([sys.executable, f"{HERE}/make_multistream.py", dump, index, size],
                                   check=True, capture_output=True, text=True).stdout
            open(info_path, "w").write(built)
        info = json.load(open(info_path))
        xml_mb = info["xml_bytes"] / 1e6
        base = {"size_mb": size, "xml_mb": round(xml_mb, 1), "load_at_start": load}
        seconds, rss, _ = measure(["bzcat", dump])
        record({**base, "step": "bzcat", "threads": 1, "seconds": seconds, "rss_mib": rss})
        for t in threads:
            seconds, rss, _ = measure(["lbzip2", "-d", "-c", "-n", t, dump])
            record({**base, "step": "lbzip2 -d", "threads": int(t), "seconds": seconds, "rss_mib": rss})
        for t in threads:
            project = os.path.abspath(f"{OUT}/project-{size}-{t}")
            shutil.rmtree(project, ignore_errors=True)
            os.makedirs(project + "/store")
            # The copies are duplicates by construction: with the duplicate filters on, clean would
            # keep one copy and vocab and shard would see 30 MB.
            pipeline = {"stages": {"extract": {"source": "dump", "dump_location": dump},
                                   "clean": {"drop_exact_duplicates": False, "near_duplicate_threshold": 0}}}
            json.dump(pipeline, open(project + "/pipeline.json", "w"))
            args = ["--store", project + "/store", "--pipeline", project + "/pipeline.json"]
            env = {"MINILLM_THREADS": t}
            articles = None
            for stage in ["extract", "clean", "vocab", "shard"]:
                seconds, rss, log = measure([f"{BIN}/minillm-{stage}", *args], env=env)
                if stage == "extract":
                    articles = int(re.search(r"(\d+) articles, [\d.]+ MB of text", log).group(1))
                record({**base, "step": stage, "threads": int(t), "seconds": seconds, "rss_mib": rss, "articles": articles})
            shutil.rmtree(project)
        for row in ROWS:
            if row["size_mb"] == size and row.get("articles") is None:
                row["articles"] = articles
    subprocess.run([sys.executable, f"{HERE}/bench_scale_table.py", os.path.join(OUT, "results.jsonl")], check=True)


if __name__ == "__main__":
    main()

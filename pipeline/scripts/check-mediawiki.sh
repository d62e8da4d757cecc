#!/usr/bin/env bash
# The `api` source against a real MediaWiki, not the test fixture: Debian's `mediawiki` package
# (1.39, SQLite) served by PHP's built-in server on 127.0.0.1, with the pages of the bundled dump
# imported. Not part of the test command (it installs packages and takes minutes). Checks:
#   1. asked for 500 articles, a run stops after a few batches: "the wiki seems to have only N articles";
#   2. asked for N, it succeeds and the wiki's main page ("Página principal", namespace 0) is not in it;
#   3. its `titles` output as api_titles_file, on a fresh store, gives the same corpus hash;
#   4. with $wgAPIMaxResultSize = 20000 (smaller than "Argentina"), a run stops at the repeated continue.
# Writes only under $WORK (default /tmp/minillm-mediawiki); PORT (default 8089) and PORT+1 must be free.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${WORK:-/tmp/minillm-mediawiki}
port=${PORT:-8089}
mw=/usr/share/mediawiki

if [ ! -f $mw/api.php ] || ! php -m 2>/dev/null | grep -qi pdo_sqlite; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mediawiki php-sqlite3 php-cli
fi
swift build --product minillm
minillm=$repo/.build/debug/minillm

rm -rf "$work"
mkdir -p "$work/db"
php $mw/maintenance/install.php --dbtype sqlite --dbpath "$work/db" --dbname wiki --server "http://127.0.0.1:$port" \
    --scriptpath "" --lang es --pass "check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" --confpath "$work" \
    "Minillm Check" Admin > "$work/install.log"
# The second server: the same wiki with a result size limit that "Argentina" (243 KB) cannot fit.
printf '<?php\nrequire "%s/LocalSettings.php";\n$wgAPIMaxResultSize = 20000;\n' "$work" > "$work/SmallResults.php"
bzcat pipeline/data/eswiki-sample-60pages-pages-articles.xml.bz2 \
    | php $mw/maintenance/importDump.php --conf "$work/LocalSettings.php" > "$work/import.log"
php $mw/maintenance/initSiteStats.php --conf "$work/LocalSettings.php" --update >> "$work/import.log"

MW_CONFIG_FILE=$work/LocalSettings.php php -S 127.0.0.1:$port -t $mw 2> "$work/server.log" &
server=$!
MW_CONFIG_FILE=$work/SmallResults.php php -S 127.0.0.1:$((port + 1)) -t $mw 2> "$work/server-small.log" &
small=$!
trap 'kill $server $small' EXIT
sleep 2

# run NAME PORT EXTRA-JSON: a fresh project; prints minillm's exit status, keeps its stderr.
run() {
    local dir=$work/$1
    mkdir -p "$dir/store"
    printf '{"stages": {"extract": {"source": "api", "api_endpoint": "http://127.0.0.1:%s/api.php", "api_contact": "minillm check-mediawiki.sh"%s}}}\n' \
        "$2" "$3" > "$dir/pipeline.json"
    local before; before=$(requests "$2")
    set +e
    "$minillm" run --store "$dir/store" --pipeline "$dir/pipeline.json" --until clean > "$dir/out.json" 2> "$dir/err.log"
    echo $? > "$dir/status"
    set -e
    echo "$1: exit $(cat "$dir/status"), $(( $(requests "$2") - before )) requests; $(tail -1 "$dir/err.log")"
}
requests() {
    local log=$work/server.log
    [ "$1" = "$port" ] || log=$work/server-small.log
    grep -c 'GET /api.php\|POST /api.php' "$log" || true
}
corpus() { "$minillm" show extract --store "$work/$1/store" --pipeline "$work/$1/pipeline.json" | jq -r ".outputs.$2"; }
fail() { echo "check-mediawiki: FAILED: $*" >&2; exit 1; }

run small-wiki $port ', "api_articles": 500'
grep -q "the wiki seems to have only" $work/small-wiki/err.log || fail "the 500-article run did not stop as exhausted"
found=$(sed -n 's/.*the wiki seems to have only \([0-9]*\) articles.*/\1/p' $work/small-wiki/err.log | tail -1)

run all $port ", \"api_articles\": $found"
[ "$(cat $work/all/status)" = 0 ] || fail "the $found-article run failed"
mkdir -p $work/listed
"$minillm" cat --store $work/all/store "$(corpus all titles)" > $work/listed/titles.txt
! grep -qx "Página principal" $work/listed/titles.txt || fail "the main page was fetched as an article"

run listed $port ', "api_titles_file": "titles.txt"'
[ "$(corpus listed corpus)" = "$(corpus all corpus)" ] || fail "the title list gave another corpus"

run too-large $((port + 1)) ', "api_articles": 40'
grep -q "the server answered the same continuation" $work/too-large/err.log || fail "no repeated-continue error"

echo "check-mediawiki: all checks passed ($found articles; corpus $(corpus all corpus | cut -c1-12))"

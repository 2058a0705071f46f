#!/usr/bin/env bash
# Makes tests/testdata/v5-store.tar.gz: a data directory written by the registry before
# the treaty-practice rules (rules version 2) existed, i.e. by the build of commit
# 1667257 (schema version 5). migration_test.cc opens it with the current build: the
# rebuild must find every view byte-identical to what that build wrote, and the answers
# recorded here in v5-store.expected must not change.
#
# Usage (with the binaries of that commit): make-v5-store.sh BIN_DIR OUT_DIR
# The history covers every event whose meaning the rules of version 2 refine:
# provisional application ended by a declaration of non-participation (VCLT 18/25),
# provisional application terminated for one participant, withdrawals with and without
# a notified date, a participant with the depositary role, corrections and the demo.
set -euo pipefail
bin=$1
out=$2
work=$(mktemp -d)
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
"$bin/agreements-server" --listen=127.0.0.1:$port --data_dir="$work/data" &
pid=$!
cli=("$bin/agreements" --server 127.0.0.1:$port --reason "v5 fixture")
for _ in $(seq 1 100); do "${cli[@]}" health >/dev/null 2>&1 && break; sleep 0.2; done
"${cli[@]}" load "$(dirname "$0")/../../deploy/demo/state-visit-2009.jsonl" >/dev/null
c() { "${cli[@]}" "$@" >/dev/null; }
c party register --id jp --type state --country JP --name en:Japan
c party register --id pt --type state --country PT --name en:Portugal
c party register --id un --type international_organization --name "en:United Nations"
# A multilateral treaty applied provisionally, with a declaration of non-participation
# while applying it (ended provisional application at once under the old rules).
recorded=$("${cli[@]}" -o json --proto-json record --id fixture-ect --designation Treaty --kind treaty \
  --nature binding_international --arity multilateral --title "en:Fixture energy treaty" \
  --sector energy --party kz --party kr --party jp --party pt:depositary \
  --initial-status negotiating)
first=$(echo "$recorded" | sed -n "s/.*\"firstPosition\": \"\([0-9]*\)\".*/\1/p" | head -1)
c adopt-text fixture-ect --date 1994-09-17
c open-for-signature fixture-ect --date 1994-12-17
c sign fixture-ect --party kz --date 1994-12-17
c sign fixture-ect --party kr --date 1994-12-17
c sign fixture-ect --party jp --date 1995-06-01
c provisional-apply fixture-ect --date 1994-12-17
c declare-non-participation fixture-ect --party jp --date 2009-08-20
c consent fixture-ect --party kz --means ratification --date 1995-01-10 --deposit-date 1995-02-01
c consent fixture-ect --party kr --means ratification --deposit-date 1996-03
c enter-into-force fixture-ect --date 1998-04-16
c withdraw fixture-ect --party kr --date 2014-12-31
c withdrawal-effective fixture-ect --party kr --date 2015-12-31
c withdraw fixture-ect --party kz --date 2020-01-15 --takes-effect 2021-01-15
c correct fixture-ect --position "$first" --place Lisbon
# A treaty applied provisionally by one participant, then ended for it.
c record --id fixture-pa --designation Agreement --kind agreement --nature mixed \
  --arity bilateral --title "en:Fixture provisional application" --sector transport \
  --party kz --party kr
c sign fixture-pa --party kz --date 2011-03-01
c sign fixture-pa --party kr --date 2011-03-01
c provisional-apply fixture-pa --party kz --date 2011-04
c end-provisional-application fixture-pa --party kz --date 2012
c consent fixture-pa --party kz --means approval --date 2012-06-01
c consent fixture-pa --party kr --means ratification --date 2012-07-01
c enter-into-force fixture-pa --date 2012-08-01
c suspend fixture-pa --date 2013-01-01
c resume fixture-pa --date 2013-06-01
c terminate fixture-pa --ground by_consent --date 2019
# Answers of that build, one line each: "ID DATE STATUS party=STATUS ...".
{
  for q in "fixture-ect 1995-01-01" "fixture-ect 2009-09-01" "fixture-ect 2015" \
    "fixture-ect 2016-06-01" "fixture-pa 2011-06-01" "fixture-pa 2012-02" \
    "fixture-pa 2013-03-01" "fixture-pa 2020-01-01"; do
    set -- $q
    "${cli[@]}" -o json --proto-json audit status-on "$1" --date "$2" |
      python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["agreementId"], sys.argv[1], r["status"], " ".join(p["partyId"]+"="+p["status"] for p in r.get("participants", [])), "uncertain" if r.get("uncertain") else "")' "$2"
  done
} >"$work/expected"
kill -TERM $pid; wait $pid || true
# The signing key stays: the server refuses stored checkpoints signed by another key. It
# was made for this fixture and signs nothing else. The page-token key is made anew.
rm -f "$work/data/page_token.key"
rm -rf "$work/data/tls-active" "$work/data/LOG" "$work/data"/LOG.old.*
mkdir -p "$out"
tar -C "$work" -czf "$out/v5-store.tar.gz" data
cp "$work/expected" "$out/v5-store.expected"

#!/usr/bin/env python3
"""Cross-check launchready's zone-file reader against dnspython over every zone in fixtures/.

For each *.zone under fixtures/: dnspython reads it (directives allowed, names kept absolute,
like `launchready --zone`), and launchready audits it offline
(`launchready audit ORIGIN --zone F --only dns --format json`). Compared per zone:
  - loads: both read the file (launchready: exit code is not 2);
  - records: dnspython's record count vs the count launchready reports in
    inventory.dns.resolver ("the zone file (N records ...)");
  - inventory: every (name, type) the DNS stage's inventory lists exists in dnspython's data.

Usage: pip install dnspython; cargo build --release;
       python3 benches/zone-vs-dnspython.py [path/to/launchready]
"""

import glob
import json
import os
import re
import subprocess
import sys

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.zonefile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "launchready")


def first_origin(text):
    m = re.search(r"^\$ORIGIN\s+(\S+)", text, re.M)
    return m.group(1).rstrip(".") if m else "example.test"


def dnspython_read(path, origin):
    """Every record dnspython reads, as a set of (name, type, rdata). dnspython reads one zone per
    pass (names outside it are skipped), so a file with several $ORIGINs is read once per origin
    and the results are joined."""
    text = open(path, encoding="utf-8", errors="replace").read()
    origins = [origin] + re.findall(r"^\$ORIGIN\s+(\S+)", text, re.M)
    records = set()
    for o in dict.fromkeys(x.rstrip(".").lower() for x in origins):
        manager = dns.zonefile.RRSetsReaderManager(
            dns.name.from_text(origin), False, dns.rdataclass.IN
        )
        manager.origin = dns.name.from_text(o)
        with manager.writer(True) as txn:
            tok = dns.tokenizer.Tokenizer(text, path)
            reader = dns.zonefile.Reader(
                tok, dns.rdataclass.IN, txn, allow_include=True, allow_directives=True
            )
            reader.read()
        for rrset in manager.rrsets:
            for rd in rrset:
                records.add((rrset.name.to_text().lower(), dns.rdatatype.to_text(rrset.rdtype), rd.to_text()))
    return records


def launchready_read(path, origin):
    run = subprocess.run(
        [BIN, "audit", origin, "--zone", path, "--only", "dns", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode == 2:
        return None, run.stderr.strip()
    report = json.loads(run.stdout)
    inv = report.get("inventory", {}).get("dns", {})
    resolver = inv.get("resolver", "")
    m = re.search(r"\((\d+) records", resolver)
    count = int(m.group(1)) if m else None
    return (count, inv.get("records", []), resolver), None


def main():
    zones = sorted(glob.glob(os.path.join(ROOT, "fixtures", "**", "*.zone"), recursive=True))
    agree = 0
    checked = 0
    for path in zones:
        rel = os.path.relpath(path, ROOT)
        origin = first_origin(open(path, encoding="utf-8", errors="replace").read())
        try:
            records = dnspython_read(path, origin)
            py_error = None
        except Exception as e:  # noqa: BLE001 - report any dnspython refusal
            records, py_error = set(), str(e)
        lr, lr_error = launchready_read(path, origin)
        py_count = len(records)
        present = {(name, rtype) for name, rtype, _ in records}
        problems = []
        if py_error:
            problems.append(f"dnspython refused: {py_error}")
        if lr_error:
            problems.append(f"launchready refused: {lr_error}")
        if lr and not py_error:
            count, inventory, _ = lr
            if count != py_count:
                problems.append(f"records: dnspython {py_count}, launchready {count}")
            missing = [
                (r["name"], r["type"])
                for r in inventory
                if (r["name"].lower().rstrip(".") + ".", r["type"]) not in present
            ]
            checked += len(inventory)
            if missing:
                problems.append(f"inventory entries dnspython lacks: {missing[:3]}")
        ok = not problems
        agree += ok
        lr_count = lr[0] if lr else "-"
        print(f"{'AGREE' if ok else 'DIFFER':6} {rel:48} dnspython={py_count:<4} launchready={lr_count}"
              + ("" if ok else "  " + "; ".join(problems)))
    print(f"\n{agree}/{len(zones)} zones agree ({checked} inventory entries checked)")
    return 0 if agree == len(zones) else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks that every target's declared dependencies equal what its Swift files import.

Reads `swift package dump-package` for the declared dependencies and the files under each
target's path for `import X` lines; system modules (Foundation, Glibc, …) are ignored. Exits 1
and lists each difference: an import that is not declared, or a declaration nothing imports."""
import json, os, re, subprocess, sys

SYSTEM = {"Foundation", "FoundationXML", "FoundationEssentials", "Glibc", "Darwin", "Dispatch", "Testing",
          "XCTest", "Synchronization", "PackageDescription", "Musl"}
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                    capture_output=True, text=True).stdout)
problems = []
for target in package["targets"]:
    name, kind = target["name"], target["type"]
    if kind == "system":
        continue
    default = {"test": "Tests", "executable": "Sources", "regular": "Sources"}.get(kind, "Sources")
    path = os.path.join(root, target.get("path") or os.path.join(default, name))
    declared = set()
    for dep in target.get("dependencies", []):
        for key in ("byName", "target", "product"):
            if key in dep:
                declared.add(dep[key][0])
    imported = set()
    excluded = {os.path.join(path, e) for e in target.get("exclude", [])}
    for folder, _, files in os.walk(path):
        if any(folder.startswith(e) for e in excluded):
            continue
        for f in files:
            if f.endswith(".swift"):
                for line in open(os.path.join(folder, f), encoding="utf-8"):
                    m = re.match(r"^(?:@testable\s+|@_implementationOnly\s+)?import\s+(?:struct\s+|enum\s+|class\s+|protocol\s+|func\s+|var\s+|typealias\s+)?([A-Za-z_][A-Za-z0-9_]*)", line)
                    if m and m.group(1) not in SYSTEM:
                        imported.add(m.group(1))
    for module in sorted(imported - declared):
        problems.append(f"{name}: imports {module} without declaring it")
    for module in sorted(declared - imported):
        problems.append(f"{name}: declares {module} but imports it nowhere")
for p in problems:
    print(p)
print(f"{len(problems)} difference(s) between declared dependencies and imports", file=sys.stderr)
sys.exit(1 if problems else 0)

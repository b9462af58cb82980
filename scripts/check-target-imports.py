#!/usr/bin/env python3
"""Every module a target imports is one of its declared dependencies (or part of the toolchain).

SwiftPM on Linux lets a target import a module it only gets transitively, so a missing dependency
builds today and breaks when the graph changes. Reads `swift package dump-package` on stdin, scans
each target's sources for `import`, prints every undeclared import and exits 1 if there is any.
Usage: swift package dump-package | python3 scripts/check-target-imports.py
"""
import json
import os
import re
import sys

# Modules that come with the toolchain or the OS, never declared in Package.swift.
TOOLCHAIN = {
    "Foundation", "FoundationEssentials", "FoundationNetworking", "FoundationXML", "Dispatch",
    "Glibc", "Musl", "Darwin", "Synchronization", "Testing", "XCTest", "_Concurrency", "Swift",
}
# `import X`, `@testable import X`, `@preconcurrency public import X`, `import struct X.Y`.
IMPORT = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+"
    r"(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def module_name(target_or_product):
    # SwiftPM turns a target name into a module name by replacing what is not an identifier character.
    return re.sub(r"[^A-Za-z0-9_]", "_", target_or_product)


def declared(target):
    names = set()
    for dep in target["dependencies"]:
        kind, value = next(iter(dep.items()))
        names.add(module_name(value[0]))
    return names


def target_dir(target):
    if target.get("path"):
        return target["path"]
    base = "Tests" if target["type"] == "test" else "Sources"
    return os.path.join(base, target["name"])


def imports(directory):
    found = {}
    for root, _, files in os.walk(directory):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    match = IMPORT.match(line)
                    if match:
                        found.setdefault(match.group(1), f"{path}:{number}")
    return found


def main():
    package = json.load(sys.stdin)
    problems = []
    for target in package["targets"]:
        if target["type"] in ("system", "binary", "plugin", "macro"):
            continue
        allowed = declared(target) | TOOLCHAIN | {module_name(target["name"])}
        for module, where in sorted(imports(target_dir(target)).items()):
            if module not in allowed:
                problems.append(f"{where}: target {target['name']} imports {module} without declaring it")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

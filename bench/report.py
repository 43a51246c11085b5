"""Turn a pytest-benchmark JSON file into the side-by-side ratio tables of bench/README.md.

    python bench/report.py bench/.results/latest.json > bench/.results/latest.md

For every group (scenario) it lists each tool's median time and its ratio to trackpack's
(a ratio below 1.0 means trackpack is faster), plus MB/s when the benchmark recorded the
input size in ``extra_info["bytes"]`` and the peak RSS when it recorded
``extra_info["peak_rss_mb"]``.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict


def main(path: str) -> None:
    with open(path) as f:
        data = json.load(f)
    groups = defaultdict(list)
    for bench in data["benchmarks"]:
        groups[bench.get("group") or bench["name"]].append(bench)
    machine = data.get("machine_info", {})
    print(f"Machine: {machine.get('cpu', {}).get('brand_raw', '?')}, "
          f"{machine.get('cpu', {}).get('count', '?')} cores, Python {machine.get('python_version', '?')}; "
          f"run {data.get('datetime', '?')}\n")
    for group in sorted(groups):
        rows = groups[group]
        ours = next((b for b in rows if b.get("extra_info", {}).get("tool") == "trackpack"), None)
        memory = any("peak_rss_mb" in b.get("extra_info", {}) for b in rows)
        print(f"### {group}\n")
        print("| tool | median | trackpack / tool | throughput |" + (" peak RSS |" if memory else ""))
        print("|---|---|---|---|" + ("---|" if memory else ""))
        for b in sorted(rows, key=lambda b: b["stats"]["median"]):
            info = b.get("extra_info", {})
            median = b["stats"]["median"]
            ratio = f"{ours['stats']['median'] / median:.2f}" if ours else "-"
            size = info.get("bytes")
            tput = f"{size / median / 1e6:.0f} MB/s" if size else ""
            line = f"| {info.get('tool', b['name'])} | {median * 1e3:.2f} ms | {ratio} | {tput} |"
            if memory:
                rss = info.get("peak_rss_mb")
                line += f" {rss} MB |" if rss is not None else " |"
            print(line)
        print()


if __name__ == "__main__":
    main(sys.argv[1])

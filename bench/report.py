#!/usr/bin/env python3
"""Turns JMH JSON results of the engine benchmarks into the Markdown tables of docs/benchmarks.md.

usage: bench/report.py [--peak GFMA_PER_S] RESULT.json [RESULT.json ...]

JMH's sample mode (-bm sample) is expected for the selections and dotRows: the tables give the median and the
fastest sampled call, and compute the rates from the fastest, which is the one least disturbed by other
processes on a shared machine. Average-time results (-bm avgt) are shown as their mean in both places.

For each selection it prints the time and the achieved rate of multiply-adds against the floor of the method:

  sift, nearest:  N*K*d + N^2*K     (SIFT.md: one pass over the candidates per pick, plus the rank-one
                                     corrections; nearest scores its fixed order with the same updates)
  mmr:            2*N*K*d + N^2*K   (one pass per pick to choose it, and the same scoring as nearest)

The peak is --peak if given, else the PeakFmaBenchmark.fma512 result if one of the files has it
(double-precision FMAs per second from registers on one core, best iteration).
Percentages are of that peak.
"""
import json
import sys
from collections import defaultdict


def floor_fma(method, k, d, n):
    # The same for the three methods: MMR's redundancy uses the pick's kernel column, which the posterior
    # update that scores its order needs anyway.
    return n * k * d + n * n * k


def fork_median(iterations):
    """The median call of one fork, from its sample-mode histograms ([value, count] pairs per iteration)."""
    values = sorted((v, c) for iteration in iterations for v, c in iteration)
    half, seen = sum(c for _, c in values) / 2, 0
    for v, c in values:
        seen += c
        if seen >= half:
            return v
    return float("nan")


def main(argv):
    peak = None
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "--peak":
            peak = float(argv[i + 1])
            i += 2
        else:
            files.append(argv[i])
            i += 1
    if not files:
        sys.exit(__doc__)

    sel = {}  # (vm, K, d, N, ops, data) -> {method: (ms, err)}
    dot = {}  # (vm, K, d, ops, products) -> (us, err)
    peaks = {}
    forks = {}  # (vm, K, d, N, ops, data) -> median of each fork, for runs with several forks
    vms = []
    for path in files:
        with open(path) as f:
            results = json.load(f)
        for r in results:
            vm = "JDK " + r.get("jdkVersion", "?")
            if vm not in vms:
                vms.append(vm)
            name = r["benchmark"].rsplit(".", 2)
            cls, method = name[-2], name[-1]
            metric = r["primaryMetric"]
            pct = metric.get("scorePercentiles", {})
            if r["mode"] == "sample" and pct:
                score, err = pct["50.0"], pct["0.0"]  # (median, fastest)
            else:
                score, err = metric["score"], metric["score"]
            params = r.get("params", {})
            if cls == "PeakFmaBenchmark":
                # Throughput mode: the best measurement iteration, the one least disturbed by other processes.
                iterations = [x for fork in metric.get("rawData", [[score]]) for x in fork]
                peaks[(vm, method)] = max(iterations) / 1e9
            elif cls == "EngineBenchmark":
                k, d, n = (int(x) for x in params["shape"].split("x"))
                key = (vm, k, d, n, params["ops"], params.get("data", "gaussian"))
                sel.setdefault(key, {})[method] = (score, err)
                histograms = metric.get("rawDataHistogram", [])
                if method == "sift" and len(histograms) > 1:
                    forks[key] = [fork_median(fork) for fork in histograms]
            elif cls == "DotRowsBenchmark":
                k, d = (int(x) for x in params["shape"].split("x"))
                dot[(vm, k, d, params["ops"], {"dotRowsFour": 4, "dotRowsFive": 5}.get(method, 1))] = (score, err)

    if peak is None:
        measured = [v for (vm, m), v in peaks.items() if m == "fma512"]
        peak = max(measured) if measured else None
    if peaks:
        print("Measured register-only FMA rate (PeakFmaBenchmark), GFMA/s: "
              + ", ".join(f"{m} on {vm}: {v:.1f}" for (vm, m), v in sorted(peaks.items())))
        print()
    if peak:
        print(f"Peak used for the percentages: {peak:.1f} GFMA/s (double precision, one core).")
        print()

    def rate(method, k, d, n, ms):
        g = floor_fma(method, k, d, n) / (ms * 1e-3) / 1e9
        return g, (100 * g / peak if peak else float("nan"))

    if sel:
        print("Times in ms: median / fastest call. Rates: floor multiply-adds per second of the median call "
              "(% peak of the fastest call in brackets).")
        print()
        print("| JVM | K | d | N | kernels | data | SIFT ms | SIFT GFMA/s | % peak | nearest ms | nearest GFMA/s | MMR ms | MMR GFMA/s |")
        print("|---|--:|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|")
        for key in sorted(sel, key=lambda t: (vms.index(t[0]), t[1], t[2], t[3], t[4] != "scalar", t[5])):
            vm, k, d, n, ops, data = key
            row = sel[key]
            cells = [vm, str(k), str(d), str(n), ops, data]
            for method in ("sift", "nearest", "mmr"):
                if method in row:
                    median, best = row[method]
                    g, pct = rate(method, k, d, n, median)
                    _, best_pct = rate(method, k, d, n, best)
                    cells.append(f"{median:.3g} / {best:.3g}")
                    cells.append(f"{g:.2f}")
                    if method == "sift":
                        cells.append(f"{pct:.0f}% ({best_pct:.0f}%)")
                else:
                    cells += ["–", "–"] + (["–"] if method == "sift" else [])
            print("| " + " | ".join(cells) + " |")
        print()

    if forks:
        print("SIFT with several forks: the median call of each fork in ms, and the rate of the fastest fork's median.")
        print()
        print("| JVM | K | d | N | kernels | data | median per fork (ms) | GFMA/s | % peak |")
        print("|---|--:|--:|--:|---|---|---|--:|--:|")
        for key in sorted(forks, key=lambda t: (vms.index(t[0]), t[1], t[2], t[3], t[4], t[5])):
            vm, k, d, n, ops, data = key
            g, pct = rate("sift", k, d, n, min(forks[key]))
            medians = ", ".join(f"{m:.3g}" for m in forks[key])
            print(f"| {vm} | {k} | {d} | {n} | {ops} | {data} | {medians} | {g:.2f} | {pct:.0f}% |")
        print()

    if dot:
        print("| JVM | K | d | kernels | products per pass | µs (median / fastest) | GFMA/s | % peak | GB/s of candidates read |")
        print("|---|--:|--:|---|--:|--:|--:|--:|--:|")
        for key in sorted(dot, key=lambda t: (vms.index(t[0]), t[1] * t[2], t[1], t[3] != "scalar", t[4])):
            vm, k, d, ops, products = key
            median, best = dot[key]
            g = products * k * d / (best * 1e-6) / 1e9
            pct = f"{100 * g / peak:.0f}%" if peak else "–"
            print(f"| {vm} | {k} | {d} | {ops} | {products} | {median:.3g} / {best:.3g} | {g:.2f} | {pct} | {4 * g / products:.1f} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1:])

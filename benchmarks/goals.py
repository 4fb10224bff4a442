"""The benchmark goals (the issue's targets), each compared to its measured figure: met or missed, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class TargetResult:
    name: str
    measured: float | None
    limit: float
    comparison: str  # how measured is compared to limit, for the report
    met: bool
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# What would close each target when it is missed; the measured figures go in front of it.
_CLOSING = {
    "cost": "fewer requests per message on the legs both designs share (SQS and Pipes bill every 64 KB "
    "chunk of the raw payload), which this library cannot change, or a smaller stored size.",
    "handler_cpu_split": "work a bare put does not do and the contract requires. At small sizes: a "
    "conditional PutItem carrying the claim's metadata (digest, size, format, times, attributes) "
    "instead of a bare id and body, sent side by side from worker threads (kept across invocations), "
    "plus Powertools metrics and logs. At large sizes: compressing each body (zlib.compress, level 1; "
    "Huffman coding only for high-entropy bodies) and hashing it (_hashlib.openssl_sha256). The body "
    "is no longer parsed unless keep_fields are set; compression='none' would close the large-size "
    "gap at a higher storage and write-unit cost.",
    "handler_cpu_retrieval": "work a bare get does not do and the contract requires: parsing each JSON "
    "payload back into a value (the json decoder in the hotspots; JSON bodies are returned parsed), "
    "inflating it (zlib decompress) and checking its SHA-256. The 6 MB response check no longer "
    "re-serialises the payloads when a size bound proves the batch fits; only returning JSON bodies as "
    "strings (a contract change) would close most of what is left.",
    "cold_import": "importing less at module level beyond boto3 (`python -X importtime -c 'import "
    "runtime.split'` in the asset directory names the modules), e.g. Powertools' Metrics and Tracer "
    "on first use.",
    "synth": "less work per construct at synth; the L1 side only declares resources, while the "
    "constructs also stage and hash the Lambda asset, build roles and policies from grants and run their "
    "checks (not profiled here: jsii hides where the time goes on the node side).",
}


def evaluate(results: dict[str, Any]) -> list[TargetResult]:
    costs = results["cost_usd_per_million"]
    targets: list[TargetResult] = []

    def cost_target(label: str, name: str, factor: float, comparison: str) -> None:
        row = costs.get(label)
        if row is None:
            return
        baseline, ours = row.get("baseline"), row.get("ours")
        if baseline is None or ours is None:
            targets.append(
                TargetResult(name, None, factor, comparison, False, "not measured: a design failed")
            )
            return
        ratio = ours / baseline
        met = ratio <= factor
        note = f"ours ${ours:,.2f} vs baseline ${baseline:,.2f} per million (x{ratio:.3f})"
        if not met:
            note += "; what would close it: " + _CLOSING["cost"]
        targets.append(TargetResult(name, ratio, factor, comparison, met, note))

    cost_target("200 KB", "cost per million 200 KB messages, ours / baseline", 1 / 20, "<= 1/20")
    cost_target("1 KB", "cost per million 1 KB messages, ours / baseline", 1.0, "<= 1")

    def ratio_target(value: float | None, name: str, limit: float, closing: str, detail: str) -> None:
        if value is None:
            return
        met = value <= limit
        note = detail + ("" if met else "; what would close it: " + _CLOSING[closing])
        targets.append(TargetResult(name, value, limit, f"<= {limit}x", met, note))

    worst = results.get("handler_cpu_worst_payload", {})
    for side, bare in (("split", "put"), ("retrieval", "get")):
        label = worst.get(side)
        row = results["handler_cpu"].get(label, {})
        detail = f"worst payload size {label}"
        if row:
            detail += (
                f": {row[side] * 1e3:.2f} ms vs {row['bare_' + bare] * 1e3:.2f} ms per message; "
                f"hotspots {', '.join(row[side + '_hotspots'])}"
            )
        ratio_target(
            results["handler_cpu_ratio"].get(side),
            f"{side} handler CPU per message / bare {bare}",
            1.2,
            f"handler_cpu_{side}",
            detail,
        )
    for side in ("split", "retrieval"):
        ratio_target(
            results["cold_import_ratio"].get(side),
            f"cold import of runtime.{side} / import boto3",
            1.3,
            "cold_import",
            "median of per-interpreter ratios, CPU seconds",
        )
    synth = results.get("synth", {})
    ratio_target(
        results.get("synth_ratio"),
        f"synth of the {synth.get('subject', 'example')} app / plain L1 stack",
        1.2,
        "synth",
        f"{synth.get('resources', '?')} resources, CPU of the whole synth process tree, median",
    )
    return targets

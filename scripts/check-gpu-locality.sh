#!/usr/bin/env bash
# Checks Loom's GPU-local CPUs against nvidia-smi on a machine with an NVIDIA GPU.
#
# Prints `loom info --json --loom-cuda-device 0` beside `nvidia-smi topo -m`, the GPU list and the GPU's sysfs
# entries, then compares, for GPU0:
#   - the PCI bus id Loom reports with nvidia-smi's (through integers: 00000000:17:00.0 == 0000:17:00.0);
#   - Loom's GPU-local CPUs ∩ the allowed CPUs with the "CPU Affinity" column of `topo -m` ∩ the allowed CPUs;
#     when Loom reports the locality as unknown (numa_node = -1, a VM), topo -m must not name a NUMA node or a
#     proper subset of the allowed CPUs either;
#   - that Loom's async and compute CPUs lie within the CPUs it may use for that GPU.
# Exits 0 and prints PASS when all agree, 1 and FAIL otherwise, 2 when it cannot run (no GPU, no python3).
#
# CUDA_VISIBLE_DEVICES is unset and CUDA_DEVICE_ORDER=PCI_BUS_ID set for the loom run, so CUDA ordinal 0 is
# nvidia-smi's GPU0. Builds loom with `swift build --product loom` unless LOOM_BIN names a built binary.
#
# Usage: scripts/check-gpu-locality.sh            (from anywhere; it finds the package root)
#        LOOM_BIN=/path/to/loom scripts/check-gpu-locality.sh
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
package_root=$(cd "$script_dir/.." && pwd)

fail_setup() {
    echo "FAIL (cannot run): $*" >&2
    exit 2
}

command -v nvidia-smi >/dev/null 2>&1 || fail_setup "nvidia-smi not found; run this on a machine with an NVIDIA GPU."
command -v python3 >/dev/null 2>&1 || fail_setup "python3 not found; it parses the JSON and compares CPU lists."
nvidia-smi -L >/dev/null 2>&1 || fail_setup "nvidia-smi -L failed; is the NVIDIA driver loaded?"

if [[ -n "${LOOM_BIN:-}" ]]; then
    loom=$LOOM_BIN
else
    echo "== swift build --product loom"
    (cd "$package_root" && swift build --product loom) || fail_setup "swift build failed."
    loom="$(cd "$package_root" && swift build --show-bin-path)/loom"
fi
[[ -x "$loom" ]] || fail_setup "no loom executable at $loom."

work=$(mktemp -d "${TMPDIR:-/tmp}/loom-gpu-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo
echo "== nvidia-smi --query-gpu=index,uuid,pci.bus_id,name --format=csv"
nvidia-smi --query-gpu=index,uuid,pci.bus_id,name --format=csv | tee "$work/query.csv"

echo
echo "== nvidia-smi topo -m"
nvidia-smi topo -m | tee "$work/topo.txt"

echo
echo "== loom info --json --loom-cuda-device 0   (CUDA_VISIBLE_DEVICES unset, CUDA_DEVICE_ORDER=PCI_BUS_ID)"
loom_status=0
env -u CUDA_VISIBLE_DEVICES CUDA_DEVICE_ORDER=PCI_BUS_ID \
    "$loom" info --json --loom-cuda-device 0 >"$work/loom.json" 2>"$work/loom.stderr" || loom_status=$?
if [[ -s "$work/loom.stderr" ]]; then
    echo "-- stderr (warnings):"
    cat "$work/loom.stderr"
fi
if [[ $loom_status -ne 0 ]]; then
    cat "$work/loom.json"
    echo
    echo "FAIL: loom info exited with status $loom_status."
    exit 1
fi
python3 -m json.tool "$work/loom.json" || {
    cat "$work/loom.json"
    echo
    echo "FAIL: loom info --json did not print valid JSON."
    exit 1
}

echo
echo "== comparison"
python3 - "$work/loom.json" "$work/topo.txt" "$work/query.csv" <<'PY'
import json
import os
import re
import sys

loom_path, topo_path, query_path = sys.argv[1:4]
failures = []


def cpulist(text):
    """A Linux CPU list ("0-23,48-71") as a set; None for N/A or empty."""
    text = (text or "").strip()
    if not text or text.upper() == "N/A":
        return None
    cpus = set()
    for item in text.split(","):
        item = item.strip()
        if "-" in item:
            first, last = item.split("-", 1)
            cpus.update(range(int(first), int(last) + 1))
        else:
            cpus.add(int(item))
    return cpus


def show(cpus):
    if cpus is None:
        return "unknown"
    runs, start, previous = [], None, None
    for cpu in sorted(cpus):
        if start is None:
            start = previous = cpu
        elif cpu == previous + 1:
            previous = cpu
        else:
            runs.append(f"{start}-{previous}" if start != previous else f"{start}")
            start = previous = cpu
    if start is not None:
        runs.append(f"{start}-{previous}" if start != previous else f"{start}")
    return ",".join(runs) or "(none)"


def bus_id(text):
    """(domain, bus, device, function) from 00000000:17:00.0, 0000:17:00.0 or 17:00.0."""
    match = re.fullmatch(r"(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])", text.strip())
    if not match:
        return None
    domain, bus, device, function = match.groups()
    return (int(domain or "0", 16), int(bus, 16), int(device, 16), int(function))


with open(loom_path) as file:
    info = json.load(file)
gpu = info.get("gpu")
if not isinstance(gpu, dict):
    print("FAIL: loom info --json has no \"gpu\" object; is --loom-cuda-device supported by this build?")
    sys.exit(1)

allowed = set(os.sched_getaffinity(0))
loom_allowed = cpulist(info.get("allowed_cpus"))
loom_local = cpulist(gpu.get("local_cpus"))
loom_pools = (cpulist(info.get("async_cpus")) or set()) | (cpulist(info.get("compute_cpus")) or set())

# nvidia-smi --query-gpu: the row whose index is Loom's NVML index (0 expected).
query_bus = None
with open(query_path) as file:
    for line in file.read().splitlines()[1:]:
        cells = [cell.strip() for cell in line.split(",")]
        if len(cells) >= 3 and cells[0] == str(gpu.get("index")):
            query_bus = cells[2]
if gpu.get("index") != 0:
    failures.append(f"Loom's GPU for CUDA ordinal 0 has NVML index {gpu.get('index')}, expected 0 (GPU0).")

# nvidia-smi topo -m: the CPU Affinity and NUMA Affinity cells of row GPU0.
with open(topo_path) as file:
    topo_lines = [re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip("\n")) for line in file]
header = next((line for line in topo_lines if "CPU Affinity" in line), None)
# The header starts with a tab (the empty corner cell); GPU0's row starts with its label.
row = next((line for line in topo_lines if re.match(r"^GPU0\s", line)), None)
topo_cpu_text = topo_numa_text = None
if header is not None and row is not None:
    # Cells are tab-separated, with an empty cell here and there (before GPU NUMA ID); align the non-empty ones.
    header_cells = [cell.strip() for cell in header.split("\t") if cell.strip()]
    row_cells = [cell.strip() for cell in row.split("\t") if cell.strip()][1:]
    if len(header_cells) == len(row_cells):
        topo_cpu_text = row_cells[header_cells.index("CPU Affinity")]
        if "NUMA Affinity" in header_cells:
            topo_numa_text = row_cells[header_cells.index("NUMA Affinity")]
    else:
        # Fallback: after the link columns (X, NV#, SYS, NODE, PHB, PXB, PIX), the first CPU list or N/A is the
        # CPU Affinity, the next cell the NUMA Affinity.
        cells = row.split()[1:]
        for position, cell in enumerate(cells):
            if cell == "N/A" or re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", cell):
                topo_cpu_text = cell
                topo_numa_text = cells[position + 1] if position + 1 < len(cells) else None
                break
if topo_cpu_text is None:
    failures.append("could not find GPU0's CPU Affinity in nvidia-smi topo -m.")
topo_cpus = cpulist(topo_cpu_text)
topo_numa_known = topo_numa_text is not None and topo_numa_text.strip().upper() not in ("", "N/A")

# sysfs, for the record.
sysfs_dir = f"/sys/bus/pci/devices/{gpu.get('pci_bus_id')}"
sysfs = {}
for name in ("numa_node", "local_cpulist"):
    try:
        with open(f"{sysfs_dir}/{name}") as file:
            sysfs[name] = file.read().strip()
    except OSError as error:
        sysfs[name] = f"unreadable ({error.strerror})"

print(f"allowed CPUs (sched_getaffinity): {show(allowed)}")
print(f"allowed CPUs (loom):              {show(loom_allowed)}")
print(f"bus id (loom):                    {gpu.get('pci_bus_id')}")
print(f"bus id (nvidia-smi):              {query_bus}")
print(f"GPU-local CPUs (loom):            {show(loom_local)}")
print(f"CPU Affinity (topo -m):           {topo_cpu_text}  (NUMA Affinity {topo_numa_text})")
print(f"sysfs {sysfs_dir}: numa_node={sysfs['numa_node']} local_cpulist={sysfs['local_cpulist']}")
print(f"async ∪ compute CPUs (loom):      {show(loom_pools)}")

if loom_allowed is not None and loom_allowed != allowed:
    failures.append(f"Loom's allowed CPUs {show(loom_allowed)} differ from sched_getaffinity {show(allowed)}.")

if query_bus is None or bus_id(query_bus) is None:
    failures.append(f"nvidia-smi lists no bus id for GPU index {gpu.get('index')}.")
elif bus_id(str(gpu.get("pci_bus_id", ""))) != bus_id(query_bus):
    failures.append(f"bus id differs: Loom {gpu.get('pci_bus_id')}, nvidia-smi {query_bus}.")

if loom_local is None:
    # Unknown locality (numa_node = -1): topo -m then shows every CPU and no NUMA node. Accept and record it.
    if topo_numa_known or (topo_cpus is not None and not allowed <= topo_cpus):
        failures.append(
            f"Loom reports unknown locality but topo -m gives CPU Affinity {topo_cpu_text} "
            f"(NUMA Affinity {topo_numa_text})."
        )
    else:
        print("note: locality unknown on this machine (numa_node = -1); Loom uses all allowed CPUs.")
    usable = allowed
elif topo_cpus is None:
    failures.append(f"Loom reports GPU-local CPUs {show(loom_local)} but topo -m gives N/A.")
    usable = loom_local & allowed
else:
    usable = loom_local & allowed
    if usable != topo_cpus & allowed:
        failures.append(
            f"GPU-local ∩ allowed differs: Loom {show(usable)}, topo -m {show(topo_cpus & allowed)}."
        )

if loom_pools and not loom_pools <= usable:
    failures.append(f"Loom's pools use CPUs {show(loom_pools - usable)} outside GPU-local ∩ allowed {show(usable)}.")

if failures:
    for failure in failures:
        print(f"FAIL: {failure}")
    sys.exit(1)
print(f"PASS: GPU0 {gpu.get('pci_bus_id')} ({gpu.get('name')}): Loom and nvidia-smi agree on {show(usable)}.")
PY

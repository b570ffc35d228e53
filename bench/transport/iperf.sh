#!/usr/bin/env bash
# TCP throughput through the GUE tunnel vs plain veth between the same two namespaces (root; iperf3).
# The tunnel is set up by the real transport agents (`./epic agent run`, one per namespace): the EPIC side learns
# the client's address from control packets, then iperf3 runs EPIC -> pod address through the tunnel, and EPIC ->
# the client's uplink address over the bare veth as the baseline, interleaved, ROUNDS times each.
# Usage: bench/transport/iperf.sh [seconds-per-run] [rounds]        (default 5 s, 3 rounds)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-5}
ROUNDS=${2:-3}
for t in ip iperf3 make clang bpftool python3; do command -v $t >/dev/null || { echo "bench: '$t' is required (see .ci/run)" >&2; exit 1; }; done
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (namespaces, BPF)" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
make -s -C "$ROOT/bpf" target/epic_tc.bpf.o
# Build once, then run the CLI's Java main directly: `./epic` rebuilds whenever any source in the shared tree is
# newer than its last build, and two agents started side by side would each start a build.
"$ROOT/epic" agent --help >/dev/null
JAVA=${JAVA_HOME:?bench: set JAVA_HOME to a JDK >= 21 (the one ./epic uses)}/bin/java
epic_agent() {  # exec: started with &, the background subshell becomes the JVM, so $! is its pid
  exec "$JAVA" --enable-native-access=ALL-UNNAMED -Depic.home="$ROOT" \
    -cp "$(cat "$ROOT/cli/target/classpath.txt"):$ROOT/cli/target/classes" org.epicgateway.cli.Epic agent "$@"
}

S=$$
A=bench-epic-$S B=bench-client-$S
PINS=/sys/fs/bpf/epic-bench-transport-$S
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns delete $A 2>/dev/null || true
  ip netns delete $B 2>/dev/null || true
  rm -rf "$PINS-a" "$PINS-b" "$WORK"
}
trap cleanup EXIT

ip netns add $A
ip netns add $B
ip -n $A link set lo up
ip -n $B link set lo up
ip -n $A link add ua$S type veth peer name ub$S netns $B
ip -n $A addr add 10.200.0.1/24 dev ua$S
ip -n $B addr add 10.200.0.2/24 dev ub$S
ip -n $A link set ua$S up
ip -n $B link set ub$S up
ip -n $B addr add 10.201.2.1/32 dev lo            # the pod
ip -n $A route add 10.201.2.0/24 via 10.200.0.2   # pod traffic leaves by the uplink, where encap takes it

KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat > "$WORK/epic.json" <<JSON
{"role": "EPIC", "uplinks": [{"name": "ua$S", "mtu": 1500}],
 "tunnels": [{"id": 7, "local": "10.200.0.1", "keyHex": "$KEY"}],
 "endpoints": [{"address": "10.201.2.1", "port": 5201, "protocol": "tcp", "tunnel": 7}]}
JSON
cat > "$WORK/client.json" <<JSON
{"role": "CLIENT", "uplinks": [{"name": "ub$S", "mtu": 1500}],
 "tunnels": [{"id": 7, "local": "10.200.0.2", "remote": "10.200.0.1:6080", "keyHex": "$KEY"}]}
JSON

epic_agent run --config "$WORK/epic.json" --netns $A --pin-dir "$PINS-a" > "$WORK/epic.log" 2>&1 &
PIDS+=($!)
epic_agent run --config "$WORK/client.json" --netns $B --pin-dir "$PINS-b" --control-interval 1 > "$WORK/client.log" 2>&1 &
PIDS+=($!)
# Learned = EPIC_TUN_F_LEARNED (bit 1 of the u32 flags at byte 16 of struct epic_tunnel) on the EPIC side.
learned() {
  bpftool -j map dump pinned "$PINS-a/epic_tunnels" 2>/dev/null | python3 -c '
import json, sys
rows = json.load(sys.stdin)  # an object with "error" until the agent has pinned the map
sys.exit(0 if isinstance(rows, list) and any(int(r["value"][16], 16) & 2 for r in rows) else 1)'
}
for i in $(seq 1 120); do
  learned && break
  sleep 1
  [[ $i == 120 ]] && { echo "bench: tunnel never learned its remote" >&2; cat "$WORK"/*.log >&2; exit 1; }
done

ip netns exec $B iperf3 -s -D -I "$WORK/iperf.pid" >/dev/null
PIDS+=($(cat "$WORK/iperf.pid" 2>/dev/null || true))
sleep 1
gbps() { ip netns exec $A iperf3 -c "$1" -t "$SECS" -J | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'; }
plain=() tunnel=()
for r in $(seq 1 "$ROUNDS"); do
  plain+=($(gbps 10.200.0.2))
  tunnel+=($(gbps 10.201.2.1))
  echo "round $r: plain veth ${plain[-1]} Gbit/s, GUE tunnel ${tunnel[-1]} Gbit/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
P=$(median "${plain[@]}") T=$(median "${tunnel[@]}")
echo "median: plain veth $P Gbit/s, GUE tunnel $T Gbit/s, ratio $(python3 -c "print('%.2f' % ($T/$P))")"

#!/usr/bin/env bash
# TCP throughput through the GUE tunnel vs plain veth between the same two network namespaces, same run.
# Usage (root, bpffs): bench/bpf/throughput.sh [seconds] [rounds]   Prints both rates and their ratio (goal >= 0.9).
# Rounds alternate plain / tunnel so machine load hits both alike; the medians are compared. The plain runs go
# between the uplink addresses with the programs attached (they pass that traffic through untouched).
# The programs are loaded with bpftool and configured by writing the maps as laid out in bpf/include/epic_maps.h,
# so this measures the data path alone, without the transport agent. Default MTUs: the ICMP frag-needed answer
# is what makes TCP settle on segments that fit the tunnel.
set -euo pipefail
secs=${1:-5}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
obj=$root/bpf/target/epic_tc.bpf.o

die() { echo "throughput: FAIL: $*" >&2; exit 2; }
[[ $EUID -eq 0 ]] || die "must run as root"
[[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) == bpf_fs ]] || die "bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)"
for t in iperf3 bpftool tc nsenter ip make clang; do command -v $t >/dev/null || die "$t not found"; done
# bpftool pins pin-by-name maps under /sys/fs/bpf itself; stale pins there would be silently reused.
compgen -G '/sys/fs/bpf/epic_*' >/dev/null && die "stale pins /sys/fs/bpf/epic_* exist; remove them first"
make -s -C "$root/bpf" all

E=epbench-e-$$ C=epbench-c-$$ pins=/sys/fs/bpf/epic-throughput-$$
cleanup() {
  ip netns del $E 2>/dev/null || true
  ip netns del $C 2>/dev/null || true
  rm -rf "$pins"
  rm -f /sys/fs/bpf/epic_*
}
trap cleanup EXIT
in_ns() { local ns=$1; shift; nsenter --net=/run/netns/$ns "$@"; }

# EPIC node E (uplink vE 10.250.0.1, Envoy address 192.0.2.10) <-> client node C (vC 10.250.0.2, pod 10.244.1.5).
ip netns add $E
ip netns add $C
ip link add vE netns $E type veth peer name vC netns $C
ip -n $E addr add 10.250.0.1/24 dev vE
ip -n $C addr add 10.250.0.2/24 dev vC
ip -n $E addr add 192.0.2.10/32 dev lo
ip -n $C addr add 10.244.1.5/32 dev lo
for ns in $E $C; do ip -n $ns link set lo up; done
ip -n $E link set vE up
ip -n $C link set vC up
ip -n $E route add 10.244.1.0/24 via 10.250.0.2 dev vE src 192.0.2.10
ip -n $C route add 192.0.2.10/32 via 10.250.0.1 dev vC src 10.244.1.5

rate() { # server-ns client-ns server-addr client-addr -> receiver Mbit/s
  in_ns "$1" iperf3 -s -1 -B "$3" >/dev/null 2>&1 &
  local srv=$! out
  sleep 1
  out=$(in_ns "$2" timeout $((secs + 20)) iperf3 -f m -c "$3" -B "$4" -t "$secs") || { kill $srv 2>/dev/null; die "iperf3 failed"; }
  wait $srv || true
  awk '/receiver/ { print $(NF-2) }' <<<"$out"
}

# Byte helpers for bpftool: host-order u32 (little-endian), network-order u16, IPv4 address.
le32() { printf '%d %d %d %d' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
be16() { printf '%d %d' $(($1 >> 8 & 255)) $(($1 & 255)); }
ip4() { local IFS=.; set -- $1; printf '%d %d %d %d' "$1" "$2" "$3" "$4"; }
upd() { bpftool map update pinned "$pins/maps$1/$2" key $3 value $4; }

mkdir -p "$pins"
for n in E C; do
  bpftool prog loadall "$obj" "$pins/prog$n" type classifier
  mkdir -p "$pins/maps$n"
  mv /sys/fs/bpf/epic_* "$pins/maps$n/"
done
iE=$(ip -n $E -o link show vE | cut -d: -f1)
iC=$(ip -n $C -o link show vC | cut -d: -f1)
# epic_ifaces: role (1 EPIC uplink, 2 client uplink), mtu, tag, flags.
upd E epic_ifaces "$(le32 "$iE")" "$(le32 1) $(le32 1500) $(le32 0) $(le32 0)"
upd C epic_ifaces "$(le32 "$iC")" "$(le32 2) $(le32 1500) $(le32 0) $(le32 0)"
# epic_tunnels 42: local, remote, local port, remote port, deliver ifindex, flags (EPIC: fixed sport|learned), 0.
upd E epic_tunnels "$(le32 42)" "$(ip4 10.250.0.1) $(ip4 10.250.0.2) $(be16 6080) $(be16 6080) $(le32 0) $(le32 3) $(le32 0)"
upd C epic_tunnels "$(le32 42)" "$(ip4 10.250.0.2) $(ip4 10.250.0.1) $(be16 0) $(be16 6080) $(le32 0) $(le32 0) $(le32 0)"
# epic_endpoints on the EPIC node: {tag 0 (host traffic), pod, iperf3 port 5201, TCP} -> 42. The client learns the rest.
upd E epic_endpoints "$(le32 0) $(ip4 10.244.1.5) $(be16 5201) 6 0" "$(le32 42)"
in_ns $E tc qdisc add dev vE clsact
in_ns $E tc filter add dev vE egress bpf da object-pinned "$pins/progE/epic_encap"
in_ns $E tc filter add dev vE ingress bpf da object-pinned "$pins/progE/epic_decap"
in_ns $C tc qdisc add dev vC clsact
in_ns $C tc filter add dev vC egress bpf da object-pinned "$pins/progC/epic_encap"
in_ns $C tc filter add dev vC ingress bpf da object-pinned "$pins/progC/epic_decap"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
plains=() tunnels=()
for ((r = 0; r < rounds; r++)); do
  plains+=("$(rate $C $E 10.250.0.2 10.250.0.1)")
  tunnels+=("$(rate $C $E 10.244.1.5 192.0.2.10)")
done
plain=$(printf '%s\n' "${plains[@]}" | median)
tunnel=$(printf '%s\n' "${tunnels[@]}" | median)
tx=$(bpftool -j map lookup pinned "$pins/mapsE/epic_tun_stats" key $(le32 42) | grep -o '"tx_packets": *[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }')
[[ $tx -gt 0 ]] || die "no packet went through the tunnel (epic_tun_stats tx_packets = 0)"

echo "plain veth:   median $plain Mbit/s of ${plains[*]}"
echo "GUE tunnel:   median $tunnel Mbit/s of ${tunnels[*]} ($tx encapsulated skbs on the EPIC side)"
awk -v t="$tunnel" -v p="$plain" 'BEGIN { printf "ratio tunnel/plain: %.2f (goal >= 0.9)\n", t / p }'

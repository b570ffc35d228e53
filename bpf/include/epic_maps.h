/* SPDX-License-Identifier: Apache-2.0 */
/*
 * epic_maps.h: THE contract between the eBPF data path (bpf/src/epic_tc.bpf.c) and the transport agent
 * (transport-agent/, Java over libbpf). Every map, key, value, flag and wire format used by both sides is here.
 *
 * Conventions (read before writing a single byte from user space):
 *  - All structs are little-endian x86_64 / arm64 memory images with explicit padding; sizes are asserted below.
 *    Padding and reserved fields MUST be written as zero (hash keys are compared byte-wise).
 *  - Fields named *_addr / *_port hold NETWORK byte order (the bytes as they appear on the wire: for 10.1.2.3
 *    write bytes 0a 01 02 03; for port 6080 write bytes 17 c0). In Java: InetAddress.getAddress() bytes as-is,
 *    ports as two big-endian bytes.
 *  - Every other integer (tunnel ids, instance tags, ifindexes, MTUs, flags, counters) is HOST byte order
 *    (little-endian on the build machines).
 *  - Program object: bpf/target/epic_tc.bpf.o (built by `make -C bpf`). Programs, all libbpf SEC("tc") (type
 *    BPF_PROG_TYPE_SCHED_CLS, direct action), found by name:
 *      epic_encap  uplink clsact EGRESS   (inner IPv4 -> GUE)
 *      epic_decap  uplink clsact INGRESS  (GUE -> inner IPv4; control packets pass up untouched)
 *      epic_tag    Envoy instance host-side interface clsact INGRESS (skb->mark = instance tag)
 *  - Pinning: every map is declared LIBBPF_PIN_BY_NAME. Open the object with
 *    bpf_object_open_opts.pin_root_path = EPIC_PIN_ROOT and libbpf pins each map at /sys/fs/bpf/epic/<map name>,
 *    (creating the directory), or, when a pin already exists (agent restart), reuses the pinned map so traffic
 *    and state survive.
 *    bpffs must be mounted at /sys/fs/bpf.
 *
 * Flow of a request (EPIC node -> workload pod behind NAT):
 *   Envoy instance veth --epic_tag (mark = tag)--> host routing --> uplink egress: epic_encap looks up
 *   epic_endpoints {tag, pod addr, pod port, proto} -> tunnel id -> epic_tunnels -> outer header, pushes 36 bytes.
 *   Client node uplink ingress: epic_decap checks the tunnel and the outer source, strips 36 bytes, learns
 *   {tag 0, Envoy addr, Envoy port, proto} -> tunnel id into epic_learned so that the pod's reply is encapsulated
 *   back by the client's epic_encap.
 */
#ifndef EPIC_MAPS_H
#define EPIC_MAPS_H

#include <linux/types.h>

/* ---------------------------------------------------------------------------------------------------------------
 * Wire format (DESIGN.md "GUE on the wire"): draft-ietf-intarea-gue variant 0 over UDP port 6080.
 *
 * Data packet (C=0), 36 bytes pushed in front of the inner IPv4 packet (after the Ethernet header):
 *   outer IPv4 (20 B, IHL 5, TOS copied from the inner packet, id 0, DF, TTL 64, proto 17, checksum set)
 *   UDP (8 B): source = flow entropy in [49152, 65535] (hash of the inner 5-tuple) or the tunnel's pinned
 *              local_port (EPIC_TUN_F_FIXED_SPORT); destination = tunnel remote_port; checksum 0 (allowed on IPv4)
 *   GUE base (4 B): 0x01 0x04 0x00 0x00 = ver 0, C 0, Hlen 1, proto 4 (IPv4), flags 0
 *   tunnel id (4 B, big-endian): the one 32-bit word of GUE private data announced by Hlen=1
 *
 * Control packet (C=1): sent by the agent from a UDP socket (client node: local port 6080 -> EPIC node port 6080);
 * UDP payload of 32 bytes, struct epic_gue_control:
 *   0x21 0x01 0x00 0x00 = ver 0, C 1, Hlen 1, ctype 1 (EPIC_GUE_CTYPE_KEEPALIVE), flags 0
 *   tunnel id (4 B, big-endian)
 *   counter (8 B, big-endian): sender's Unix time in milliseconds, strictly increasing per tunnel (last + 1 when
 *            the clock did not advance)
 *   mac (16 B): first 16 bytes of HMAC-SHA256(tunnel key, bytes 0..15 of this payload)
 * The BPF side never interprets control packets: epic_decap returns TC_ACT_OK for every well-formed C=1 packet so
 * it reaches the agent's socket with its (NAT-translated) source address and port. The agent accepts a control
 * packet only if the MAC verifies, counter > the last accepted counter of that tunnel and
 * |counter - now| <= EPIC_CTRL_MAX_SKEW_MS; only then it writes the source into epic_tunnels (remote_addr,
 * remote_port) and sets EPIC_TUN_F_LEARNED. Anything else changes nothing (and is counted by the agent).
 * ------------------------------------------------------------------------------------------------------------- */
#define EPIC_GUE_PORT 6080              /* UDP destination port of every GUE packet (IANA) */
#define EPIC_OUTER_IP_LEN 20
#define EPIC_UDP_LEN 8
#define EPIC_GUE_BASE_LEN 4
#define EPIC_GUE_TUNNEL_ID_LEN 4
#define EPIC_GUE_HLEN_WORDS 1           /* Hlen of data and control packets: the tunnel id word */
#define EPIC_ENCAP_OVERHEAD 36          /* 20 + 8 + 4 + 4: inner MTU = uplink MTU - 36 */
#define EPIC_GUE_PROTO_IPV4 4           /* GUE proto field of data packets (IANA IP-in-IP) */
#define EPIC_GUE_CTYPE_KEEPALIVE 1      /* GUE ctype of the control packet above */
#define EPIC_GUE_C_BIT 0x20             /* in byte 0 of the GUE header */
#define EPIC_GUE_VER_MASK 0xc0          /* variant bits in byte 0; must be 0 */
#define EPIC_GUE_HLEN_MASK 0x1f         /* Hlen bits in byte 0 */
#define EPIC_ENTROPY_PORT_MIN 49152     /* outer UDP source ports carrying flow entropy: [49152, 65535] */
#define EPIC_CTRL_MAC_LEN 16
#define EPIC_CTRL_LEN 32                /* UDP payload length of a control packet */
#define EPIC_CTRL_MAX_SKEW_MS 30000     /* agent-side freshness window for control packet counters */

/* GUE base header + the tunnel id word, as on the wire. */
struct epic_gue_hdr {
	__u8 ver_c_hlen;   /* ver(2) | C(1) | Hlen(5): 0x01 data, 0x21 control */
	__u8 proto_ctype;  /* data: EPIC_GUE_PROTO_IPV4; control: EPIC_GUE_CTYPE_KEEPALIVE */
	__be16 flags;      /* 0: no extension fields */
	__be32 tunnel_id;  /* big-endian on the wire */
};

struct epic_gue_control {
	struct epic_gue_hdr hdr;          /* 0x21 0x01 0x0000, tunnel id */
	__be64 counter;                   /* big-endian Unix ms, strictly increasing per tunnel */
	__u8 mac[EPIC_CTRL_MAC_LEN];      /* HMAC-SHA256(key, bytes 0..15)[0..15] */
};

/* ---------------------------------------------------------------------------------------------------------------
 * Maps. Pin path: EPIC_PIN_ROOT "/" <name>. Names are at most 15 characters (kernel limit).
 * ------------------------------------------------------------------------------------------------------------- */
#define EPIC_PIN_ROOT "/sys/fs/bpf/epic"

/*
 * epic_endpoints: BPF_MAP_TYPE_HASH, max EPIC_MAX_ENDPOINTS, OWNED BY THE AGENT (reconciled; BPF only reads).
 * Which tunnel carries packets to an inner endpoint. Encap looks up the inner destination:
 *   key  = {instance_tag: skb->mark on EPIC uplinks (set by epic_tag), 0 on client uplinks;
 *           addr/port/proto: inner destination IPv4 address, destination port (0 for protocols without ports,
 *           e.g. ICMP), IP protocol (6 TCP, 17 UDP, ...)}
 *   value = tunnel id (key of epic_tunnels)
 */
#define EPIC_MAP_ENDPOINTS "epic_endpoints"
#define EPIC_MAX_ENDPOINTS 262144
struct epic_endpoint_key {
	__u32 instance_tag; /* host order; 0 on client nodes */
	__be32 addr;        /* network order */
	__be16 port;        /* network order; 0 when proto has no ports */
	__u8 proto;         /* IPPROTO_* */
	__u8 pad;           /* must be 0 */
};                          /* 12 bytes */

struct epic_endpoint_value {
	__u32 tunnel_id;    /* host order, 1..0xffffffff (0 is never a tunnel) */
};                          /* 4 bytes */

/*
 * epic_learned: BPF_MAP_TYPE_LRU_HASH, max EPIC_MAX_LEARNED, OWNED BY BPF (the agent only reads / may flush).
 * Reverse mappings learned by epic_decap on client uplinks (role EPIC_IF_UPLINK_CLIENT): for each decapsulated
 * data packet, key = {0, inner SOURCE addr, inner source port, proto} -> value = the packet's tunnel id, so the
 * reply (whose destination is that source) is encapsulated back through the same tunnel. Same key/value structs
 * as epic_endpoints; encap on a client uplink consults epic_endpoints first, then epic_learned (EPIC uplinks never
 * look at it). LRU: idle flows age out.
 */
#define EPIC_MAP_LEARNED "epic_learned"
#define EPIC_MAX_LEARNED 262144

/*
 * epic_frags: BPF_MAP_TYPE_LRU_HASH, max EPIC_MAX_FRAGS, OWNED BY BPF (internal; the agent ignores it).
 * Non-first fragments of an inner TCP/UDP packet carry no ports, so encap cannot look up their endpoint. When it
 * encapsulates a first fragment (MF set, offset 0) it records {tag, inner src, inner dst, IP id, proto} -> tunnel
 * id; the later fragments of that packet follow the same tunnel. Fragments without a record pass untouched.
 */
#define EPIC_MAP_FRAGS "epic_frags"
#define EPIC_MAX_FRAGS 16384
struct epic_frag_key {
	__u32 instance_tag; /* host order, as in epic_endpoint_key */
	__be32 saddr;       /* network order */
	__be32 daddr;       /* network order */
	__be16 id;          /* IPv4 identification, network order */
	__u8 proto;
	__u8 pad;           /* must be 0 */
};                          /* 16 bytes; value: struct epic_endpoint_value */

/*
 * epic_tunnels: BPF_MAP_TYPE_HASH, max EPIC_MAX_TUNNELS, OWNED BY THE AGENT.
 *   key   = __u32 tunnel id (host order)
 *   value = struct epic_tunnel
 * Encap writes outer IPv4 local_addr -> remote_addr, UDP sport (entropy or local_port) -> remote_port.
 * A tunnel whose remote is not known yet (remote_addr == 0 or remote_port == 0) drops encap traffic (counted
 * drop_no_remote) rather than leaking inner packets onto the uplink. Decap drops data packets whose outer source
 * address differs from remote_addr (counted drop_spoofed), so only a verified control packet (agent) can move a
 * tunnel. The outer source port is not checked: NATs give each flow-entropy port its own mapping.
 */
#define EPIC_MAP_TUNNELS "epic_tunnels"
#define EPIC_MAX_TUNNELS 65536

#define EPIC_TUN_F_FIXED_SPORT (1u << 0) /* outer UDP source = local_port instead of flow entropy. Set it on the
                                          * EPIC side: a NAT in front of the client only lets in packets from the
                                          * address:port its control packets went to (EPIC node:6080). */
#define EPIC_TUN_F_LEARNED (1u << 1)     /* informational: remote_* came from a verified control packet */

struct epic_tunnel {
	__be32 local_addr;      /* outer source IPv4 (this node's uplink / public address) */
	__be32 remote_addr;     /* outer destination IPv4; 0 = not known yet. Data packets must come from it. */
	__be16 local_port;      /* outer UDP source port when EPIC_TUN_F_FIXED_SPORT (normally 6080) */
	__be16 remote_port;     /* outer UDP destination port; 0 = not known yet (6080, or the NAT's port) */
	__u32 deliver_ifindex;  /* decap: 0 = hand the inner packet to the stack (routing); else bpf_redirect_neigh
	                         * to this ifindex (e.g. straight to a pod's host-side veth) */
	__u32 flags;            /* EPIC_TUN_F_* */
	__u32 reserved;         /* must be 0 */
};                              /* 24 bytes */

/*
 * epic_ifaces: BPF_MAP_TYPE_HASH, max EPIC_MAX_IFACES, OWNED BY THE AGENT.
 *   key   = __u32 ifindex (host order) of the interface the program is attached to
 *   value = struct epic_iface
 * A program attached to an interface without an entry (or with a role it does not serve) passes every packet
 * untouched (TC_ACT_OK).
 */
#define EPIC_MAP_IFACES "epic_ifaces"
#define EPIC_MAX_IFACES 1024

enum epic_iface_role {
	EPIC_IF_NONE = 0,
	EPIC_IF_UPLINK_EPIC = 1,   /* EPIC node uplink: encap key tag = skb->mark; decap does not learn */
	EPIC_IF_UPLINK_CLIENT = 2, /* client node uplink: encap key tag = 0; decap learns into epic_learned */
	EPIC_IF_INSTANCE = 3,      /* Envoy instance host-side interface: epic_tag sets skb->mark = instance_tag */
};

struct epic_iface {
	__u32 role;          /* enum epic_iface_role */
	__u32 mtu;           /* uplinks: the uplink's MTU (e.g. 1500). Inner packets longer than mtu - 36 (GSO: per
	                      * segment) are not encapsulated: with DF they get an ICMP fragmentation-needed answer
	                      * carrying next-hop MTU mtu - 36, without DF they are dropped; both counted drop_mtu.
	                      * 0 = no check. */
	__u32 instance_tag;  /* EPIC_IF_INSTANCE: the tag written into skb->mark, != 0 */
	__u32 flags;         /* reserved, must be 0 */
};                           /* 16 bytes */

/*
 * epic_tun_stats: BPF_MAP_TYPE_PERCPU_HASH (BPF_F_NO_PREALLOC), max EPIC_MAX_TUNNELS.
 *   key   = __u32 tunnel id (host order)
 *   value = struct epic_tunnel_stats, one per possible CPU (user space sums them)
 * BPF creates the entry on first use; the agent deletes it when it removes the tunnel (and may create it zeroed
 * when it adds one). Monotonic counters, never reset by BPF.
 */
#define EPIC_MAP_TUN_STATS "epic_tun_stats"
struct epic_tunnel_stats {
	__u64 tx_packets;      /* encapsulated (uplink egress) */
	__u64 tx_bytes;        /* inner bytes (from the inner IPv4 header on) */
	__u64 rx_packets;      /* decapsulated data packets (uplink ingress) */
	__u64 rx_bytes;        /* inner bytes */
	__u64 drop_spoofed;    /* decap: outer source != remote_addr (or remote unknown) */
	__u64 drop_mtu;        /* encap: too big for the uplink (icmp_frag_needed of them were answered) */
	__u64 icmp_frag_needed;/* encap: ICMP fragmentation-needed answers sent back into the stack */
	__u64 drop_no_remote;  /* encap: tunnel remote not known yet */
	__u64 tx_errors;       /* encap: bpf_skb_adjust_room / store failed (packet dropped) */
	__u64 rx_errors;       /* decap: strip failed (packet dropped) */
};                             /* 80 bytes */

/*
 * epic_stats: BPF_MAP_TYPE_PERCPU_ARRAY, 1 entry (key __u32 0), value struct epic_global_stats per CPU.
 * Events that belong to no known tunnel.
 */
#define EPIC_MAP_STATS "epic_stats"
struct epic_global_stats {
	__u64 rx_control;        /* decap: control packets (C=1) passed up to the agent untouched */
	__u64 rx_unknown_tunnel; /* decap: data packet for a tunnel id not in epic_tunnels (dropped) */
	__u64 rx_bad_header;     /* decap: UDP 6080 but not a GUE variant 0 header we accept (dropped) */
	__u64 tx_unknown_tunnel; /* encap: endpoint points at a tunnel id not in epic_tunnels (dropped) */
	__u64 learn_errors;      /* decap: epic_learned update failed */
	__u64 reserved[3];
};                               /* 64 bytes */

/* ---------------------------------------------------------------------------------------------------------------
 * Layout checks: a changed size is a changed contract (tell the transport-agent engineers).
 * ------------------------------------------------------------------------------------------------------------- */
_Static_assert(sizeof(struct epic_gue_hdr) == 8, "epic_gue_hdr");
_Static_assert(sizeof(struct epic_gue_control) == EPIC_CTRL_LEN, "epic_gue_control");
_Static_assert(sizeof(struct epic_endpoint_key) == 12, "epic_endpoint_key");
_Static_assert(sizeof(struct epic_endpoint_value) == 4, "epic_endpoint_value");
_Static_assert(sizeof(struct epic_frag_key) == 16, "epic_frag_key");
_Static_assert(sizeof(struct epic_tunnel) == 24, "epic_tunnel");
_Static_assert(sizeof(struct epic_iface) == 16, "epic_iface");
_Static_assert(sizeof(struct epic_tunnel_stats) == 80, "epic_tunnel_stats");
_Static_assert(sizeof(struct epic_global_stats) == 64, "epic_global_stats");
_Static_assert(EPIC_ENCAP_OVERHEAD == EPIC_OUTER_IP_LEN + EPIC_UDP_LEN + EPIC_GUE_BASE_LEN + EPIC_GUE_TUNNEL_ID_LEN,
	       "overhead");

#endif /* EPIC_MAPS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * EPIC GUE data path: tc (clsact) programs epic_encap (uplink egress), epic_decap (uplink ingress) and epic_tag
 * (Envoy instance host-side interface ingress). Maps and wire format: ../include/epic_maps.h.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "epic_maps.h"

char LICENSE[] SEC("license") = "GPL"; /* bpf_redirect_neigh and bpf_csum_diff are GPL-only helpers */

#define ETH_HLEN 14
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EPIC_MAX_ENDPOINTS);
	__type(key, struct epic_endpoint_key);
	__type(value, struct epic_endpoint_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} epic_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EPIC_MAX_LEARNED);
	__type(key, struct epic_endpoint_key);
	__type(value, struct epic_endpoint_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} epic_learned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EPIC_MAX_FRAGS);
	__type(key, struct epic_frag_key);
	__type(value, struct epic_endpoint_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} epic_frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EPIC_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct epic_tunnel);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} epic_tunnels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EPIC_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct epic_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} epic_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* per-CPU x max tunnels would be preallocated otherwise */
	__uint(max_entries, EPIC_MAX_TUNNELS);
	__type(key, __u32);
	__type(value, struct epic_tunnel_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} epic_tun_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct epic_global_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} epic_stats SEC(".maps");

/* Outer headers exactly as pushed: all members 4-byte aligned, 36 bytes. */
struct encap_hdr {
	struct iphdr ip;
	struct udphdr udp;
	struct epic_gue_hdr gue;
};
_Static_assert(sizeof(struct encap_hdr) == EPIC_ENCAP_OVERHEAD, "encap_hdr");

static __always_inline struct epic_global_stats *global_stats(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&epic_stats, &zero);
}

/* Per-tunnel counters; created on first use so the agent need not pre-create them. */
static __always_inline struct epic_tunnel_stats *tunnel_stats(__u32 tunnel_id)
{
	struct epic_tunnel_stats *s = bpf_map_lookup_elem(&epic_tun_stats, &tunnel_id);
	if (s)
		return s;
	struct epic_tunnel_stats zero = {};
	bpf_map_update_elem(&epic_tun_stats, &tunnel_id, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&epic_tun_stats, &tunnel_id);
}

static __always_inline bool is_uplink(const struct epic_iface *cfg)
{
	return cfg && (cfg->role == EPIC_IF_UPLINK_EPIC || cfg->role == EPIC_IF_UPLINK_CLIENT);
}

static __always_inline bool has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* One's complement checksum of the 20-byte header (IHL 5, which is all this program writes). */
static __always_inline __u16 ipv4_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline __u16 fold_csum(__s64 partial)
{
	__u32 sum = (__u32)partial;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * Outer UDP source port in [49152, 65535] from the inner 5-tuple: ECMP/RSS spread flows, one flow keeps its port.
 * A cheap integer mix instead of bpf_get_hash_recalc, which runs the flow dissector when skb->hash is unset.
 */
static __always_inline __u16 entropy_port(__be32 saddr, __be32 daddr, __u32 ports, __u8 proto)
{
	__u32 h = saddr * 0x9e3779b1u;
	h ^= daddr;
	h = (h ^ ports) * 0x85ebca6bu;
	h ^= proto;
	h ^= h >> 15;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return EPIC_ENTROPY_PORT_MIN + (h & 0x3fff);
}

/* The fields of an IPv4 packet the programs key on, copied out (packet pointers die at the next helper that
 * changes the packet). */
struct ipv4_flow {
	__be32 saddr, daddr;
	__u32 ports;      /* first 4 L4 bytes as in memory (source port, destination port); 0 without ports */
	__be16 frag_off;
	__be16 id;
	__u8 proto, tos, ihl;
};

/*
 * Direct packet access costs a few ns where bpf_skb_load_bytes costs tens. Headers are almost always in the linear
 * part; only when they are not is the skb pulled, and short packets that are wholly linear never are (a pull of a
 * cloned TCP skb would copy it).
 */
static __always_inline void *linear_headers(struct __sk_buff *skb, __u32 want)
{
	__u32 need = skb->len < want ? skb->len : want;
	if ((long)skb->data + need > (long)skb->data_end && bpf_skb_pull_data(skb, need))
		return 0;
	return (void *)(long)skb->data;
}

static __always_inline bool parse_ipv4(struct __sk_buff *skb, struct ipv4_flow *f)
{
	void *data = linear_headers(skb, ETH_HLEN + 60 + 4);
	void *end = (void *)(long)skb->data_end;
	if (!data)
		return false;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5)
		return false;
	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->frag_off = ip->frag_off;
	f->id = ip->id;
	f->proto = ip->protocol;
	f->tos = ip->tos;
	f->ihl = ip->ihl;
	f->ports = 0;
	if (has_ports(ip->protocol) && !(ip->frag_off & bpf_htons(IP_OFFMASK))) {
		__u32 *l4 = (void *)ip + ip->ihl * 4;
		if ((void *)(l4 + 1) <= end)
			f->ports = *l4;
	}
	return true;
}

/*
 * Rewrites the too-big packet into an ICMP fragmentation-needed answer (next-hop MTU = mtu) quoting its IPv4
 * header + 8 bytes, and redirects it into the ingress of the same interface, so the sender's stack (local, or
 * forwarded from an Envoy instance) lowers its path MTU instead of losing packets silently.
 */
struct frag_needed {
	__u8 align[2]; /* puts ip and icmp on 4-byte boundaries: the verifier rejects misaligned stack access */
	struct ethhdr eth;
	struct iphdr ip;
	struct icmphdr icmp;
	__u8 quote[60 + 8];
};

static __always_inline int answer_frag_needed(struct __sk_buff *skb, const struct ipv4_flow *orig, __u32 mtu)
{
	struct frag_needed p = {};
	struct ethhdr eth;
	__u32 quote_len = (orig->ihl & 0xf) * 4 + 8; /* the whole original IPv4 header + 8 bytes */

	if (quote_len > sizeof(p.quote))
		return TC_ACT_SHOT;
	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, p.quote, quote_len))
		return TC_ACT_SHOT;
	__builtin_memcpy(p.eth.h_dest, eth.h_source, ETH_ALEN);
	__builtin_memcpy(p.eth.h_source, eth.h_dest, ETH_ALEN);
	p.eth.h_proto = bpf_htons(ETH_P_IP);

	p.ip.version = 4;
	p.ip.ihl = 5;
	p.ip.tos = 0xc0; /* internetwork control, as the kernel's own ICMP errors */
	p.ip.tot_len = bpf_htons(sizeof(struct iphdr) + sizeof(struct icmphdr) + quote_len);
	p.ip.ttl = 64;
	p.ip.protocol = IPPROTO_ICMP;
	/* From the unreachable destination: a local source address would be dropped as martian on ingress. */
	p.ip.saddr = orig->daddr;
	p.ip.daddr = orig->saddr;
	p.ip.check = ipv4_csum(&p.ip);

	p.icmp.type = ICMP_DEST_UNREACH;
	p.icmp.code = ICMP_FRAG_NEEDED;
	p.icmp.un.frag.mtu = bpf_htons(mtu);
	p.icmp.checksum = fold_csum(bpf_csum_diff(0, 0, (__be32 *)&p.icmp, sizeof(p.icmp) + quote_len, 0));

	__u32 len = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct icmphdr) + quote_len;
	if (len > sizeof(p) - sizeof(p.align) || bpf_skb_change_tail(skb, len, 0) ||
	    bpf_skb_store_bytes(skb, 0, &p.eth, len, 0))
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
}

SEC("tc")
int epic_encap(struct __sk_buff *skb)
{
	struct ipv4_flow ip;

	if (skb->protocol != bpf_htons(ETH_P_IP) || !parse_ipv4(skb, &ip))
		return TC_ACT_OK;
	__u32 ifindex = skb->ifindex;
	struct epic_iface *cfg = bpf_map_lookup_elem(&epic_ifaces, &ifindex);
	if (!is_uplink(cfg))
		return TC_ACT_OK;

	struct epic_endpoint_key key = {
		.instance_tag = cfg->role == EPIC_IF_UPLINK_EPIC ? skb->mark : 0,
		.addr = ip.daddr,
		.port = (__be16)(ip.ports >> 16), /* destination port: second 16 bits in memory order */
		.proto = ip.proto,
	};
	struct epic_frag_key frag = {
		.instance_tag = key.instance_tag, .saddr = ip.saddr, .daddr = ip.daddr, .id = ip.id, .proto = ip.proto,
	};
	bool later_fragment = has_ports(ip.proto) && (ip.frag_off & bpf_htons(IP_OFFMASK));
	struct epic_endpoint_value *ep;
	if (later_fragment) {
		ep = bpf_map_lookup_elem(&epic_frags, &frag);
	} else {
		ep = bpf_map_lookup_elem(&epic_endpoints, &key);
		if (!ep && cfg->role == EPIC_IF_UPLINK_CLIENT) /* only client uplinks learn */
			ep = bpf_map_lookup_elem(&epic_learned, &key);
	}
	if (!ep)
		return TC_ACT_OK; /* not tunnel traffic */
	if (!later_fragment && (ip.frag_off & bpf_htons(IP_MF)))
		bpf_map_update_elem(&epic_frags, &frag, ep, BPF_ANY); /* first fragment: the rest follow its tunnel */

	__u32 tunnel_id = ep->tunnel_id;
	struct epic_tunnel *tun = bpf_map_lookup_elem(&epic_tunnels, &tunnel_id);
	if (!tun) {
		struct epic_global_stats *g = global_stats();
		if (g)
			g->tx_unknown_tunnel++;
		return TC_ACT_SHOT;
	}
	struct epic_tunnel_stats *st = tunnel_stats(tunnel_id);
	if (!tun->remote_addr || !tun->remote_port) {
		if (st)
			st->drop_no_remote++;
		return TC_ACT_SHOT;
	}

	__u32 inner_len = skb->len - ETH_HLEN;
	/* GSO packets need no check: adjust_room lowers gso_size by the overhead, so segments still fit. */
	if (cfg->mtu && !skb->gso_size && inner_len + EPIC_ENCAP_OVERHEAD > cfg->mtu) {
		if (st)
			st->drop_mtu++;
		if (!(ip.frag_off & bpf_htons(IP_DF)))
			return TC_ACT_SHOT;
		if (st)
			st->icmp_frag_needed++;
		return answer_frag_needed(skb, &ip, cfg->mtu - EPIC_ENCAP_OVERHEAD);
	}

	struct encap_hdr h = {
		.ip = {
			.version = 4,
			.ihl = 5,
			.tos = ip.tos,
			.tot_len = bpf_htons(inner_len + EPIC_ENCAP_OVERHEAD),
			.frag_off = bpf_htons(IP_DF),
			.ttl = 64,
			.protocol = IPPROTO_UDP,
			.saddr = tun->local_addr,
			.daddr = tun->remote_addr,
		},
		.udp = {
			.source = (tun->flags & EPIC_TUN_F_FIXED_SPORT)
					  ? tun->local_port
					  : bpf_htons(entropy_port(ip.saddr, ip.daddr, ip.ports, ip.proto)),
			.dest = tun->remote_port,
			.len = bpf_htons(inner_len + EPIC_ENCAP_OVERHEAD - sizeof(struct iphdr)),
		},
		.gue = {
			.ver_c_hlen = EPIC_GUE_HLEN_WORDS,
			.proto_ctype = EPIC_GUE_PROTO_IPV4,
			.tunnel_id = bpf_htonl(tunnel_id),
		},
	};
	h.ip.check = ipv4_csum(&h.ip);

	/* The ENCAP flags mark the skb as UDP-tunnelled so GSO replicates the outer headers per segment. */
	__u64 flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP |
		      BPF_F_ADJ_ROOM_ENCAP_L2(sizeof(struct epic_gue_hdr));
	if (bpf_skb_adjust_room(skb, EPIC_ENCAP_OVERHEAD, BPF_ADJ_ROOM_MAC, flags)) {
		if (st)
			st->tx_errors++;
		return TC_ACT_SHOT;
	}
	/* adjust_room left the new room writable and linear: a direct store is cheaper than bpf_skb_store_bytes. */
	struct encap_hdr *out = (void *)(long)skb->data + ETH_HLEN;
	if ((void *)(out + 1) > (void *)(long)skb->data_end) {
		if (st)
			st->tx_errors++;
		return TC_ACT_SHOT;
	}
	*out = h;
	if (st) {
		st->tx_packets++;
		st->tx_bytes += inner_len;
	}
	return TC_ACT_OK;
}

/* Client nodes: remember which tunnel an inner source came through, so its replies go back the same way. */
static __always_inline void learn_reverse(struct __sk_buff *skb, __u32 tunnel_id)
{
	struct ipv4_flow ip;
	if (!parse_ipv4(skb, &ip) || (has_ports(ip.proto) && (ip.frag_off & bpf_htons(IP_OFFMASK))))
		return; /* later fragments carry no ports to learn */
	struct epic_endpoint_key key = {
		.addr = ip.saddr,
		.port = (__be16)ip.ports, /* source port: first 16 bits in memory order */
		.proto = ip.proto,
	};
	struct epic_endpoint_value *known = bpf_map_lookup_elem(&epic_learned, &key);
	if (known && known->tunnel_id == tunnel_id)
		return; /* no write per packet for a known flow */
	struct epic_endpoint_value v = { .tunnel_id = tunnel_id };
	if (bpf_map_update_elem(&epic_learned, &key, &v, BPF_ANY)) {
		struct epic_global_stats *g = global_stats();
		if (g)
			g->learn_errors++;
	}
}

SEC("tc")
int epic_decap(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	void *data = linear_headers(skb, ETH_HLEN + sizeof(struct encap_hdr));
	void *end = (void *)(long)skb->data_end;
	if (!data)
		return TC_ACT_OK;
	struct encap_hdr *h = data + ETH_HLEN;
	if ((void *)&h->gue > end || h->ip.version != 4 || h->ip.ihl != 5 || h->ip.protocol != IPPROTO_UDP ||
	    (h->ip.frag_off & bpf_htons(IP_MF | IP_OFFMASK)) || h->udp.dest != bpf_htons(EPIC_GUE_PORT))
		return TC_ACT_OK; /* we never send options or fragments: not ours */

	/* Only GUE traffic pays for the configuration lookup. */
	__u32 ifindex = skb->ifindex;
	struct epic_iface *cfg = bpf_map_lookup_elem(&epic_ifaces, &ifindex);
	if (!is_uplink(cfg))
		return TC_ACT_OK;
	struct epic_global_stats *g = global_stats();
	if ((void *)(h + 1) > end || (h->gue.ver_c_hlen & EPIC_GUE_VER_MASK)) {
		if (g)
			g->rx_bad_header++;
		return TC_ACT_SHOT;
	}
	if (h->gue.ver_c_hlen & EPIC_GUE_C_BIT) {
		if (g)
			g->rx_control++;
		return TC_ACT_OK; /* control: the agent verifies it in user space */
	}
	if ((h->gue.ver_c_hlen & EPIC_GUE_HLEN_MASK) != EPIC_GUE_HLEN_WORDS ||
	    h->gue.proto_ctype != EPIC_GUE_PROTO_IPV4 || h->gue.flags) {
		if (g)
			g->rx_bad_header++;
		return TC_ACT_SHOT;
	}

	__be32 outer_saddr = h->ip.saddr;
	__u32 tunnel_id = bpf_ntohl(h->gue.tunnel_id);
	struct epic_tunnel *tun = bpf_map_lookup_elem(&epic_tunnels, &tunnel_id);
	if (!tun) {
		if (g)
			g->rx_unknown_tunnel++;
		return TC_ACT_SHOT;
	}
	struct epic_tunnel_stats *st = tunnel_stats(tunnel_id);
	if (!tun->remote_addr || outer_saddr != tun->remote_addr) {
		if (st)
			st->drop_spoofed++;
		return TC_ACT_SHOT;
	}
	if (bpf_skb_adjust_room(skb, -EPIC_ENCAP_OVERHEAD, BPF_ADJ_ROOM_MAC, 0)) {
		if (st)
			st->rx_errors++;
		return TC_ACT_SHOT;
	}
	if (st) {
		st->rx_packets++;
		st->rx_bytes += skb->len - ETH_HLEN;
	}
	if (cfg->role == EPIC_IF_UPLINK_CLIENT)
		learn_reverse(skb, tunnel_id);
	if (tun->deliver_ifindex)
		return bpf_redirect_neigh(tun->deliver_ifindex, 0, 0, 0);
	return TC_ACT_OK;
}

SEC("tc")
int epic_tag(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	struct epic_iface *cfg = bpf_map_lookup_elem(&epic_ifaces, &ifindex);

	if (cfg && cfg->role == EPIC_IF_INSTANCE)
		skb->mark = cfg->instance_tag;
	return TC_ACT_OK;
}

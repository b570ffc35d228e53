/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the fixture runner (bpf/tests/fixtures.c) and the benchmark (bench/bpf/bench.c): the fixture row
 * types, the table of cases, and loading the object and applying a row's map setup.
 */
#ifndef EPIC_FIXTURE_H
#define EPIC_FIXTURE_H

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "epic_maps.h"

#define BPF_FS_MAGIC 0xcafe4a11
#define TEST_IFINDEX 1 /* test runs happen on the loopback device; configs are keyed by its ifindex */
#define MAX_FRAME 4096

struct tunnel_row {
	__u32 id;
	const char *local, *remote;
	__u16 local_port, remote_port;
	__u32 deliver_ifindex, flags;
};

struct endpoint_row {
	__u32 tag;
	const char *addr;
	__u16 port;
	__u8 proto;
	__u32 tunnel_id;
};

struct frag_row {
	__u32 tag;
	const char *saddr, *daddr;
	__u16 id;
	__u8 proto;
	__u32 tunnel_id;
};

/* Expected counter: tunnel 0 means epic_stats (global). Counters not listed must be zero. */
struct counter_row {
	__u32 tunnel;
	const char *name;
	__u64 value;
};

struct fixture {
	const char *name;
	const char *prog;
	struct epic_iface iface; /* config of the test ifindex; role EPIC_IF_NONE = no entry */
	struct tunnel_row tunnels[2];
	struct endpoint_row endpoints[2];
	struct endpoint_row learned[2];   /* epic_learned content before the run */
	struct frag_row frags[1];         /* epic_frags content before the run */
	__u32 mark_in;
	const char *in;                   /* hex frame; whitespace ignored */
	int in_pad_to;                    /* > 0: pad the frame to this length with a byte pattern */
	int ret;                          /* expected verdict */
	const char *out;                  /* expected output hex; NULL = identical to the input */
	int out_tail_from;                /* > 0: expected = out ++ input[out_tail_from..] */
	__u32 mark_out;                   /* 0 = must equal mark_in */
	struct counter_row counters[4];
	struct endpoint_row learned_out[2]; /* exact epic_learned content after the run */
	struct frag_row frags_out[1];       /* exact epic_frags content after the run */
};

#include "fixture_cases.h"

struct env {
	struct bpf_object *obj;
	int endpoints, learned, frags, tunnels, ifaces, tun_stats, stats;
	int ncpus;
};

static int parse_hex(const char *hex, __u8 *buf, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (const char *p = hex; *p; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (!isxdigit((unsigned char)*p))
			return -1;
		int v = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return -1;
		buf[n++] = (__u8)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

static __be32 addr(const char *s)
{
	struct in_addr a;
	if (!s)
		return 0;
	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "fixture table: bad IPv4 address '%s'\n", s);
		exit(2);
	}
	return a.s_addr;
}

static struct epic_endpoint_key endpoint_key(const struct endpoint_row *r)
{
	struct epic_endpoint_key k = {
		.instance_tag = r->tag, .addr = addr(r->addr), .port = htons(r->port), .proto = r->proto,
	};
	return k;
}

static struct epic_frag_key frag_key(const struct frag_row *r)
{
	struct epic_frag_key k = {
		.instance_tag = r->tag, .saddr = addr(r->saddr), .daddr = addr(r->daddr), .id = htons(r->id),
		.proto = r->proto,
	};
	return k;
}

static void clear_hash(int fd, size_t key_size)
{
	__u8 key[64], next[64];
	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, key_size);
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

static int reset_maps(struct env *e)
{
	clear_hash(e->endpoints, sizeof(struct epic_endpoint_key));
	clear_hash(e->learned, sizeof(struct epic_endpoint_key));
	clear_hash(e->frags, sizeof(struct epic_frag_key));
	clear_hash(e->tunnels, sizeof(__u32));
	clear_hash(e->ifaces, sizeof(__u32));
	clear_hash(e->tun_stats, sizeof(__u32));
	struct epic_global_stats zero[e->ncpus];
	memset(zero, 0, sizeof(zero));
	__u32 k = 0;
	return bpf_map_update_elem(e->stats, &k, zero, BPF_ANY);
}

static int setup_maps(struct env *e, const struct fixture *f)
{
	if (reset_maps(e))
		return -1;
	if (f->iface.role != EPIC_IF_NONE) {
		__u32 ifindex = TEST_IFINDEX;
		if (bpf_map_update_elem(e->ifaces, &ifindex, &f->iface, BPF_NOEXIST))
			return -1;
	}
	for (int i = 0; i < 2 && f->tunnels[i].id; i++) {
		const struct tunnel_row *r = &f->tunnels[i];
		struct epic_tunnel t = {
			.local_addr = addr(r->local), .remote_addr = addr(r->remote),
			.local_port = htons(r->local_port), .remote_port = htons(r->remote_port),
			.deliver_ifindex = r->deliver_ifindex, .flags = r->flags,
		};
		if (bpf_map_update_elem(e->tunnels, &r->id, &t, BPF_NOEXIST))
			return -1;
	}
	for (int i = 0; i < 2; i++) {
		const struct endpoint_row *rows[2] = { &f->endpoints[i], &f->learned[i] };
		int fds[2] = { e->endpoints, e->learned };
		for (int m = 0; m < 2; m++) {
			if (!rows[m]->tunnel_id)
				continue;
			struct epic_endpoint_key k = endpoint_key(rows[m]);
			struct epic_endpoint_value v = { .tunnel_id = rows[m]->tunnel_id };
			if (bpf_map_update_elem(fds[m], &k, &v, BPF_NOEXIST))
				return -1;
		}
	}
	if (f->frags[0].tunnel_id) {
		struct epic_frag_key k = frag_key(&f->frags[0]);
		struct epic_endpoint_value v = { .tunnel_id = f->frags[0].tunnel_id };
		if (bpf_map_update_elem(e->frags, &k, &v, BPF_NOEXIST))
			return -1;
	}
	return 0;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);
	if (!m) {
		fprintf(stderr, "map %s missing from the object\n", name);
		exit(2);
	}
	return bpf_map__fd(m);
}

/* Both the runner and the bench refuse to run (exit 2) rather than skip when root or bpffs is missing. */
static void require_root_and_bpffs(const char *who)
{
	struct statfs sfs;
	if (geteuid() != 0) {
		fprintf(stderr, "%s: FAIL: must run as root (BPF_PROG_TEST_RUN and bpffs pins need it)\n", who);
		exit(2);
	}
	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		fprintf(stderr, "%s: FAIL: bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)\n", who);
		exit(2);
	}
}

/* Loads the object with its maps pinned under a private root: test runs update maps, so they must never touch
 * a live agent's /sys/fs/bpf/epic. */
static void open_env(struct env *e, const char *who, const char *obj_path, const char *pin_root)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_root);
	e->ncpus = libbpf_num_possible_cpus();
	e->obj = bpf_object__open_file(obj_path, &oo);
	if (!e->obj || bpf_object__load(e->obj)) {
		fprintf(stderr, "%s: FAIL: cannot load %s: %s\n", who, obj_path, strerror(errno));
		exit(2);
	}
	e->endpoints = map_fd(e->obj, EPIC_MAP_ENDPOINTS);
	e->learned = map_fd(e->obj, EPIC_MAP_LEARNED);
	e->frags = map_fd(e->obj, EPIC_MAP_FRAGS);
	e->tunnels = map_fd(e->obj, EPIC_MAP_TUNNELS);
	e->ifaces = map_fd(e->obj, EPIC_MAP_IFACES);
	e->tun_stats = map_fd(e->obj, EPIC_MAP_TUN_STATS);
	e->stats = map_fd(e->obj, EPIC_MAP_STATS);
}

static void close_env(struct env *e, const char *pin_root)
{
	bpf_object__unpin_maps(e->obj, NULL);
	bpf_object__close(e->obj);
	rmdir(pin_root);
}

/* The input frame of a row: its hex, padded with a byte pattern to in_pad_to. Returns the length or -1. */
static int fixture_frame(const struct fixture *f, __u8 *buf, size_t cap)
{
	int n = parse_hex(f->in, buf, cap);
	if (n < 0 || f->in_pad_to > (int)cap)
		return -1;
	for (; n < f->in_pad_to; n++)
		buf[n] = (__u8)(n * 7);
	return n;
}

#endif /* EPIC_FIXTURE_H */

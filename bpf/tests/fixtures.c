// SPDX-License-Identifier: Apache-2.0
/*
 * Packet-fixture tests for bpf/target/epic_tc.bpf.o through BPF_PROG_TEST_RUN: each case of fixture_cases.h sets
 * up the maps, runs one program on one input frame and compares verdict, output bytes (exactly, hex diff on
 * failure), skb mark, every counter and the content of the BPF-owned maps (learned, frags). Needs root and bpffs; refuses to run
 * (exit 2) rather than skip when either is missing. Usage: epic_fixtures <epic_tc.bpf.o>
 */
#include "fixture.h"

static int failures;

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;
	if (name)
		printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Prints the differing 16-byte rows of both frames (at most 12), differing bytes in [], so a wrong field is
 * found at a glance. */
static void hex_diff(const __u8 *want, size_t wn, const __u8 *got, size_t gn)
{
	size_t n = wn > gn ? wn : gn;
	int shown = 0, more = 0;
	printf("    expected %zu bytes, got %zu bytes; differing rows:\n", wn, gn);
	for (size_t row = 0; row < n; row += 16) {
		int differs = 0;
		for (size_t i = row; i < row + 16 && i < n; i++)
			if (i >= wn || i >= gn || want[i] != got[i])
				differs = 1;
		if (!differs)
			continue;
		if (shown++ == 12) {
			more = 1;
			continue;
		}
		for (int side = 0; side < 2; side++) {
			const __u8 *b = side ? got : want;
			size_t bn = side ? gn : wn;
			printf("    %s %04zx:", side ? "got " : "want", row);
			for (size_t i = row; i < row + 16 && i < n; i++) {
				int d = i >= wn || i >= gn || want[i] != got[i];
				if (i < bn)
					printf(d ? "[%02x]" : " %02x ", b[i]);
				else
					printf("  --");
			}
			printf("\n");
		}
	}
	if (more)
		printf("    ... %d differing rows in all\n", shown);
}

struct counter_field {
	const char *name;
	size_t tunnel_off, global_off; /* SIZE_MAX where the counter does not exist */
};
#define T(f) { #f, offsetof(struct epic_tunnel_stats, f), SIZE_MAX }
#define G(f) { #f, SIZE_MAX, offsetof(struct epic_global_stats, f) }
static const struct counter_field counter_fields[] = {
	T(tx_packets), T(tx_bytes), T(rx_packets), T(rx_bytes), T(drop_spoofed), T(drop_mtu), T(icmp_frag_needed),
	T(drop_no_remote), T(tx_errors), T(rx_errors),
	G(rx_control), G(rx_unknown_tunnel), G(rx_bad_header), G(tx_unknown_tunnel), G(learn_errors),
};
#define NFIELDS (sizeof(counter_fields) / sizeof(counter_fields[0]))

static __u64 expected_counter(const struct fixture *f, __u32 tunnel, const char *name)
{
	for (int i = 0; i < 4 && f->counters[i].name; i++)
		if (f->counters[i].tunnel == tunnel && !strcmp(f->counters[i].name, name))
			return f->counters[i].value;
	return 0;
}

/* Every counter of every tunnel in the setup and every global counter must match (unlisted ones are zero). */
static int check_counters(struct env *e, const struct fixture *f)
{
	int bad = 0;
	for (int i = 0; i < 4 && f->counters[i].name; i++) {
		int known = 0;
		for (size_t j = 0; j < NFIELDS; j++)
			if (!strcmp(counter_fields[j].name, f->counters[i].name) &&
			    (f->counters[i].tunnel ? counter_fields[j].tunnel_off : counter_fields[j].global_off) != SIZE_MAX)
				known = 1;
		if (!known) {
			fail(f->name, "fixture table names unknown counter '%s'", f->counters[i].name);
			bad = 1;
		}
	}
	__u32 ids[3] = { 0 };
	for (int i = 0; i < 2; i++)
		ids[i + 1] = f->tunnels[i].id;
	for (int t = 0; t < 3; t++) {
		if (t > 0 && !ids[t])
			continue;
		size_t vsize = t ? sizeof(struct epic_tunnel_stats) : sizeof(struct epic_global_stats);
		__u8 vals[e->ncpus][vsize];
		memset(vals, 0, sizeof(vals));
		__u32 key = t ? ids[t] : 0;
		int fd = t ? e->tun_stats : e->stats;
		if (bpf_map_lookup_elem(fd, &key, vals) && errno != ENOENT) {
			fail(f->name, "reading counters: %s", strerror(errno));
			return 1;
		}
		for (size_t j = 0; j < NFIELDS; j++) {
			size_t off = t ? counter_fields[j].tunnel_off : counter_fields[j].global_off;
			if (off == SIZE_MAX)
				continue;
			__u64 sum = 0;
			for (int c = 0; c < e->ncpus; c++) {
				__u64 v;
				memcpy(&v, &vals[c][off], sizeof(v));
				sum += v;
			}
			__u64 want = expected_counter(f, key, counter_fields[j].name);
			if (sum != want) {
				fail(f->name, "counter %s%s%u.%s = %llu, expected %llu", t ? "tunnel " : "global",
				     t ? "" : "", t ? key : 0, counter_fields[j].name, (unsigned long long)sum,
				     (unsigned long long)want);
				bad = 1;
			}
		}
	}
	return bad;
}

/* The map holds exactly the n given keys, each mapped to its tunnel. */
static int check_exact(const char *test, const char *map, int fd, size_t key_size, const void *keys,
		       const __u32 *tunnels, int n)
{
	__u8 k[64], next[64];
	int have = 0, bad = 0;
	for (int i = 0; i < n; i++) {
		struct epic_endpoint_value v;
		if (bpf_map_lookup_elem(fd, (const __u8 *)keys + i * key_size, &v)) {
			fail(test, "%s lacks expected entry %d (tunnel %u)", map, i, tunnels[i]);
			bad = 1;
		} else if (v.tunnel_id != tunnels[i]) {
			fail(test, "%s entry %d maps to tunnel %u, expected %u", map, i, v.tunnel_id, tunnels[i]);
			bad = 1;
		}
	}
	for (void *prev = NULL; bpf_map_get_next_key(fd, prev, next) == 0; prev = k) {
		memcpy(k, next, key_size);
		have++;
	}
	if (have != n) {
		fail(test, "%s holds %d entries, expected %d", map, have, n);
		bad = 1;
	}
	return bad;
}

static int check_learned_and_frags(struct env *e, const struct fixture *f)
{
	struct epic_endpoint_key lk[2];
	struct epic_frag_key fk[1];
	__u32 lt[2], ft[1];
	int nl = 0, nf = 0;
	for (int i = 0; i < 2; i++)
		if (f->learned_out[i].tunnel_id) {
			lk[nl] = endpoint_key(&f->learned_out[i]);
			lt[nl++] = f->learned_out[i].tunnel_id;
		}
	if (f->frags_out[0].tunnel_id) {
		fk[nf] = frag_key(&f->frags_out[0]);
		ft[nf++] = f->frags_out[0].tunnel_id;
	}
	return check_exact(f->name, EPIC_MAP_LEARNED, e->learned, sizeof(lk[0]), lk, lt, nl) |
	       check_exact(f->name, EPIC_MAP_FRAGS, e->frags, sizeof(fk[0]), fk, ft, nf);
}

static int run_fixture(struct env *e, const struct fixture *f)
{
	static __u8 in[MAX_FRAME], want[MAX_FRAME], got[MAX_FRAME];
	int in_len = fixture_frame(f, in, sizeof(in));
	if (in_len < 0) {
		fail(f->name, "fixture table: bad input hex");
		return 1;
	}
	int want_len;
	if (f->out) {
		want_len = parse_hex(f->out, want, sizeof(want));
		if (want_len < 0) {
			fail(f->name, "fixture table: bad output hex");
			return 1;
		}
		for (int i = f->out_tail_from; f->out_tail_from > 0 && i < in_len; i++)
			want[want_len++] = in[i];
	} else {
		memcpy(want, in, in_len);
		want_len = in_len;
	}

	struct bpf_program *prog = bpf_object__find_program_by_name(e->obj, f->prog);
	if (!prog) {
		fail(f->name, "program %s not in the object", f->prog);
		return 1;
	}
	if (setup_maps(e, f)) {
		fail(f->name, "map setup failed: %s", strerror(errno));
		return 1;
	}
	struct __sk_buff ctx_in = {
		.mark = f->mark_in, .ifindex = TEST_IFINDEX,
	};
	struct __sk_buff ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = in_len, .data_out = got,
		    .data_size_out = sizeof(got), .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err) {
		fail(f->name, "BPF_PROG_TEST_RUN failed: %s", strerror(-err));
		return 1;
	}
	int bad = 0;
	if ((int)opts.retval != f->ret) {
		fail(f->name, "verdict %d, expected %d", (int)opts.retval, f->ret);
		bad = 1;
	}
	if ((int)opts.data_size_out != want_len || memcmp(got, want, want_len)) {
		fail(f->name, "output bytes differ");
		hex_diff(want, want_len, got, opts.data_size_out);
		bad = 1;
	}
	__u32 mark_want = f->mark_out ? f->mark_out : f->mark_in;
	if (ctx_out.mark != mark_want) {
		fail(f->name, "skb mark %u, expected %u", ctx_out.mark, mark_want);
		bad = 1;
	}
	bad |= check_counters(e, f);
	bad |= check_learned_and_frags(e, f);
	return bad;
}

/*
 * The agent relies on pin-by-name: a second open of the object with the same pin root must reuse the pinned maps
 * (same kernel map ids), which is what keeps state and traffic across an agent restart.
 */
static int check_pin_reuse(struct env *e, const char *obj_path, const char *pin_root)
{
	const char *name = "pinned maps are reused by a second load";
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_root);
	struct bpf_object *second = bpf_object__open_file(obj_path, &oo);
	if (!second || bpf_object__load(second)) {
		fail(name, "second load failed: %s", strerror(errno));
		return 1;
	}
	int bad = 0;
	struct bpf_map *m;
	bpf_object__for_each_map(m, e->obj) {
		char path[256];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", pin_root, bpf_map__name(m));
		if (stat(path, &st)) {
			fail(name, "%s not pinned", path);
			bad = 1;
			continue;
		}
		struct bpf_map *m2 = bpf_object__find_map_by_name(second, bpf_map__name(m));
		struct bpf_map_info a = {}, b = {};
		__u32 la = sizeof(a), lb = sizeof(b);
		if (!m2 || bpf_obj_get_info_by_fd(bpf_map__fd(m), &a, &la) ||
		    bpf_obj_get_info_by_fd(bpf_map__fd(m2), &b, &lb) || a.id != b.id) {
			fail(name, "map %s was not reused (ids %u vs %u)", bpf_map__name(m), a.id, b.id);
			bad = 1;
		}
	}
	bpf_object__close(second);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <epic_tc.bpf.o>\n", argv[0]);
		return 2;
	}
	require_root_and_bpffs("epic_fixtures");
	char pin_root[64];
	snprintf(pin_root, sizeof(pin_root), "/sys/fs/bpf/epic-fixtures-%d", getpid());
	struct env e;
	open_env(&e, "epic_fixtures", argv[1], pin_root);

	int passed = 0;
	size_t n = sizeof(fixtures) / sizeof(fixtures[0]);
	for (size_t i = 0; i < n; i++) {
		if (run_fixture(&e, &fixtures[i])) {
			failures++;
		} else {
			passed++;
			printf("ok   %s\n", fixtures[i].name);
		}
	}
	if (check_pin_reuse(&e, argv[1], pin_root)) {
		failures++;
	} else {
		passed++;
		printf("ok   pinned maps are reused by a second load\n");
	}
	close_env(&e, pin_root);
	printf("%d passed, %d failed\n", passed, failures);
	return failures ? 1 : 0;
}

// SPDX-License-Identifier: Apache-2.0
/*
 * ns/packet of the GUE tc programs through BPF_PROG_TEST_RUN, against a no-op tc program timed the same way in
 * the same run. Packets and map setups are rows of the fixture table (bpf/tests/fixture_cases.h), so the bench
 * times exactly what the tests verify; every run's verdict is checked against the row.
 *
 * Two methods:
 *  - single: one syscall per packet with repeat=1, the kernel-measured duration of that run (it excludes the
 *    syscall and skb setup, but includes the timer overhead, which the noop pays too). Encap and decap need this:
 *    repeat > 1 re-runs the program on the SAME skb, so after the first iteration encap would see an already
 *    encapsulated packet (and decap a plain one) and time a different path.
 *  - loop: the in-kernel repeat loop (repeat=LOOP), only for paths that leave the packet as it was (noop, and the
 *    pass-through of non-tunnel traffic), i.e. what every other packet on the uplink pays.
 * Cases are interleaved round by round so machine noise hits all of them alike; the median round is reported.
 *
 * Usage: epic_bench <epic_tc.bpf.o> <noop.bpf.o> [rounds] [runs-per-round]
 */
#include "fixture.h"

#define LOOP 1000000

struct bench_case {
	const char *label;
	const char *fixture;   /* row of the fixture table; its program, setup and input */
	int use_noop;          /* time the noop program on the row's input instead */
	int loop;              /* in-kernel repeat loop instead of single runs */
};

static const struct bench_case cases[] = {
	{ "noop (baseline)", "encap TCP on the EPIC node: tag 7 selects tunnel 42, pinned source port 6080", 1, 0 },
	{ "encap, EPIC node (tag lookup, pinned port)",
	  "encap TCP on the EPIC node: tag 7 selects tunnel 42, pinned source port 6080", 0, 0 },
	/* Same lookups and counter as a real encap, stopped before adjust_room: splits the cost. */
	{ "encap stopped before adjust_room (tunnel remote unknown, dropped)",
	  "encap drops (never leaks) traffic for a tunnel whose remote is not known yet", 0, 0 },
	{ "encap, client node (learned map, entropy port)",
	  "encap TCP reply on the client node through the learned mapping, entropy source port", 0, 0 },
	{ "decap, EPIC node", "decap data on the EPIC node: stripped, delivered to the stack, nothing learned", 0, 0 },
	{ "decap, client node (learning, entry known)",
	  "decap on the client node learns {Envoy addr, port, TCP} -> tunnel 42", 0, 0 },
	{ "noop (baseline), loop", "encap leaves non-tunnel TCP untouched", 1, 1 },
	{ "encap pass-through (non-tunnel TCP), loop", "encap leaves non-tunnel TCP untouched", 0, 1 },
	{ "decap pass-through (non-GUE TCP), loop", "decap leaves non-GUE TCP untouched", 0, 1 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const struct fixture *find_fixture(const char *name)
{
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		if (!strcmp(fixtures[i].name, name))
			return &fixtures[i];
	fprintf(stderr, "epic_bench: FAIL: no fixture named '%s'\n", name);
	exit(2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Mean ns/packet of `runs` test runs (single) or of one run with repeat=LOOP (loop). */
static double time_case(struct env *e, int noop_fd, const struct bench_case *c, int runs)
{
	static __u8 in[MAX_FRAME], out[MAX_FRAME];
	const struct fixture *f = find_fixture(c->fixture);
	int len = fixture_frame(f, in, sizeof(in));
	int fd = c->use_noop ? noop_fd : bpf_program__fd(bpf_object__find_program_by_name(e->obj, f->prog));
	if (len < 0 || fd < 0 || setup_maps(e, f)) {
		fprintf(stderr, "epic_bench: FAIL: cannot set up '%s'\n", c->label);
		exit(2);
	}
	__u64 total = 0;
	int n = c->loop ? 1 : runs;
	for (int i = 0; i < n; i++) {
		struct __sk_buff ctx = { .mark = f->mark_in, .ifindex = TEST_IFINDEX };
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = out,
			    .data_size_out = sizeof(out), .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .repeat = c->loop ? LOOP : 1);
		int err = bpf_prog_test_run_opts(fd, &o);
		int want = c->use_noop ? TC_ACT_OK : f->ret;
		if (err || (int)o.retval != want) {
			fprintf(stderr, "epic_bench: FAIL: '%s' returned %d (err %d), expected %d\n", c->label,
				(int)o.retval, err, want);
			exit(2);
		}
		total += o.duration;
	}
	return (double)total / n;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <epic_tc.bpf.o> <noop.bpf.o> [rounds] [runs-per-round]\n", argv[0]);
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 30;
	int runs = argc > 4 ? atoi(argv[4]) : 5000;
	if (rounds < 1 || runs < 1) {
		fprintf(stderr, "epic_bench: rounds and runs-per-round must be positive\n");
		return 2;
	}
	require_root_and_bpffs("epic_bench");
	char pin_root[64];
	snprintf(pin_root, sizeof(pin_root), "/sys/fs/bpf/epic-bench-%d", getpid());
	struct env e;
	open_env(&e, "epic_bench", argv[1], pin_root);
	struct bpf_object *noop = bpf_object__open_file(argv[2], NULL);
	if (!noop || bpf_object__load(noop)) {
		fprintf(stderr, "epic_bench: FAIL: cannot load %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	int noop_fd = bpf_program__fd(bpf_object__find_program_by_name(noop, "noop"));

	static double samples[NCASES][1000];
	if (rounds > 1000)
		rounds = 1000;
	for (int r = 0; r < rounds; r++)
		for (size_t c = 0; c < NCASES; c++)
			samples[c][r] = time_case(&e, noop_fd, &cases[c], runs);

	double median[NCASES];
	for (size_t c = 0; c < NCASES; c++) {
		qsort(samples[c], rounds, sizeof(double), cmp_double);
		median[c] = samples[c][rounds / 2];
	}
	printf("BPF_PROG_TEST_RUN, %d rounds x %d single runs (loop: repeat=%d); median round, ns/packet\n", rounds,
	       runs, LOOP);
	printf("| path | method | ns/packet | minus noop | ratio to noop |\n|---|---|---|---|---|\n");
	for (size_t c = 0; c < NCASES; c++) {
		double base = 0; /* the noop timed by the same method */
		for (size_t b = 0; b < NCASES; b++)
			if (cases[b].use_noop && cases[b].loop == cases[c].loop)
				base = median[b];
		printf("| %s | %s | %.1f | %.1f | %.2f |\n", cases[c].label, cases[c].loop ? "loop" : "single",
		       median[c], median[c] - base, median[c] / base);
	}
	bpf_object__close(noop);
	close_env(&e, pin_root);
	return 0;
}

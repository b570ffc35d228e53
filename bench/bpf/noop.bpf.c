// SPDX-License-Identifier: GPL-2.0
/* Baseline for the data-path benchmark: the cheapest possible tc program, timed the same way as the real ones. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int noop(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

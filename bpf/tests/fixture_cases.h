/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The packet fixtures: one row per case, run by fixtures.c. Frames are hex (Ethernet first, as tc sees them).
 * The expected outer headers were assembled independently of the BPF code (field by field, checksums computed
 * separately) so a wrong length, checksum, port or tunnel id shows up as a byte diff.
 *
 * Scenario: Envoy on an EPIC node (public 192.0.2.10) talks to pod 10.244.1.5:8080 on a client node (uplink
 * 10.0.0.2) behind a NAT (198.51.100.7). Tunnel 42 joins them: on the EPIC node its remote is the NAT's
 * 198.51.100.7:61000 (learned by the agent from control packets) and it pins source port 6080; on the client
 * node its remote is 192.0.2.10:6080 and source ports carry flow entropy. Instance tag 7 is Envoy instance A,
 * tag 8 instance B (tunnel 43, another client 198.51.100.99:62000), sharing the public address.
 */
#ifndef FIXTURE_CASES_H
#define FIXTURE_CASES_H

/* Ethernet: on egress dst = next hop 02:..:02, src = uplink 02:..:01; on ingress the reverse. */
#define ETH_OUT "02000000 00020200 00000001 0800 " /* 14 B */
#define ETH_IN "02000000 00010200 00000002 0800 " /* 14 B */

/* Envoy (192.0.2.10:40000) -> pod (10.244.1.5:8080), TCP PSH/ACK "GET / HTTP/1.1\r\n", DF. */
#define INNER_REQ_TCP "45000038 12344000 40065a89 c000020a 0af40105 9c401f90 000003e8 00000000 5018ffff 506a0000 47455420 2f204854 54502f31 2e310d0a " /* 56 B */
/* ... on the EPIC uplink: 192.0.2.10:6080 -> 198.51.100.7:61000, GUE 01 04 0000, tunnel 42. */
#define OUTER_REQ_TCP_EPIC "4500005c 00004000 40114e4c c000020a c6336407 17c0ee48 00480000 01040000 0000002a " /* 36 B */
/* ... the same request from Envoy instance B (tag 8): tunnel 43 to 198.51.100.99:62000. */
#define OUTER_REQ_TCP_EPIC_T43 "4500005c 00004000 40114df0 c000020a c6336463 17c0f230 00480000 01040000 0000002b " /* 36 B */
/* ... arriving at the client node (NAT translated the destination to 10.0.0.2:6080). */
#define OUTER_REQ_AT_CLIENT "4500005c 00004000 40116e85 c000020a 0a000002 17c017c0 00480000 01040000 0000002a " /* 36 B */

/* The pod's reply: 10.244.1.5:8080 -> 192.0.2.10:40000, TCP "HTTP/1.1 200 OK\r\n". */
#define INNER_RSP_TCP "45000039 43214000 4006299b 0af40105 c000020a 1f909c40 00001388 000003f8 5018ffff 4ea20000 48545450 2f312e31 20323030 204f4b0d 0a " /* 57 B */
/* ... encapsulated on the client uplink: 10.0.0.2:53638 (entropy of the inner 5-tuple) -> 192.0.2.10:6080. */
#define OUTER_RSP_TCP_CLIENT "4500005d 00004000 40116e84 0a000002 c000020a d18617c0 00490000 01040000 0000002a " /* 36 B */
/* ... arriving at the EPIC node from the NAT (source 198.51.100.7). */
#define OUTER_RSP_AT_EPIC "4500005d 00004000 40114e4b c6336407 c000020a d18617c0 00490000 01040000 0000002a " /* 36 B */
/* ... the same data packet from a spoofing host 203.0.113.66. */
#define OUTER_RSP_SPOOFED "4500005d 00004000 40113c43 cb007142 c000020a d18617c0 00490000 01040000 0000002a " /* 36 B */

/* A UDP datagram from the pod: 10.244.1.5:5353 -> 192.0.2.10:40001 "ping-udp", and its client-side encap
 * (entropy source port 49452). */
#define INNER_UDP "45000024 00994000 40116c2d 0af40105 c000020a 14e99c41 00100fea 70696e67 2d756470 " /* 36 B */
#define OUTER_UDP_CLIENT "45000048 00004000 40116e99 0a000002 c000020a c12c17c0 00340000 01040000 0000002a " /* 36 B */

/* Control packet from the NAT to the EPIC node: GUE 21 01 0000 (C=1, Hlen 1, ctype 1), tunnel 42,
 * counter 1795000000000 ms, 16-byte MAC a0..af. */
#define CONTROL_PKT "4500003c 00074000 40114e65 c6336407 c000020a ee4817c0 00280000 21010000 0000002a 000001a1 ee565e00 a0a1a2a3 a4a5a6a7 a8a9aaab acadaeaf " /* 60 B */
/* UDP 6080 with a GUE header we do not accept (Hlen 0, the Linux FOU form, no tunnel id). */
#define BAD_HLEN0 "45000059 00004000 40114e4f c6336407 c000020a c12c17c0 00450000 00040000 45000039 43214000 4006299b 0af40105 c000020a 1f909c40 00001388 000003f8 5018ffff 4ea20000 48545450 2f312e31 20323030 204f4b0d 0a " /* 89 B */
/* Traffic that is no tunnel's business: DNS 10.0.0.2:5353 -> 192.0.2.53:53, TCP SYN 192.0.2.10 -> 93.184.216.34:443. */
#define PLAIN_DNS "45000020 00014000 40116e95 0a000002 c0000235 14e90035 000c0b4d 12340100 " /* 32 B */
#define PLAIN_TCP "45000028 00024000 400642e9 c000020a 5db8d822 a02801bb 000003e8 00000000 5002ffff 12320000 " /* 40 B */

/* Near-MTU (uplink MTU 1500): headers of Envoy -> pod packets whose payload the runner pads with a pattern.
 * 1465 bytes + 36 = 1501: too big; 1464 + 36 = 1500: fits. */
#define BIG_TCP_1465_HDR "450005b9 00554000 400666e7 c000020a 0af40105 9c401f90 0000004d 00000058 5010ffff 00000000 " /* 40 B */
#define BIG_TCP_1464_HDR "450005b8 00554000 400666e8 c000020a 0af40105 9c401f90 0000004d 00000058 5010ffff 00000000 " /* 40 B */
#define OUTER_BIG_1464 "450005dc 00004000 401148cc c000020a c6336407 17c0ee48 05c80000 01040000 0000002a " /* 36 B */
/* The answer to the 1465-byte DF packet, redirected into the uplink's ingress: MACs swapped, 10.244.1.5 ->
 * 192.0.2.10, ICMP 3/4 next-hop MTU 1464 (05b8), quoting the IPv4 header + 8 bytes. */
#define FRAG_NEEDED_1464 "02000000 00010200 00000002 080045c0 00380000 00004001 ac020af4 0105c000 020a0304 3b260000 05b84500 05b90055 40004006 66e7c000 020a0af4 01059c40 1f900000 004d " /* 70 B */
/* 1465-byte UDP without DF: cannot be answered, dropped. */
#define BIG_UDP_NODF_HDR "450005b9 00550000 4011a6dc c000020a 0af40105 9c421f90 05a50000 " /* 28 B */

/* A UDP datagram Envoy -> pod 10.244.1.5:7777 in two fragments (IP id 0x0777): the first (MF, offset 0) carries
 * the ports, the second (offset 16) does not. Both are 36 bytes, so one outer header fits both. */
#define FRAG1_UDP "45000024 07772000 4011854f c000020a 0af40105 9c421e61 00200000 66726167 6d656e74 " /* 36 B */
#define FRAG2_UDP "45000024 07770002 4011a54d c000020a 0af40105 65642d64 61746167 72616d21 30313233 " /* 36 B */
#define OUTER_FRAG "45000048 00004000 40114e60 c000020a c6336407 17c0ee48 00340000 01040000 0000002a " /* 36 B */

#define EPIC_UPLINK { .role = EPIC_IF_UPLINK_EPIC, .mtu = 1500 }
#define CLIENT_UPLINK { .role = EPIC_IF_UPLINK_CLIENT, .mtu = 1500 }
#define EPIC_T42 { 42, "192.0.2.10", "198.51.100.7", 6080, 61000, 0, EPIC_TUN_F_FIXED_SPORT | EPIC_TUN_F_LEARNED }
#define EPIC_T43 { 43, "192.0.2.10", "198.51.100.99", 6080, 62000, 0, EPIC_TUN_F_FIXED_SPORT | EPIC_TUN_F_LEARNED }
#define CLIENT_T42 { 42, "10.0.0.2", "192.0.2.10", 0, 6080, 0, 0 }
#define POD_A_TCP { 7, "10.244.1.5", 8080, 6, 42 }  /* instance A (tag 7) -> pod, tunnel 42 */
#define POD_B_TCP { 8, "10.244.1.5", 8080, 6, 43 }  /* instance B (tag 8) -> same pod, tunnel 43 */
#define ENVOY_TCP_LEARNED { 0, "192.0.2.10", 40000, 6, 42 }
#define ENVOY_UDP_LEARNED { 0, "192.0.2.10", 40001, 17, 42 }

static const struct fixture fixtures[] = {
	/* ---- encap (uplink egress) ---- */
	{ .name = "encap TCP on the EPIC node: tag 7 selects tunnel 42, pinned source port 6080",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42, EPIC_T43 },
	  .endpoints = { POD_A_TCP, POD_B_TCP }, .mark_in = 7,
	  .in = ETH_OUT INNER_REQ_TCP, .ret = TC_ACT_OK, .out = ETH_OUT OUTER_REQ_TCP_EPIC INNER_REQ_TCP,
	  .counters = { { 42, "tx_packets", 1 }, { 42, "tx_bytes", 56 } } },
	{ .name = "encap TCP on the EPIC node: tag 8 (second instance, same public address) selects tunnel 43",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42, EPIC_T43 },
	  .endpoints = { POD_A_TCP, POD_B_TCP }, .mark_in = 8,
	  .in = ETH_OUT INNER_REQ_TCP, .ret = TC_ACT_OK, .out = ETH_OUT OUTER_REQ_TCP_EPIC_T43 INNER_REQ_TCP,
	  .counters = { { 43, "tx_packets", 1 }, { 43, "tx_bytes", 56 } } },
	{ .name = "encap leaves traffic of an unknown instance tag untouched",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 }, .endpoints = { POD_A_TCP },
	  .mark_in = 9, .in = ETH_OUT INNER_REQ_TCP, .ret = TC_ACT_OK },
	{ .name = "encap TCP reply on the client node through the learned mapping, entropy source port",
	  .prog = "epic_encap", .iface = CLIENT_UPLINK, .tunnels = { CLIENT_T42 }, .learned = { ENVOY_TCP_LEARNED },
	  .in = ETH_OUT INNER_RSP_TCP, .ret = TC_ACT_OK, .out = ETH_OUT OUTER_RSP_TCP_CLIENT INNER_RSP_TCP,
	  .counters = { { 42, "tx_packets", 1 }, { 42, "tx_bytes", 57 } },
	  .learned_out = { ENVOY_TCP_LEARNED } },
	{ .name = "encap UDP on the client node, entropy source port",
	  .prog = "epic_encap", .iface = CLIENT_UPLINK, .tunnels = { CLIENT_T42 }, .learned = { ENVOY_UDP_LEARNED },
	  .in = ETH_OUT INNER_UDP, .ret = TC_ACT_OK, .out = ETH_OUT OUTER_UDP_CLIENT INNER_UDP,
	  .counters = { { 42, "tx_packets", 1 }, { 42, "tx_bytes", 36 } },
	  .learned_out = { ENVOY_UDP_LEARNED } },
	{ .name = "encap leaves non-tunnel TCP untouched",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 }, .endpoints = { POD_A_TCP },
	  .mark_in = 7, .in = ETH_OUT PLAIN_TCP, .ret = TC_ACT_OK },
	{ .name = "encap drops (never leaks) traffic for a tunnel whose remote is not known yet",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { { 42, "192.0.2.10", NULL, 6080, 0, 0, 0 } },
	  .endpoints = { POD_A_TCP }, .mark_in = 7, .in = ETH_OUT INNER_REQ_TCP, .ret = TC_ACT_SHOT,
	  .counters = { { 42, "drop_no_remote", 1 } } },
	{ .name = "encap drops traffic for an endpoint whose tunnel does not exist",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .endpoints = { POD_A_TCP }, .mark_in = 7,
	  .in = ETH_OUT INNER_REQ_TCP, .ret = TC_ACT_SHOT, .counters = { { 0, "tx_unknown_tunnel", 1 } } },
	{ .name = "encap on an interface without configuration passes everything",
	  .prog = "epic_encap", .tunnels = { EPIC_T42 }, .endpoints = { POD_A_TCP }, .mark_in = 7,
	  .in = ETH_OUT INNER_REQ_TCP, .ret = TC_ACT_OK },
	{ .name = "encap a first fragment (ports known) and record its tunnel for the later fragments",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 },
	  .endpoints = { { 7, "10.244.1.5", 7777, 17, 42 } }, .mark_in = 7, .in = ETH_OUT FRAG1_UDP,
	  .ret = TC_ACT_OK, .out = ETH_OUT OUTER_FRAG FRAG1_UDP,
	  .counters = { { 42, "tx_packets", 1 }, { 42, "tx_bytes", 36 } },
	  .frags_out = { { 7, "192.0.2.10", "10.244.1.5", 0x0777, 17, 42 } } },
	{ .name = "encap a later fragment (no ports) through the tunnel of its first fragment",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 },
	  .frags = { { 7, "192.0.2.10", "10.244.1.5", 0x0777, 17, 42 } }, .mark_in = 7, .in = ETH_OUT FRAG2_UDP,
	  .ret = TC_ACT_OK, .out = ETH_OUT OUTER_FRAG FRAG2_UDP,
	  .counters = { { 42, "tx_packets", 1 }, { 42, "tx_bytes", 36 } },
	  .frags_out = { { 7, "192.0.2.10", "10.244.1.5", 0x0777, 17, 42 } } },
	{ .name = "encap leaves a later fragment whose first fragment was not seen untouched",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 },
	  .endpoints = { { 7, "10.244.1.5", 7777, 17, 42 } }, .mark_in = 7, .in = ETH_OUT FRAG2_UDP,
	  .ret = TC_ACT_OK },

	/* ---- MTU ---- */
	{ .name = "near-MTU DF packet (1465 + 36 > 1500) is answered with ICMP frag-needed, MTU 1464",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 }, .endpoints = { POD_A_TCP },
	  .mark_in = 7, .in = ETH_OUT BIG_TCP_1465_HDR, .in_pad_to = 14 + 1465, .ret = TC_ACT_REDIRECT,
	  .out = FRAG_NEEDED_1464, .counters = { { 42, "drop_mtu", 1 }, { 42, "icmp_frag_needed", 1 } } },
	{ .name = "largest fitting packet (1464 + 36 = 1500) is encapsulated",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 }, .endpoints = { POD_A_TCP },
	  .mark_in = 7, .in = ETH_OUT BIG_TCP_1464_HDR, .in_pad_to = 14 + 1464, .ret = TC_ACT_OK,
	  .out = ETH_OUT OUTER_BIG_1464, .out_tail_from = 14,
	  .counters = { { 42, "tx_packets", 1 }, { 42, "tx_bytes", 1464 } } },
	{ .name = "too-big packet without DF is dropped and counted",
	  .prog = "epic_encap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 },
	  .endpoints = { { 7, "10.244.1.5", 8080, 17, 42 } }, .mark_in = 7, .in = ETH_OUT BIG_UDP_NODF_HDR,
	  .in_pad_to = 14 + 1465, .ret = TC_ACT_SHOT, .counters = { { 42, "drop_mtu", 1 } } },

	/* ---- decap (uplink ingress) ---- */
	{ .name = "decap data on the EPIC node: stripped, delivered to the stack, nothing learned",
	  .prog = "epic_decap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 },
	  .in = ETH_IN OUTER_RSP_AT_EPIC INNER_RSP_TCP, .ret = TC_ACT_OK, .out = ETH_IN INNER_RSP_TCP,
	  .counters = { { 42, "rx_packets", 1 }, { 42, "rx_bytes", 57 } } },
	{ .name = "decap on the client node learns {Envoy addr, port, TCP} -> tunnel 42",
	  .prog = "epic_decap", .iface = CLIENT_UPLINK, .tunnels = { CLIENT_T42 },
	  .in = ETH_IN OUTER_REQ_AT_CLIENT INNER_REQ_TCP, .ret = TC_ACT_OK, .out = ETH_IN INNER_REQ_TCP,
	  .counters = { { 42, "rx_packets", 1 }, { 42, "rx_bytes", 56 } }, .learned_out = { ENVOY_TCP_LEARNED } },
	{ .name = "decap redirects to the tunnel's deliver interface when set",
	  .prog = "epic_decap", .iface = EPIC_UPLINK,
	  .tunnels = { { 42, "192.0.2.10", "198.51.100.7", 6080, 61000, 1, EPIC_TUN_F_FIXED_SPORT } },
	  .in = ETH_IN OUTER_RSP_AT_EPIC INNER_RSP_TCP, .ret = TC_ACT_REDIRECT, .out = ETH_IN INNER_RSP_TCP,
	  .counters = { { 42, "rx_packets", 1 }, { 42, "rx_bytes", 57 } } },
	{ .name = "decap drops a data packet whose outer source is not the tunnel's remote (spoofed)",
	  .prog = "epic_decap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 },
	  .in = ETH_IN OUTER_RSP_SPOOFED INNER_RSP_TCP, .ret = TC_ACT_SHOT, .counters = { { 42, "drop_spoofed", 1 } } },
	{ .name = "decap drops data for a tunnel whose remote is not learned yet",
	  .prog = "epic_decap", .iface = EPIC_UPLINK, .tunnels = { { 42, "192.0.2.10", NULL, 6080, 0, 0, 0 } },
	  .in = ETH_IN OUTER_RSP_AT_EPIC INNER_RSP_TCP, .ret = TC_ACT_SHOT, .counters = { { 42, "drop_spoofed", 1 } } },
	{ .name = "decap drops data for an unknown tunnel id",
	  .prog = "epic_decap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T43 },
	  .in = ETH_IN OUTER_RSP_AT_EPIC INNER_RSP_TCP, .ret = TC_ACT_SHOT,
	  .counters = { { 0, "rx_unknown_tunnel", 1 } } },
	{ .name = "decap passes a control packet (C=1) up the stack untouched",
	  .prog = "epic_decap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 }, .in = ETH_IN CONTROL_PKT,
	  .ret = TC_ACT_OK, .counters = { { 0, "rx_control", 1 } } },
	{ .name = "decap drops UDP 6080 with a GUE header it does not accept (Hlen 0)",
	  .prog = "epic_decap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 }, .in = ETH_IN BAD_HLEN0,
	  .ret = TC_ACT_SHOT, .counters = { { 0, "rx_bad_header", 1 } } },
	{ .name = "decap leaves non-GUE UDP untouched",
	  .prog = "epic_decap", .iface = EPIC_UPLINK, .tunnels = { EPIC_T42 }, .in = ETH_IN PLAIN_DNS,
	  .ret = TC_ACT_OK },
	{ .name = "decap leaves non-GUE TCP untouched",
	  .prog = "epic_decap", .iface = CLIENT_UPLINK, .tunnels = { CLIENT_T42 }, .in = ETH_IN PLAIN_TCP,
	  .ret = TC_ACT_OK },
	{ .name = "decap on an interface without configuration passes GUE untouched",
	  .prog = "epic_decap", .tunnels = { EPIC_T42 }, .in = ETH_IN OUTER_RSP_AT_EPIC INNER_RSP_TCP,
	  .ret = TC_ACT_OK },

	/* ---- tag (Envoy instance host-side interface ingress) ---- */
	{ .name = "tag sets skb->mark to the instance tag",
	  .prog = "epic_tag", .iface = { .role = EPIC_IF_INSTANCE, .instance_tag = 7 }, .in = ETH_IN INNER_REQ_TCP,
	  .ret = TC_ACT_OK, .mark_out = 7 },
	{ .name = "tag leaves the mark alone on an interface that is not an instance",
	  .prog = "epic_tag", .iface = EPIC_UPLINK, .mark_in = 5, .in = ETH_IN INNER_REQ_TCP, .ret = TC_ACT_OK },
};

#endif /* FIXTURE_CASES_H */

package org.epicgateway.api.audit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.epicgateway.api.ApiError;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;

/**
 * Newest-first pages of epic.events, read straight from the log (the log is the truth, so nothing to keep in sync).
 * Each partition is scanned backwards in chunks from its end (or from the cursor) and the partitions are merged by
 * event time. Memory and work per request are bounded: at most {@code limit} matches per partition are held and at
 * most {@code maxScan} records are read; when the bound is hit the page may be short but carries a cursor to go on.
 * An aggregate filter reads only the partition its key hashes to, and {@code from} starts each partition at the first
 * record stamped at or after it (Kafka's time index), so a recent window of a long log reads only that window. Reads are read_committed, so events of an aborted
 * decider transaction never show.
 */
public final class AuditLog implements AutoCloseable {
    private static final int CHUNK = 500;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, EventEnvelope> consumer;
    private final int maxScan;

    public AuditLog(Map<String, Object> kafkaClient, Deserializer<EventEnvelope> events, int maxScan) {
        Map<String, Object> props = new HashMap<>();
        props.putAll(kafkaClient);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, CHUNK);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "epic-command-api-audit");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), events);
        this.maxScan = maxScan;
    }

    /** One page, the cursor of the next (null when there is nothing older) and how many log records it read. */
    public record Page(List<EventEnvelope> events, String next, long recordsRead) {
    }

    /** A match with where it was found. */
    private record Hit(int partition, long offset, EventEnvelope event) {
    }

    /** One partition's backward scan: matches newest first and the lowest offset not yet looked at (exclusive). */
    private static final class Scan {
        final int partition;
        final long low;
        long scannedDownTo;
        final List<Hit> hits = new ArrayList<>();
        int taken;

        Scan(int partition, long low, long high) {
            this.partition = partition;
            this.low = low;
            this.scannedDownTo = high;
        }
    }

    /** KafkaConsumer is single-threaded; audit reads are rare, so requests take turns. */
    public synchronized Page query(AuditQuery query, String cursor) {
        List<Integer> partitions = partitions(query);
        Map<Integer, Long> upper = decodeCursor(cursor);
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(Topics.EVENTS, p)).toList();
        Map<TopicPartition, Long> end = consumer.endOffsets(tps);
        Map<TopicPartition, Long> begin = start(tps, query.from(), end);
        List<Scan> scans = new ArrayList<>();
        int budget = maxScan;
        for (TopicPartition tp : tps) {
            long low = begin.get(tp);
            long high = Math.min(end.get(tp), upper.getOrDefault(tp.partition(), Long.MAX_VALUE));
            Scan scan = new Scan(tp.partition(), low, Math.max(low, high));
            budget -= scanBackwards(tp, scan, query, budget);
            scans.add(scan);
        }
        // Merge newest first by event time; each partition's hits are already newest first by offset. Events of one
        // command share a timestamp but may sit on different partitions: the event id (<command id>-<n>, in append
        // order) breaks the tie, so the order is the same on every read.
        PriorityQueue<Scan> heads = new PriorityQueue<>(Comparator.comparing(
            (Scan s) -> s.hits.get(s.taken).event().getTimestamp())
            .thenComparing(s -> s.hits.get(s.taken).event().getEventId()).reversed());
        scans.stream().filter(s -> !s.hits.isEmpty()).forEach(heads::add);
        List<EventEnvelope> page = new ArrayList<>();
        while (page.size() < query.limit() && !heads.isEmpty()) {
            Scan s = heads.poll();
            page.add(s.hits.get(s.taken++).event());
            if (s.taken < s.hits.size()) {
                heads.add(s);
            }
        }
        Map<Integer, Long> nextUpper = new LinkedHashMap<>();
        boolean more = false;
        for (Scan s : scans) {
            // Everything at or above this offset has been returned (or did not match).
            long resume = s.taken < s.hits.size() ? s.hits.get(s.taken).offset() + 1 : s.scannedDownTo;
            nextUpper.put(s.partition, resume);
            more |= resume > s.low;
        }
        return new Page(page, more ? encodeCursor(nextUpper) : null, maxScan - budget);
    }

    /**
     * Where each partition's matches can start: with {@code from}, the first record stamped at or after it (the
     * decider stamps event records with the event's time, so every record before it is older); else the beginning.
     */
    private Map<TopicPartition, Long> start(List<TopicPartition> tps, Instant from, Map<TopicPartition, Long> end) {
        if (from == null) {
            return consumer.beginningOffsets(tps);
        }
        Map<TopicPartition, Long> times = new HashMap<>();
        tps.forEach(tp -> times.put(tp, from.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times);
        Map<TopicPartition, Long> start = new HashMap<>();
        // No record at or after `from`: nothing of this partition can match.
        tps.forEach(tp -> start.put(tp, found.get(tp) == null ? end.get(tp) : found.get(tp).offset()));
        return start;
    }

    /** Scans {@code scan}'s range downwards until it holds {@code limit} matches, hits its start or the budget. */
    private int scanBackwards(TopicPartition tp, Scan scan, AuditQuery query, int budget) {
        int read = 0;
        consumer.assign(List.of(tp));
        while (scan.scannedDownTo > scan.low && scan.hits.size() < query.limit() && read < budget) {
            long chunkEnd = scan.scannedDownTo;
            long chunkStart = Math.max(scan.low, chunkEnd - Math.min(CHUNK, budget - read));
            List<Hit> chunk = new ArrayList<>();
            consumer.seek(tp, chunkStart);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (consumer.position(tp) < chunkEnd) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + tp + " offsets " + chunkStart + ".." + chunkEnd
                        + " took longer than " + READ_TIMEOUT);
                }
                for (ConsumerRecord<String, EventEnvelope> r : consumer.poll(POLL)) {
                    if (r.offset() < chunkEnd && query.matches(r.value())) {
                        chunk.add(new Hit(tp.partition(), r.offset(), r.value()));
                    }
                }
            }
            read += (int) (chunkEnd - chunkStart);
            // Newest first inside the chunk; keep only as many as a page can use, remembering where to resume.
            for (int i = chunk.size() - 1; i >= 0; i--) {
                scan.hits.add(chunk.get(i));
            }
            scan.scannedDownTo = chunkStart;
        }
        consumer.unsubscribe();
        return read;
    }

    private List<Integer> partitions(AuditQuery query) {
        int count = consumer.partitionsFor(Topics.EVENTS).size();
        if (query.aggregateId() != null) {
            // Events are keyed by aggregate id with the default partitioner, so one partition holds them all.
            byte[] key = query.aggregateId().getBytes(StandardCharsets.UTF_8);
            return List.of(Utils.toPositive(Utils.murmur2(key)) % count);
        }
        List<Integer> all = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            all.add(p);
        }
        return all;
    }

    static String encodeCursor(Map<Integer, Long> upper) {
        StringBuilder sb = new StringBuilder();
        upper.forEach((p, o) -> sb.append(sb.isEmpty() ? "" : ",").append(p).append(':').append(o));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Map<Integer, Long> decodeCursor(String cursor) {
        Map<Integer, Long> upper = new HashMap<>();
        if (cursor == null) {
            return upper;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            for (String pair : text.split(",")) {
                String[] po = pair.split(":");
                upper.put(Integer.parseInt(po[0]), Long.parseLong(po[1]));
            }
            return upper;
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw ApiError.badRequest("cursor is not one returned by this API", "cursor");
        }
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}

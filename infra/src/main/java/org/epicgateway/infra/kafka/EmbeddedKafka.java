package org.epicgateway.infra.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Time;
import org.epicgateway.infra.FreePorts;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) running inside this JVM.
 *
 * <p>All state lives under the caller's directory, so starting again on the same directory keeps every topic,
 * record and committed offset. Topics are never created implicitly ({@code auto.create.topics.enable=false}): a
 * typo in a topic name fails instead of silently creating a topic with default retention.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int SEGMENT_BYTES = 16 * 1024 * 1024;
    /**
     * The group and transaction coordinators reload their whole topic at every start, and a compacted topic's active
     * segment is never cleaned: at the 100 MiB default, 1M decided commands left one uncleaned 102 MB
     * __transaction_state segment that every restart read again. Small segments roll, so the cleaner keeps them short.
     */
    static final int COORDINATOR_SEGMENT_BYTES = 4 * 1024 * 1024;
    static final List<String> COORDINATOR_TOPICS = List.of("__consumer_offsets", "__transaction_state");

    /**
     * SASL/SCRAM with ACLs on the client port, as a production cluster runs (tests of per-service principals):
     * clients authenticate with SCRAM-SHA-512, the StandardAuthorizer denies whatever no ACL allows. The broker
     * talks to itself over a second, plaintext loopback listener whose (anonymous) principal is a super user, which
     * is also where {@link #admin()} connects to create users, topics and ACLs.
     */
    public static final String SCRAM = "SCRAM-SHA-512";
    /** The administrator principal's name where SCRAM applies (a super user; create its credentials first). */
    public static final String SCRAM_ADMIN = "admin";

    private final Path dir;
    private final int brokerPort;
    private final int internalPort;
    private final KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path dir, int brokerPort, int internalPort, KafkaRaftServer server) {
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.internalPort = internalPort;
        this.server = server;
    }

    /** Starts a broker on free ports with its data under {@code dir}. */
    public static EmbeddedKafka start(Path dir) {
        return start(dir, 0);
    }

    /**
     * Starts a broker with its data under {@code dir}, formatting the storage on first use.
     *
     * @param brokerPort the client port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedKafka start(Path dir, int brokerPort) {
        return start(dir, brokerPort, false);
    }

    /** Starts a broker on free ports whose client port requires SASL/SCRAM and ACLs ({@link #SCRAM}). */
    public static EmbeddedKafka startWithScram(Path dir) {
        return start(dir, 0, true);
    }

    private static EmbeddedKafka start(Path dir, int brokerPort, boolean scram) {
        int port = brokerPort == 0 ? FreePorts.pick() : brokerPort;
        // The static voter string names the controller port, so it must be known before the server binds it.
        int controllerPort = FreePorts.pick();
        int internalPort = scram ? FreePorts.pick() : 0;
        Properties props = serverProperties(dir, port, controllerPort);
        if (scram) {
            props.put("listeners", "CLIENT://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internalPort
                    + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "CLIENT://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internalPort);
            props.put("inter.broker.listener.name", "INTERNAL");
            props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,CLIENT:SASL_PLAINTEXT");
            props.put("sasl.enabled.mechanisms", SCRAM);
            props.put("listener.name.client.sasl.enabled.mechanisms", SCRAM);
            props.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            props.put("super.users", "User:ANONYMOUS;User:" + SCRAM_ADMIN);
            props.put("allow.everyone.if.no.acl.found", "false");
        }
        try {
            Files.createDirectories(dir);
            Path propsFile = dir.resolve("server.properties");
            try (Writer w = Files.newBufferedWriter(propsFile)) {
                props.store(w, "written by EmbeddedKafka on every start");
            }
            // A formatted directory keeps its cluster id: formatting again with a new one is refused.
            if (!Files.exists(dir.resolve("log").resolve("meta.properties"))) {
                format(propsFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data directory " + dir, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        EmbeddedKafka kafka = new EmbeddedKafka(dir, port, internalPort, server);
        try {
            kafka.awaitReady();
            kafka.alignCoordinatorSegments();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public Path dataDir() {
        return dir;
    }

    /** A new Admin client for this broker, a super user where ACLs apply; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + (internalPort != 0 ? internalPort : brokerPort)));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }

    private static Properties serverProperties(Path dir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dir.resolve("log").toAbsolutePath().toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // One node: internal topics cannot have more than one replica; few partitions keep first use fast.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB compaction buffer is sized for production volumes, not a laptop or a test JVM.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        // After kill -9 the broker re-reads (CRC, indexes, producer state) every segment from the one holding the last
        // checkpointed recovery point, which moves on segment rolls and is checkpointed once a minute by default: with
        // 1 GiB segments that is the whole log. Small segments and a checkpoint every second leave a restart one
        // segment per partition to recover.
        p.put("log.segment.bytes", String.valueOf(SEGMENT_BYTES));
        p.put("log.flush.offset.checkpoint.interval.ms", "1000");
        p.put("offsets.topic.segment.bytes", String.valueOf(COORDINATOR_SEGMENT_BYTES));
        p.put("transaction.state.log.segment.bytes", String.valueOf(COORDINATOR_SEGMENT_BYTES));
        // After kill -9 the restarted controller still holds the dead broker's registration and refuses the new
        // incarnation until that session expires (9 s by default), whether the log is empty or not.
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        return p;
    }

    /** Formats fresh storage with a new cluster id. */
    private static void format(Path propsFile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String clusterId = Uuid.randomUuid().toString();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            // StorageTool.main would call System.exit; execute returns the exit code instead.
            rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", propsFile.toString()}, ps);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting Kafka storage failed (exit " + rc + "): " + out.toString(StandardCharsets.UTF_8).strip());
        }
    }

    /**
     * The coordinator topics take their segment size as a topic config when first created, so a data directory made
     * before {@link #COORDINATOR_SEGMENT_BYTES} keeps 100 MiB segments until it is set on the topic itself.
     */
    private void alignCoordinatorSegments() {
        String wanted = String.valueOf(COORDINATOR_SEGMENT_BYTES);
        try (Admin admin = admin()) {
            var existing = admin.listTopics(new ListTopicsOptions().listInternal(true))
                    .names().get(30, TimeUnit.SECONDS);
            for (String topic : COORDINATOR_TOPICS) {
                if (!existing.contains(topic)) {
                    continue; // created on first use, with the broker's setting
                }
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                ConfigEntry current = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                        .get(resource).get(TopicConfig.SEGMENT_BYTES_CONFIG);
                if (current == null || !wanted.equals(current.value())) {
                    admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                            new ConfigEntry(TopicConfig.SEGMENT_BYTES_CONFIG, wanted), AlterConfigOp.OpType.SET))))
                            .all().get(30, TimeUnit.SECONDS);
                }
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot set the segment size of Kafka's coordinator topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring Kafka's coordinator topics", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    // A short per-call timeout: the default API timeout would turn each miss into a long wait.
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(500)).nodes().get(1, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " not ready after " + READY_TIMEOUT, e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                }
            }
        }
    }
}

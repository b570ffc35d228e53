package org.epicgateway.api.views;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.GatewayView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest {@link GatewayView} of every gateway, read from the compacted {@code epic.gateway-state} (the gateway
 * view projection's output, read_committed), and a listener list per gateway that is told of each new view. The
 * REST API serves both (a view by GET, its changes as server-sent events), so a reader of a gateway sees what the
 * Envoy projection derives from, live, without polling. One consumer per API process, no consumer group: every API
 * instance keeps the whole topic, which is one record per live gateway.
 */
public final class GatewayViewFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayViewFeed.class);
    private final KafkaConsumer<String, GatewayView> consumer;
    private final Map<String, GatewayView> latest = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<GatewayView>>> listeners = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean running = true;

    /** @param kafkaClient the API's Kafka client settings (bootstrap servers, security) */
    public GatewayViewFeed(Map<String, Object> kafkaClient, Deserializer<GatewayView> views) {
        Map<String, Object> props = new HashMap<>(kafkaClient);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "epic-command-api-gateway-views");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), views);
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.GATEWAY_STATE).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = Thread.ofPlatform().daemon().name("epic-api-gateway-views").start(this::read);
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<String, GatewayView> record : consumer.poll(Duration.ofMillis(500))) {
                    accept(record.key(), record.value());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("gateway view feed stopped", e);
        } finally {
            consumer.close();
        }
    }

    private void accept(String gatewayId, GatewayView view) {
        if (view == null) {
            latest.remove(gatewayId);
        } else {
            latest.put(gatewayId, view);
        }
        for (Consumer<GatewayView> listener : listeners.getOrDefault(gatewayId, Set.of())) {
            listener.accept(view);
        }
    }

    /** The newest view of the gateway; empty when the projection has none (yet, or it was deleted). */
    public Optional<GatewayView> latest(String gatewayId) {
        return Optional.ofNullable(latest.get(gatewayId));
    }

    /** Tells {@code listener} of every later view of the gateway (null: the gateway was deleted) until closed. */
    public AutoCloseable subscribe(String gatewayId, Consumer<GatewayView> listener) {
        listeners.computeIfAbsent(gatewayId, id -> new CopyOnWriteArraySet<>()).add(listener);
        return () -> listeners.computeIfPresent(gatewayId, (id, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(Duration.ofSeconds(10));
    }
}

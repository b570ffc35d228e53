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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest value of every key of a compacted topic, read from its beginning (read_committed), and a listener list
 * per key that is told of each new value. The API keeps two: {@code epic.gateway-state} (a gateway's view by GET,
 * its changes as server-sent events, so a reader sees what the Envoy projection derives from, live, without
 * polling) and {@code epic.node-adverts} (what each EPIC node announces over BGP, for the gateway's data plane).
 * One consumer per feed and API process, no consumer group: every API instance keeps the whole topic, which is one
 * record per live gateway or node.
 */
public final class TopicFeed<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);
    private final String topic;
    private final KafkaConsumer<String, V> consumer;
    private final Map<String, V> latest = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<V>>> listeners = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean running = true;

    /** @param kafkaClient the API's Kafka client settings (bootstrap servers, security) */
    public TopicFeed(Map<String, Object> kafkaClient, String topic, Deserializer<V> values) {
        this.topic = topic;
        Map<String, Object> props = new HashMap<>(kafkaClient);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "epic-command-api-" + topic);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = Thread.ofPlatform().daemon().name("epic-api-feed-" + topic).start(this::read);
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(500))) {
                    accept(record.key(), record.value());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("feed of {} stopped", topic, e);
        } finally {
            consumer.close();
        }
    }

    private void accept(String key, V value) {
        if (value == null) {
            latest.remove(key);
        } else {
            latest.put(key, value);
        }
        for (Consumer<V> listener : listeners.getOrDefault(key, Set.of())) {
            listener.accept(value);
        }
    }

    /** The newest value of the key; empty when the topic has none (yet, or a tombstone removed it). */
    public Optional<V> latest(String key) {
        return Optional.ofNullable(latest.get(key));
    }

    /** Tells {@code listener} of every later value of the key (null: a tombstone) until closed. */
    public AutoCloseable subscribe(String key, Consumer<V> listener) {
        listeners.computeIfAbsent(key, id -> new CopyOnWriteArraySet<>()).add(listener);
        return () -> listeners.computeIfPresent(key, (id, set) -> {
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

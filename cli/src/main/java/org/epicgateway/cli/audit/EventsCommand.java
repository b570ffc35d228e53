package org.epicgateway.cli.audit;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.epicgateway.schemas.json.AvroJson;
import org.epicgateway.schemas.serde.AvroDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./epic events tail}: epic.events as JSON lines, the same rendering as the Kafka console formatter. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Read epic.events without Kafka's tools.",
    subcommands = EventsCommand.Tail.class)
public final class EventsCommand {

  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = "Prints events as JSON lines as they are appended, until Ctrl-C.")
  static final class Tail implements Callable<Integer> {
    @Mixin PlatformOptions platform;
    @Option(names = "--from-beginning", description = "start at the first event instead of the next one")
    boolean fromBeginning;
    @Option(names = "--account", description = "only events of this account") String account;
    @Option(names = "--type", description = "only this event type, e.g. HttpRouteUpserted") String type;

    @Override
    public Integer call() {
      Properties p = new Properties();
      p.putAll(platform.kafkaClient());
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      try (KafkaConsumer<String, EventEnvelope> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
          new AvroDeserializer<>(EventEnvelope.class, platform.registry()))) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
            .map(i -> new TopicPartition(Topics.EVENTS, i.partition())).toList();
        consumer.assign(partitions);
        if (fromBeginning) {
          consumer.seekToBeginning(partitions);
        } else {
          consumer.seekToEnd(partitions);
        }
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          consumer.wakeup();
          try {
            main.join(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
        try {
          while (true) {
            for (ConsumerRecord<String, EventEnvelope> r : consumer.poll(Duration.ofMillis(500))) {
              if (selected(r.value())) {
                System.out.println(AvroJson.toJsonLine(r.value()));
              }
            }
            System.out.flush();
          }
        } catch (WakeupException stopping) {
          return 0;
        }
      }
    }

    private boolean selected(EventEnvelope e) {
      return (account == null || account.equals(e.getAccount()))
          && (type == null || type.equals(e.getPayload().getClass().getSimpleName()));
    }
  }
}

package org.epicgateway.projections.topology;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.epicgateway.platform.Health;
import org.epicgateway.platform.KafkaAccess;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.projections.streams.PolledInput;
import org.epicgateway.projections.streams.StreamsApp;
import org.epicgateway.schemas.EventSeals;
import org.epicgateway.schemas.Topics;
import org.epicgateway.schemas.avro.CommandResult;
import org.epicgateway.schemas.registry.SchemaRegistryClient;
import org.epicgateway.schemas.serde.AvroDeserializer;

/**
 * Runs the decider topology on the platform and offers the {@link CommandBus} and {@link AggregateQueries} that the
 * command API uses in the same process. Its store lives under {@code <dataDir>/state/decider}, so a restart resumes
 * from the local RocksDB state plus the changelog instead of a full replay.
 */
public final class DeciderService implements PlatformService {

  /**
   * How the decider runs.
   *
   * @param maxInFlight commands the bus lets wait for a result at once; more are refused (the API answers 429)
   * @param decidedRetention how long a decided command id is remembered: a retry within it gets the first result,
   *     one after it is decided again
   */
  public record Settings(int maxInFlight, Duration decidedRetention) {
    public static final Settings DEFAULT = new Settings(10_000, DeciderTopology.DEFAULT_DECIDED_RETENTION);

    /**
     * {@code EPIC_MAX_IN_FLIGHT} (a count) and {@code EPIC_DECIDED_RETENTION} (ISO-8601, e.g. {@code PT24H}) when
     * set, else {@link #DEFAULT}'s.
     */
    public static Settings fromEnvironment() {
      String max = System.getenv("EPIC_MAX_IN_FLIGHT");
      String retention = System.getenv("EPIC_DECIDED_RETENTION");
      return new Settings(max == null ? DEFAULT.maxInFlight() : Integer.parseInt(max),
          retention == null ? DEFAULT.decidedRetention() : Duration.parse(retention));
    }
  }

  private final Settings settings;
  private StreamsApp app;
  private AggregateQueries queries;
  private CommandBus commandBus;

  public DeciderService() {
    this(Settings.fromEnvironment());
  }

  public DeciderService(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "decider";
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(context.schemaRegistryUrl());
    Properties config = StreamsApp.config(DeciderTopology.APPLICATION_ID, context.kafkaClient(this),
        context.stateDir(name()));
    PolledInput clients = new PolledInput();
    app = StreamsApp.start("the decider", DeciderTopology.build(registry, settings.decidedRetention(),
        chainKey(context), clients), config, clients);
    queries = new AggregateQueries(app.streams(), new AvroDeserializer<>(CommandResult.class, registry));
    KafkaStreams streams = app.streams();
    commandBus = new CommandBus(context.kafkaClient(this), registry, () -> streams.state().isRunningOrRebalancing(),
        settings.maxInFlight());
  }

  /** Restoring the stores copies changelog bytes; the serdes wait for the registry on first use. */
  @Override
  public boolean startsBeforeRegistry() {
    return true;
  }

  /**
   * The audit chain key: {@code -Depic.audit.chain-key=<file>}, else {@code <dataDir>/audit/chain.key}, created (0600)
   * on first start. {@code epic audit verify} reads the same file.
   */
  public static EventSeals chainKey(PlatformContext context) {
    return EventSeals.fromKeyFile(chainKeyFile(context.dataDir()), Clock.systemUTC());
  }

  public static Path chainKeyFile(Path dataDir) {
    String configured = System.getProperty("epic.audit.chain-key");
    return configured != null ? Path.of(configured) : dataDir.resolve("audit").resolve("chain.key");
  }

  /** Submits commands; available once {@link #start} returned. */
  public CommandBus commandBus() {
    if (commandBus == null) {
      throw new IllegalStateException("the decider is not started");
    }
    return commandBus;
  }

  /** Reads aggregate states and decided commands; available once {@link #start} returned. */
  public AggregateQueries queries() {
    if (queries == null) {
      throw new IllegalStateException("the decider is not started");
    }
    return queries;
  }

  /** The decider's Streams application, and its command bus: commands out, results in (no consumer group). */
  @Override
  public KafkaAccess kafkaAccess() {
    return StreamsApp.access(DeciderTopology.APPLICATION_ID,
            DeciderTopology.build(new SchemaRegistryClient("http://registry.unused")))
        .plus(KafkaAccess.writes(Topics.COMMANDS)).plus(KafkaAccess.reads(Topics.COMMAND_RESULTS));
  }

  @Override
  public Health health() {
    return StreamsApp.health(app);
  }

  @Override
  public void close() throws Exception {
    if (commandBus != null) {
      commandBus.close();
    }
    if (app != null) {
      app.close();
    }
  }
}

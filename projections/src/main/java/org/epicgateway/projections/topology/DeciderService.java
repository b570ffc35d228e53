package org.epicgateway.projections.topology;

import org.epicgateway.platform.Health;
import org.epicgateway.platform.PlatformContext;
import org.epicgateway.platform.PlatformService;
import org.epicgateway.projections.streams.StreamsApp;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * Runs the decider topology on the platform and offers the {@link CommandBus} and {@link AggregateQueries} that the
 * command API uses in the same process. Its store lives under {@code <dataDir>/state/decider}, so a restart resumes
 * from the local RocksDB state plus the changelog instead of a full replay.
 */
public final class DeciderService implements PlatformService {

  private StreamsApp app;
  private AggregateQueries queries;
  private CommandBus commandBus;

  @Override
  public String name() {
    return "decider";
  }

  @Override
  public void start(PlatformContext context) throws Exception {
    SchemaRegistryClient registry = new SchemaRegistryClient(context.schemaRegistryUrl());
    app = StreamsApp.start("the decider", DeciderTopology.build(registry),
        StreamsApp.config(DeciderTopology.APPLICATION_ID, context.bootstrapServers(), context.stateDir(name())));
    queries = new AggregateQueries(app.streams());
    commandBus = new CommandBus(context.bootstrapServers(), registry, queries);
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

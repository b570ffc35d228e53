package org.epicgateway.projections.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.epicgateway.infra.Directories;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * A topology run by TopologyTestDriver with its own RocksDB directory, serializing through the real registry of the
 * shared test platform (the serde needs one; no mock stands in for it).
 */
public final class TestDrivers implements AutoCloseable {

  private final String applicationId;
  private final Path stateDir;
  private TopologyTestDriver driver;

  private TestDrivers(String applicationId, Path stateDir, TopologyTestDriver driver) {
    this.applicationId = applicationId;
    this.stateDir = stateDir;
    this.driver = driver;
  }

  /** The shared platform's registry. */
  public static SchemaRegistryClient registry() throws Exception {
    return new SchemaRegistryClient(EmbeddedPlatform.sharedForTests().schemaRegistryUrl());
  }

  public static TestDrivers start(Topology topology, String applicationId) {
    try {
      Path dir = Files.createTempDirectory("epic-ttd-" + applicationId + "-");
      return new TestDrivers(applicationId, dir, new TopologyTestDriver(topology, config(applicationId, dir)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Properties config(String applicationId, Path stateDir) {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return config;
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  /**
   * Stops the driver as a process stops and starts {@code topology} on the stores it left, as the restarted process
   * finds them: the stores are closed, which writes to disk what RocksDB held in memory (what a restore from their
   * changelogs would rebuild), and the old driver is dropped (its close would delete the state directory).
   */
  public TopologyTestDriver restart(Topology topology) {
    driver.getAllStateStores().values().forEach(StateStore::close);
    driver = new TopologyTestDriver(topology, config(applicationId, stateDir));
    return driver;
  }

  @Override
  public void close() throws Exception {
    driver.close();
    Directories.deleteRecursively(stateDir);
  }
}

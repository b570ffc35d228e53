package org.epicgateway.projections.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.epicgateway.infra.Directories;
import org.epicgateway.infra.EmbeddedPlatform;
import org.epicgateway.schemas.registry.SchemaRegistryClient;

/**
 * A topology run by TopologyTestDriver with its own RocksDB directory, serializing through the real registry of the
 * shared test platform (the serde needs one; no mock stands in for it).
 */
public final class TestDrivers implements AutoCloseable {

  private final Path stateDir;
  private final TopologyTestDriver driver;

  private TestDrivers(Path stateDir, TopologyTestDriver driver) {
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
      Properties config = new Properties();
      config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
      config.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
      return new TestDrivers(dir, new TopologyTestDriver(topology, config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  @Override
  public void close() throws Exception {
    driver.close();
    Directories.deleteRecursively(stateDir);
  }
}

package org.epicgateway.projections.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.epicgateway.platform.KafkaConnection;
import org.epicgateway.platform.PlatformContext;
import org.rocksdb.Options;

/**
 * The decider alone in a JVM of its own, so a test can kill it as {@code kill -9} does: no close, no commit, no
 * flush. Arguments: bootstrap servers, schema registry URL, data directory. Prints {@link #RUNNING} once RUNNING.
 */
public final class DeciderProcess {
  static final String RUNNING = "decider running";

  private DeciderProcess() {}

  public static void main(String[] args) throws Exception {
    // Streams writes RocksDB without its write-ahead log, so what a kill leaves on disk is the stores as of their last
    // memtable flush: small memtables make a test-sized store flush several times, as a production-sized one does.
    KafkaConnection kafka = new KafkaConnection(args[0],
        Map.of(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, SmallMemtables.class.getName()));
    DeciderService decider = new DeciderService();
    decider.start(new PlatformContext(kafka, args[1], Path.of(args[2]), new SimpleMeterRegistry()));
    System.out.println(RUNNING);
    System.out.flush();
    Thread.currentThread().join();
  }

  /** RocksDB's smallest memtable, 64 KiB (Streams' default is 16 MiB). */
  public static final class SmallMemtables implements RocksDBConfigSetter {
    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
      options.setWriteBufferSize(64 * 1024);
    }

    @Override
    public void close(String storeName, Options options) {}
  }
}

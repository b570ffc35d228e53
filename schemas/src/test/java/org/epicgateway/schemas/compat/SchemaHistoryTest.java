package org.epicgateway.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.epicgateway.schemas.avro.EventEnvelope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's schema gate: this test fails `mvn verify` when the catalogue breaks its committed history. */
class SchemaHistoryTest {
  private static final Path AVRO = Path.of("src/main/avro");
  private static final Path HISTORY = Path.of("src/main/avro-history");

  @TempDir
  Path tmp;

  @Test
  void catalogueIsBackwardTransitiveWithItsCommittedHistory() {
    List<String> problems = new SchemaHistory(AVRO, HISTORY).check();
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }

  @Test
  void governsTheValuesStoredOnTopicsAndInStores() {
    assertThat(new SchemaHistory(AVRO, HISTORY).topLevelRecords().keySet())
        .contains("EventEnvelope", "CommandEnvelope", "CommandResult", "AggregateState", "GatewayView");
  }

  @Test
  void addingAnEventTypeAndAnOptionalFieldIsCompatible() {
    Schema v1 = EventEnvelope.getClassSchema();
    Schema v2 = withPayloadBranch(v1, SchemaBuilder.record("NodeProbeObserved").namespace(v1.getNamespace())
        .fields().requiredString("node").optionalString("remote").endRecord());
    assertThat(SchemaHistory.incompatibilities("EventEnvelope", v2, List.of(v1))).isEmpty();
  }

  @Test
  void reportsARequiredFieldWithoutDefaultByName() {
    Schema v1 = EventEnvelope.getClassSchema();
    Schema v2 = withField(v1, new Schema.Field("tenantRegion", Schema.create(Schema.Type.STRING)));
    List<String> problems = SchemaHistory.incompatibilities("EventEnvelope", v2, List.of(v1));
    assertThat(problems).singleElement().asString()
        .contains("EventEnvelope cannot read data written by v1")
        .contains("tenantRegion")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
  }

  @Test
  void reportsARemovedEventTypeAtItsPath() {
    Schema v1 = EventEnvelope.getClassSchema();
    Schema payload = v1.getField("payload").schema();
    Schema v2 = withPayload(v1, Schema.createUnion(payload.getTypes().stream()
        .filter(t -> !t.getName().equals("QuotaSet")).toList()));
    List<String> problems = SchemaHistory.incompatibilities("EventEnvelope", v2, List.of(v1, v1));
    assertThat(problems).hasSize(2).allSatisfy(p -> assertThat(p).contains("payload").contains("QuotaSet"));
    assertThat(problems.get(1)).contains("written by v2");
  }

  @Test
  void checkFailsOnAnIncompatibleEditAndAnUnrecordedChange() throws IOException {
    Path avro = copy(AVRO, tmp.resolve("avro"));
    Path history = copy(HISTORY, tmp.resolve("history"));
    // Changing a shared record's field type ripples into every top-level record that embeds it.
    Path listener = avro.resolve("common/Listener.avsc");
    Files.writeString(listener, Files.readString(listener).replaceFirst(
        "\"name\": \"port\",\\s*\"type\": \"int\"", "\"name\": \"port\", \"type\": \"string\""));

    SchemaHistory catalogue = new SchemaHistory(avro, history);
    List<String> problems = catalogue.check();
    int envelopeVersions = catalogue.versions("EventEnvelope").size();

    assertThat(problems).anySatisfy(p -> assertThat(p)
        .startsWith("EventEnvelope cannot read data written by v1 at payload.GatewayRequested.listeners")
        .contains("port").contains("TYPE_MISMATCH"));
    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("GatewayView cannot read data written by v1"));
    assertThat(problems).anySatisfy(p -> assertThat(p).isEqualTo("EventEnvelope changed since v" + envelopeVersions
        + ": run the snapshot (docs/modules/schemas.md) to commit it as v" + (envelopeVersions + 1)));
  }

  @Test
  void snapshotRecordsANewVersionAndNewRecordsNeedHistory() throws IOException {
    Path avro = copy(AVRO, tmp.resolve("avro"));
    Path history = copy(HISTORY, tmp.resolve("history"));
    Path quota = avro.resolve("event/QuotaSet.avsc");
    Files.writeString(quota, Files.readString(quota).replace("\"fields\": [",
        "\"fields\": [{\"name\": \"reason\", \"type\": [\"null\", \"string\"], \"default\": null},"));
    Files.writeString(avro.resolve("derived/NodeProbe.avsc"),
        "{\"type\":\"record\",\"name\":\"NodeProbe\",\"namespace\":\"org.epicgateway.schemas.avro\","
            + "\"fields\":[{\"name\":\"node\",\"type\":\"string\"}]}");
    SchemaHistory catalogue = new SchemaHistory(avro, history);
    int envelopeVersions = catalogue.versions("EventEnvelope").size();

    assertThat(catalogue.check()).containsExactlyInAnyOrder(
        "EventEnvelope changed since v" + envelopeVersions + ": run the snapshot (docs/modules/schemas.md)"
            + " to commit it as v" + (envelopeVersions + 1),
        "NodeProbe has no committed history: run the snapshot (docs/modules/schemas.md) to write "
            + history.resolve("NodeProbe/v1.avsc"));
    assertThat(catalogue.snapshot()).containsExactlyInAnyOrder(
        history.resolve("EventEnvelope/v" + (envelopeVersions + 1) + ".avsc"), history.resolve("NodeProbe/v1.avsc"));
    assertThat(catalogue.check()).isEmpty();
    assertThat(catalogue.versions("EventEnvelope")).hasSize(envelopeVersions + 1);
  }

  private static Schema withPayloadBranch(Schema envelope, Schema branch) {
    List<Schema> branches = new java.util.ArrayList<>(envelope.getField("payload").schema().getTypes());
    branches.add(branch);
    return withPayload(envelope, Schema.createUnion(branches));
  }

  private static Schema withPayload(Schema envelope, Schema payload) {
    List<Schema.Field> fields = envelope.getFields().stream()
        .map(f -> new Schema.Field(f, f.name().equals("payload") ? payload : f.schema())).toList();
    return Schema.createRecord(envelope.getName(), envelope.getDoc(), envelope.getNamespace(), false, fields);
  }

  private static Schema withField(Schema record, Schema.Field extra) {
    List<Schema.Field> fields = new java.util.ArrayList<>(
        record.getFields().stream().map(f -> new Schema.Field(f, f.schema())).toList());
    fields.add(extra);
    return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}

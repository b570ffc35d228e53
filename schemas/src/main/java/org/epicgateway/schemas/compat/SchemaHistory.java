package org.epicgateway.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.SchemaParser;

/**
 * Keeps the catalogue readable forever. Every top-level record of src/main/avro (one that no other record refers to:
 * the values stored on topics and in state stores) has its versions committed as self-contained schemas under
 * {@code avro-history/<RecordName>/v<N>.avsc}. The current schema must be able to read data written by every
 * committed version (BACKWARD_TRANSITIVE), and must equal the newest version, so that each released shape is
 * recorded before the next one is checked against it.
 *
 * <p>{@code main("check", avroDir, historyDir)} reports problems; {@code main("snapshot", avroDir, historyDir)}
 * writes {@code v<N+1>} for every record whose schema changed.
 */
public final class SchemaHistory {
  private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

  private final Path avroDir;
  private final Path historyDir;

  public SchemaHistory(Path avroDir, Path historyDir) {
    this.avroDir = avroDir;
    this.historyDir = historyDir;
  }

  /** Top-level records of the catalogue by simple name. */
  public Map<String, Schema> topLevelRecords() {
    SchemaParser parser = new SchemaParser();
    try (Stream<Path> files = Files.walk(avroDir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList()) {
        parser.parse(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schemas under " + avroDir, e);
    }
    List<Schema> named = parser.getParsedNamedSchemas();
    Set<String> referenced = new HashSet<>();
    for (Schema schema : named) {
      if (schema.getType() == Schema.Type.RECORD) {
        schema.getFields().forEach(f -> collectNamed(f.schema(), referenced));
      }
    }
    Map<String, Schema> top = new TreeMap<>();
    named.stream().filter(s -> s.getType() == Schema.Type.RECORD && !referenced.contains(s.getFullName()))
        .forEach(s -> top.put(s.getName(), s));
    return top;
  }

  /** Committed versions of a record, oldest first; empty when none are committed. */
  public List<Schema> versions(String record) {
    Path dir = historyDir.resolve(record);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Map<Integer, Path> byVersion = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(p -> {
        Matcher m = VERSION_FILE.matcher(p.getFileName().toString());
        if (!m.matches()) {
          throw new IllegalStateException(p + " is not named v<N>.avsc");
        }
        byVersion.put(Integer.parseInt(m.group(1)), p);
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    List<Schema> versions = new ArrayList<>();
    int expected = 1;
    for (Map.Entry<Integer, Path> e : byVersion.entrySet()) {
      if (e.getKey() != expected++) {
        throw new IllegalStateException(dir + " skips a version: expected v" + (expected - 1) + ".avsc, found "
            + e.getValue().getFileName());
      }
      try {
        versions.add(SchemaParser.parseSingle(e.getValue()));
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot read " + e.getValue(), ex);
      }
    }
    return versions;
  }

  /** Every problem of the catalogue against its history; empty when the build may pass. */
  public List<String> check() {
    List<String> problems = new ArrayList<>();
    topLevelRecords().forEach((name, current) -> {
      List<Schema> versions = versions(name);
      if (versions.isEmpty()) {
        problems.add(name + " has no committed history: run the snapshot (docs/modules/schemas.md) to write "
            + historyDir.resolve(name).resolve("v1.avsc"));
        return;
      }
      problems.addAll(incompatibilities(name, current, versions));
      if (!current.equals(versions.getLast())) {
        problems.add(name + " changed since v" + versions.size() + ": run the snapshot (docs/modules/schemas.md) "
            + "to commit it as v" + (versions.size() + 1));
      }
    });
    return problems;
  }

  /**
   * BACKWARD_TRANSITIVE: one line per way {@code current} cannot read data written by a committed version, naming the
   * version, the field path and Avro's reason.
   */
  public static List<String> incompatibilities(String name, Schema current, List<Schema> versions) {
    List<String> problems = new ArrayList<>();
    for (int v = 0; v < versions.size(); v++) {
      explain(name + " cannot read data written by v" + (v + 1) + " at ", "", current, versions.get(v), problems);
    }
    return problems;
  }

  /**
   * Avro reports a union branch whose record changed incompatibly only as a "missing" branch; when the reader has a
   * branch of the same name, the pair is checked again so the report reaches the offending field.
   */
  private static void explain(String head, String prefix, Schema reader, Schema writer, List<String> into) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    for (Incompatibility i : result.getIncompatibilities()) {
      String at = join(prefix, fieldPath(reader, writer, i.getLocation()));
      Schema writerBranch = missingWriterBranch(i);
      if (writerBranch != null && isNamed(writerBranch)) {
        Schema sameName = branchNamed(i.getReaderFragment(), writerBranch.getFullName());
        if (sameName != null) {
          explain(head, at, sameName, writerBranch, into);
          continue;
        }
      }
      into.add(head + (at.isEmpty() ? "the record itself" : at) + ": " + i.getType() + ": " + i.getMessage());
    }
  }

  /**
   * Turns Avro's JSON-pointer location into names, e.g. "/fields/10/type/3/fields/1" into "payload.QuotaSet.maxGateways".
   * Field positions are the reader's; union positions are the writer's branches.
   */
  static String fieldPath(Schema reader, Schema writer, String location) {
    if (location == null || location.isEmpty() || location.equals("/")) {
      return "";
    }
    List<String> names = new ArrayList<>();
    String[] parts = location.substring(1).split("/");
    try {
      for (int i = 0; i < parts.length; i++) {
        switch (parts[i]) {
          case "fields" -> {
            Schema.Field readerField = reader.getFields().get(Integer.parseInt(parts[++i]));
            Schema.Field writerField = writer.getType() == Schema.Type.RECORD ? writer.getField(readerField.name()) : null;
            names.add(readerField.name());
            reader = readerField.schema();
            writer = writerField == null ? readerField.schema() : writerField.schema();
          }
          case "type" -> { }
          case "items" -> {
            reader = reader.getElementType();
            writer = writer.getElementType();
          }
          case "values" -> {
            reader = reader.getValueType();
            writer = writer.getValueType();
          }
          default -> {
            if (writer.getType() == Schema.Type.UNION && parts[i].chars().allMatch(Character::isDigit)) {
              writer = writer.getTypes().get(Integer.parseInt(parts[i]));
              names.add(isNamed(writer) ? writer.getName() : writer.getType().getName());
              if (reader.getType() == Schema.Type.UNION && isNamed(writer)) {
                Schema sameName = branchNamed(reader, writer.getFullName());
                reader = sameName == null ? reader : sameName;
              }
            } else {
              names.add(parts[i]);
            }
          }
        }
      }
    } catch (RuntimeException unexpectedShape) {
      return location;
    }
    return String.join(".", names);
  }

  /** For a union-to-union MISSING_UNION_BRANCH, the writer's branch: the location ends with its position. */
  private static Schema missingWriterBranch(Incompatibility i) {
    if (i.getType() != SchemaIncompatibilityType.MISSING_UNION_BRANCH
        || i.getReaderFragment().getType() != Schema.Type.UNION || i.getWriterFragment().getType() != Schema.Type.UNION) {
      return null;
    }
    String last = i.getLocation().substring(i.getLocation().lastIndexOf('/') + 1);
    if (last.isEmpty() || !last.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int position = Integer.parseInt(last);
    List<Schema> branches = i.getWriterFragment().getTypes();
    return position < branches.size() ? branches.get(position) : null;
  }

  private static String join(String prefix, String path) {
    return prefix.isEmpty() ? path : path.isEmpty() ? prefix : prefix + "." + path;
  }

  private static boolean isNamed(Schema s) {
    return s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM || s.getType() == Schema.Type.FIXED;
  }

  private static Schema branchNamed(Schema union, String fullName) {
    return union.getTypes().stream().filter(t -> isNamed(t) && t.getFullName().equals(fullName)).findFirst().orElse(null);
  }

  /** Writes v(N+1) for every top-level record whose schema differs from its newest version; returns what it wrote. */
  public List<Path> snapshot() {
    List<Path> written = new ArrayList<>();
    topLevelRecords().forEach((name, current) -> {
      List<Schema> versions = versions(name);
      if (!versions.isEmpty() && versions.getLast().equals(current)) {
        return;
      }
      Path file = historyDir.resolve(name).resolve("v" + (versions.size() + 1) + ".avsc");
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, current.toString(true) + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
      written.add(file);
    });
    return written;
  }

  private static void collectNamed(Schema schema, Set<String> into) {
    switch (schema.getType()) {
      case RECORD, ENUM, FIXED -> into.add(schema.getFullName());
      case ARRAY -> collectNamed(schema.getElementType(), into);
      case MAP -> collectNamed(schema.getValueType(), into);
      case UNION -> schema.getTypes().forEach(t -> collectNamed(t, into));
      default -> { }
    }
  }

  public static void main(String[] args) {
    if (args.length != 3 || !(args[0].equals("check") || args[0].equals("snapshot"))) {
      System.err.println("usage: SchemaHistory check|snapshot <avro dir> <history dir>");
      System.exit(2);
    }
    SchemaHistory history = new SchemaHistory(Path.of(args[1]), Path.of(args[2]));
    if (args[0].equals("snapshot")) {
      history.snapshot().forEach(p -> System.out.println("wrote " + p));
      return;
    }
    List<String> problems = history.check();
    problems.forEach(System.err::println);
    System.exit(problems.isEmpty() ? 0 : 1);
  }
}

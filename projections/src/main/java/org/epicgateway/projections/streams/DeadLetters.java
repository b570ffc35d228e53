package org.epicgateway.projections.streams;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.epicgateway.schemas.Topics;

/**
 * Records a processor refuses, or that {@link DeadLetterHandler} catches, go to epic.dlq as they were read, with why
 * in headers. The header names are those of Kafka Streams' own dead-letter records (KIP-1034), plus EPIC's code
 * (TOO_LARGE, UNPROCESSABLE, UNREADABLE, UNWRITABLE), so every record on epic.dlq reads alike.
 */
public final class DeadLetters {
  public static final String EXCEPTION = "__streams.errors.exception";
  public static final String MESSAGE = "__streams.errors.message";
  public static final String TOPIC = "__streams.errors.topic";
  public static final String PARTITION = "__streams.errors.partition";
  public static final String OFFSET = "__streams.errors.offset";
  /** EPIC's reason code: a RejectionCode name from a processor, UNREADABLE/UNPROCESSABLE/UNWRITABLE from the handler. */
  public static final String CODE = "epic.dlq.code";
  /** Reasons are cut here: an exception message can quote the very input that was too large. */
  public static final int MAX_REASON_CHARS = 2000;

  private DeadLetters() {}

  /**
   * A sink to epic.dlq whose values are framed as on {@code originTopic} (its registry subject), so a dead letter
   * decodes like the record it was.
   */
  public static <T> void addSink(Topology topology, String name, String originTopic,
      Serializer<T> values, String... parents) {
    Serializer<T> asOrigin = (topic, value) -> values.serialize(originTopic, value);
    topology.addSink(name, Topics.DLQ, new StringSerializer(), asOrigin, parents);
  }

  /**
   * The headers of a dead letter for the record {@code context} is processing: its own headers, why it was refused,
   * and where it was read.
   */
  public static Headers headers(Headers original, ProcessorContext<?, ?> context, String code, Throwable cause,
      String reason) {
    Headers headers = headers(original, code, cause, reason);
    context.recordMetadata().ifPresent(m -> where(headers, m.topic(), m.partition(), m.offset()));
    return headers;
  }

  /** The headers of a dead letter that is no input record (a punctuation's output): its own headers and why. */
  public static Headers headers(Headers original, String code, Throwable cause, String reason) {
    RecordHeaders headers = new RecordHeaders(original.toArray());
    why(headers, code, cause, reason);
    return headers;
  }

  /** The dead letter of the input record an exception handler was called for, its bytes as read. */
  public static ProducerRecord<byte[], byte[]> record(ErrorHandlerContext context, String code, Exception cause) {
    RecordHeaders headers = new RecordHeaders(context.headers() == null ? new Header[0] : context.headers().toArray());
    why(headers, code, cause, String.valueOf(cause.getMessage()));
    where(headers, context.topic(), context.partition(), context.offset());
    return new ProducerRecord<>(Topics.DLQ, null, context.timestamp(), context.sourceRawKey(),
        context.sourceRawValue(), headers);
  }

  private static void why(Headers headers, String code, Throwable cause, String reason) {
    add(headers, CODE, code);
    add(headers, EXCEPTION, cause.getClass().getName());
    add(headers, MESSAGE, cut(reason));
  }

  private static void where(Headers headers, String topic, int partition, long offset) {
    add(headers, TOPIC, topic);
    add(headers, PARTITION, Integer.toString(partition));
    add(headers, OFFSET, Long.toString(offset));
  }

  /** A reason short enough for a header or a reply. */
  public static String cut(String reason) {
    return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS) + "...";
  }

  private static void add(Headers headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}

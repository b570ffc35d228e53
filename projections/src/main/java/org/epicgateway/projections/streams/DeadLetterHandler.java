package org.epicgateway.projections.streams;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.epicgateway.schemas.registry.SchemaRegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net under every EPIC Streams application (processors check their own outputs first, see
 * {@link RecordLimit}): the input record that could not be read, processed or written goes to epic.dlq as read, with
 * why in {@link DeadLetters} headers, and the stream goes on with the next record. Three exceptions, where going on
 * would lose a record or a decided write: a retriable send error is retried, and so are an output the registry could
 * not frame and an input whose schema the registry could not serve (the registry is down, not the record wrong); a send error that is not retriable fails the thread, which is
 * replaced (under exactly-once the producer has aborted the transaction anyway, so nothing of the input is kept).
 */
public final class DeadLetterHandler
    implements DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

  @Override
  public void configure(Map<String, ?> configs) {
    // Nothing to configure: the topic is always epic.dlq.
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context,
      ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (registryUnavailable(exception)) {
      // The schema of a well-framed record could not be fetched because the registry is down or still starting
      // (epic up starts the Streams apps while it boots): the record is fine, so fail and let the replaced thread
      // read it again rather than dead-letter a command nobody decided.
      LOG.warn("cannot read {}-{}@{}: the registry is unavailable; the task will retry", context.topic(),
          context.partition(), context.offset(), exception);
      return DeserializationExceptionHandler.Response.fail();
    }
    return DeserializationExceptionHandler.Response.resume(letter(context, "UNREADABLE", exception));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
      Exception exception) {
    return ProcessingExceptionHandler.Response.resume(letter(context, "UNPROCESSABLE", exception));
  }

  @Override
  public ProductionExceptionHandler.Response handleError(ErrorHandlerContext context,
      ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RetriableException) {
      return ProductionExceptionHandler.Response.retry();
    }
    return ProductionExceptionHandler.Response.fail(letter(context, "UNWRITABLE", exception));
  }

  @Override
  public ProductionExceptionHandler.Response handleSerializationError(ErrorHandlerContext context,
      ProducerRecord record, Exception exception, SerializationExceptionOrigin origin) {
    if (registryFailure(exception)) {
      LOG.warn("cannot frame a record for {}: the registry failed; the task will retry", record.topic(), exception);
      return ProductionExceptionHandler.Response.fail();
    }
    return ProductionExceptionHandler.Response.resume(letter(context, "UNWRITABLE", exception));
  }

  private static List<ProducerRecord<byte[], byte[]>> letter(ErrorHandlerContext context, String code,
      Exception exception) {
    LOG.error("dead-lettering {}-{}@{} ({}, node {}): {}", context.topic(), context.partition(), context.offset(),
        code, context.processorNodeId(), exception.toString(), exception);
    return List.of(DeadLetters.record(context, code, exception));
  }

  private static boolean registryUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryException r) {
        return r.unavailable();
      }
    }
    return false;
  }

  private static boolean registryFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SchemaRegistryException) {
        return true;
      }
    }
    return false;
  }
}

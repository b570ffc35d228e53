package org.epicgateway.projections.streams;

import org.epicgateway.schemas.avro.RejectionCode;

/**
 * A processor will not write what it planned for one input: a record is above {@link RecordLimit} or cannot be
 * encoded. The message names the record, its size and the limit (or the encoding error); nothing was written.
 */
public final class OutputRefused extends Exception {

  private final RejectionCode code;

  OutputRefused(RejectionCode code, String message, Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
  }

  /** {@link RejectionCode#TOO_LARGE} or {@link RejectionCode#UNPROCESSABLE}. */
  public RejectionCode code() {
    return code;
  }
}

package org.epicgateway.projections.decider;

import org.epicgateway.schemas.avro.Rejection;
import org.epicgateway.schemas.avro.RejectionCode;

/** Thrown inside {@link Decider} to stop deciding at the first broken rule; never escapes {@code decide}. */
final class Rejected extends RuntimeException {

  final transient Rejection rejection;

  Rejected(RejectionCode code, String field, String message) {
    super(message, null, false, false);
    this.rejection = Rejection.newBuilder().setCode(code).setField(field).setMessage(
        field == null ? message : field + ": " + message).build();
  }

  static Rejected validation(String field, String message) {
    return new Rejected(RejectionCode.VALIDATION, field, message);
  }

  static Rejected notFound(String field, String message) {
    return new Rejected(RejectionCode.NOT_FOUND, field, message);
  }

  static Rejected conflict(String field, String message) {
    return new Rejected(RejectionCode.CONFLICT, field, message);
  }
}

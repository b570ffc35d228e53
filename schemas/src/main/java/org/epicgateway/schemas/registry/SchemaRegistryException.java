package org.epicgateway.schemas.registry;

/**
 * A failed call to the schema registry. The message names the method, URL, subject (when there is one), HTTP status
 * and the registry's own error code and message, so the cause is clear without a debugger.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int status;
  private final int errorCode;

  SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** HTTP status, or 0 when no response arrived. */
  public int status() {
    return status;
  }

  /** The registry did not answer or was not able to (no response, 5xx): a later try may succeed, the input is not at fault. */
  public boolean unavailable() {
    return status == 0 || status >= 500;
  }

  /** The registry's {@code error_code} (e.g. 40401 subject not found, 409 incompatible), or 0 when absent. */
  public int errorCode() {
    return errorCode;
  }
}

package org.epicgateway.api.openapi;

import java.util.List;
import org.epicgateway.api.resources.ResourceKind;

/**
 * A batch of objects, {@code {"items":[...]}}: each item is the create body of one of {@code kinds} plus its
 * {@code kind} (the kind's title) and optionally its own {@code idempotencyKey}.
 */
public record BatchBody(List<ResourceKind> kinds, int maxItems) implements RequestBody {
    /** An object's own Idempotency-Key (for clients that batch objects differently on every attempt). */
    public static final String OBJECT_KEY = "idempotencyKey";
}

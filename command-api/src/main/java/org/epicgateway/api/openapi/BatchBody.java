package org.epicgateway.api.openapi;

import java.util.List;
import org.epicgateway.api.resources.ResourceKind;

/**
 * A batch of objects, {@code {"items":[...]}}: each item is the create body of one of {@code kinds} plus its
 * {@code kind} (the kind's title).
 */
public record BatchBody(List<ResourceKind> kinds, int maxItems) implements RequestBody {
}

package org.epicgateway.api.openapi;

/** The body a route takes, as {@link OpenApiDocument} describes it. */
public interface RequestBody {
}

package org.epicgateway.api.resources;

import org.epicgateway.api.ApiError;

/**
 * What the URL says about the resource a body is for: the account (tenant resources), the namespace from the
 * {@code namespace} query parameter, and the name when the URL names one (PUT). A body may repeat the name or
 * namespace, but must then agree with the URL.
 */
public record Target(String account, String queryNamespace, String pathName) {
    public static final String DEFAULT_NAMESPACE = "default";

    /** The resource's name: from the URL when it has one, else the body's required {@code field}. */
    public String name(JsonFields body, String field) {
        String inBody = body.optString(field);
        if (pathName == null) {
            if (inBody == null) {
                throw ApiError.badRequest("field '" + field + "' is required", field);
            }
            return inBody;
        }
        if (inBody != null && !inBody.equals(pathName)) {
            throw ApiError.badRequest("field '" + field + "' is '" + inBody + "' but the URL names '" + pathName + "'", field);
        }
        return pathName;
    }

    /** The workload namespace: body and query parameter must agree when both are given; "default" when neither is. */
    public String namespace(JsonFields body) {
        String inBody = body.optString("namespace");
        if (inBody != null && queryNamespace != null && !inBody.equals(queryNamespace)) {
            throw ApiError.badRequest("field 'namespace' is '" + inBody + "' but the query parameter says '"
                + queryNamespace + "'", "namespace");
        }
        return inBody != null ? inBody : queryNamespace != null ? queryNamespace : DEFAULT_NAMESPACE;
    }
}

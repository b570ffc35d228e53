package org.epicgateway.projections.routecheck;

/** A manifest that cannot be used; the message names the file, the document and the field. */
public final class ManifestException extends RuntimeException {
    public ManifestException(String document, String field, String problem) {
        super(document + ": " + field + ": " + problem);
    }
}

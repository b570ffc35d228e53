package org.epicgateway.projections.routecheck;

/** A manifest that cannot be used; the message names the file, the document and the field. */
public final class ManifestException extends RuntimeException {
    private final String field;
    private final String problem;

    public ManifestException(String document, String field, String problem) {
        super(document + ": " + field + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The field of the object, as a path ({@code spec.listeners[0].protocol}). */
    public String field() {
        return field;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}

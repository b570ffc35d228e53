package org.epicgateway.api.proxies;

import java.util.List;
import org.epicgateway.api.ApiError;

/**
 * What the command API reads from the xDS projector of its process: a gateway's Envoy configuration revisions and a
 * command's receipt. The API owns this interface and the projector knows nothing of the API; {@code epic up} hands
 * over an implementation backed by the projector, so neither module depends on the other and nothing is proxied over
 * HTTP. Values are rendered as JSON as they are (the projector's view records).
 */
public interface ProxyConfigQueries {
    /** Revisions of the gateway, newest first; empty when the projector has none for it. */
    List<?> revisions(String gatewayId);

    /** The proxies that ACKed configuration containing the command, and those of the same gateways that have not. */
    Object receipt(String commandId);

    /** For an API running without an xDS projector in its process (the routes answer 503, naming why). */
    ProxyConfigQueries NONE = new ProxyConfigQueries() {
        @Override
        public List<?> revisions(String gatewayId) {
            throw notHere();
        }

        @Override
        public Object receipt(String commandId) {
            throw notHere();
        }

        private ApiError notHere() {
            return new ApiError(503, "UNAVAILABLE", "no xDS projector runs in this process, so revisions and "
                + "receipts are not known here", null);
        }
    };
}

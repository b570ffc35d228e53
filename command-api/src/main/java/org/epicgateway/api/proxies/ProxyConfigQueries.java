package org.epicgateway.api.proxies;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epicgateway.api.ApiError;
import org.epicgateway.projections.status.StatusDerivation.ProxyProgress;
import org.epicgateway.schemas.avro.GatewayView;

/**
 * What the command API reads from the xDS projector of its process: a gateway's Envoy configuration revisions, a
 * command's receipt, and (with the gateway view projection) a gateway's status. The API owns this interface and the projector knows nothing of the API; {@code epic up} hands
 * over an implementation backed by the projector, so neither module depends on the other and nothing is proxied over
 * HTTP. Values are rendered as JSON as they are (the projector's view records).
 */
public interface ProxyConfigQueries {
    /** Revisions of the gateway, newest first; empty when the projector has none for it. */
    List<?> revisions(String gatewayId);

    /** The proxies that ACKed configuration containing the command, and those of the same gateways that have not. */
    Object receipt(String commandId);

    /**
     * What a gateway's Gateway API status is made of: its view as the gateway view projection holds it now, the
     * version of each route in that view (by aggregate id), and what the proxies did with the revision derived from
     * it. Empty when the projection has no view of the gateway (yet).
     */
    default Optional<StatusInputs> status(String gatewayId) {
        throw new ApiError(503, "UNAVAILABLE", "no gateway view projection runs in this process, so gateway status "
            + "is not known here", null);
    }

    /** The inputs of a gateway's status; see {@link #status(String)}. */
    record StatusInputs(GatewayView view, Map<String, Long> routeVersions, ProxyProgress progress) {}

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

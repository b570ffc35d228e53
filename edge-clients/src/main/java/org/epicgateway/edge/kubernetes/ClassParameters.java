package org.epicgateway.edge.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParametersReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.epicgateway.edge.api.EpicApi;

/**
 * What a GatewayClass of ours says through its {@code parametersRef}: a ConfigMap or a Secret (group "", a namespace
 * given) with {@code apiUrl}, {@code account}, {@code username}, {@code password}, {@code template}, the EPIC gateway
 * template its Gateways are made from, and {@code clusterId}, this cluster's id in the account: EPIC records it as the
 * owner of every object the controller writes, so two clusters of one account never overwrite each other's objects
 * and a restarted controller deletes what its cluster owns but no longer has. A Secret is the place for the password;
 * a ConfigMap is accepted for tests.
 */
public record ClassParameters(EpicApi.Connection connection, String template) {

    /** The class's parameters, or {@link Specs.Invalid} naming the field of the class or the missing key. */
    public static ClassParameters of(KubernetesClient client, GatewayClass gatewayClass) throws Specs.Invalid {
        ParametersReference ref = gatewayClass.getSpec().getParametersRef();
        if (ref == null) {
            throw new Specs.Invalid("spec.parametersRef", "required: a ConfigMap or Secret with apiUrl, account, "
                + "username, password, template and clusterId");
        }
        if (ref.getGroup() != null && !ref.getGroup().isEmpty()) {
            throw new Specs.Invalid("spec.parametersRef.group", "must be \"\" (core), is " + ref.getGroup());
        }
        if (ref.getNamespace() == null || ref.getNamespace().isEmpty()) {
            throw new Specs.Invalid("spec.parametersRef.namespace", "required (a GatewayClass is cluster-scoped)");
        }
        Map<String, String> data = new HashMap<>();
        switch (ref.getKind() == null ? "" : ref.getKind()) {
            case "ConfigMap" -> {
                ConfigMap map = client.configMaps().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
                if (map == null) {
                    throw new Specs.Invalid("spec.parametersRef.name", "ConfigMap " + ref.getNamespace() + "/"
                        + ref.getName() + " does not exist");
                }
                if (map.getData() != null) {
                    data.putAll(map.getData());
                }
            }
            case "Secret" -> {
                Secret secret = client.secrets().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
                if (secret == null) {
                    throw new Specs.Invalid("spec.parametersRef.name", "Secret " + ref.getNamespace() + "/"
                        + ref.getName() + " does not exist");
                }
                if (secret.getData() != null) {
                    secret.getData().forEach((k, v) -> data.put(k,
                        new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
                }
                if (secret.getStringData() != null) {
                    data.putAll(secret.getStringData());
                }
            }
            default -> throw new Specs.Invalid("spec.parametersRef.kind", "must be ConfigMap or Secret, is "
                + ref.getKind());
        }
        String where = ref.getKind() + " " + ref.getNamespace() + "/" + ref.getName();
        URI url;
        try {
            url = URI.create(required(data, "apiUrl", where));
        } catch (IllegalArgumentException e) {
            throw new Specs.Invalid("spec.parametersRef", where + ": apiUrl is not a URL: " + e.getMessage());
        }
        String cluster = required(data, "clusterId", where);
        if (!EpicApi.Connection.isClusterId(cluster)) {
            throw new Specs.Invalid("spec.parametersRef", where + ": clusterId '" + cluster
                + "' is not a DNS subdomain (lower case, digits, '-', '.')");
        }
        return new ClassParameters(new EpicApi.Connection(url, required(data, "account", where),
            required(data, "username", where), required(data, "password", where), cluster),
            required(data, "template", where));
    }

    private static String required(Map<String, String> data, String key, String where) throws Specs.Invalid {
        String v = data.get(key);
        if (v == null || v.isBlank()) {
            throw new Specs.Invalid("spec.parametersRef", where + " has no '" + key + "'");
        }
        return v.trim();
    }
}

package org.epicgateway.api.openapi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.epicgateway.platform.secrets.CertificateBundle;

/** {@code {"certificate": PEM chain, "privateKey": PEM key}}: a listener certificate upload. */
public record CertificateBody() implements RequestBody {

    ObjectNode schema() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode().put("type", "object")
            .put("additionalProperties", false);
        schema.putArray("required").add("certificate").add("privateKey");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("certificate").put("type", "string").put("maxLength", CertificateBundle.MAX_PEM_BYTES)
            .put("description", "PEM certificate chain, leaf first (at most " + CertificateBundle.MAX_CHAIN
                + " certificates); refused when expired or not yet valid");
        properties.putObject("privateKey").put("type", "string").put("maxLength", CertificateBundle.MAX_PEM_BYTES)
            .put("description", "the leaf's private key, unencrypted PEM: PKCS#8 ('BEGIN PRIVATE KEY'), PKCS#1 RSA "
                + "('BEGIN RSA PRIVATE KEY') or SEC1 EC ('BEGIN EC PRIVATE KEY'); never "
                + "returned, stored encrypted outside Kafka");
        return schema;
    }
}

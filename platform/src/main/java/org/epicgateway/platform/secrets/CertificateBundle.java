package org.epicgateway.platform.secrets;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TLS certificate for a listener: the PEM certificate chain (leaf first) and its PEM private key, checked the way a
 * proxy would need them: well-formed, not oversized, the leaf valid now, the key the leaf's. {@code sha256} is the
 * content hash events and xDS versions carry instead of the key material.
 */
public record CertificateBundle(String certificateChainPem, String privateKeyPem, String sha256, Instant notAfter) {

    /** Per PEM field: a chain of a few certificates and one key fit well under it; anything bigger is not a cert. */
    public static final int MAX_PEM_BYTES = 64 * 1024;
    /** Also the most certificates in a chain (leaf, intermediates). */
    public static final int MAX_CHAIN = 8;

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Why a certificate cannot be used; {@code field} is {@code certificate} or {@code privateKey}. */
    public static final class InvalidCertificateException extends IllegalArgumentException {
        private final String field;

        public InvalidCertificateException(String field, String problem) {
            super(field + " " + problem);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Checks a PEM chain and key as of {@code now}; throws {@link InvalidCertificateException} naming the problem. */
    public static CertificateBundle parse(String chainPem, String keyPem, Instant now) {
        List<X509Certificate> chain = chain(chainPem);
        PrivateKey key = key(keyPem, chain.get(0).getPublicKey());
        X509Certificate leaf = chain.get(0);
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
            throw new InvalidCertificateException("certificate", "expired at " + leaf.getNotAfter().toInstant()
                    + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            throw new InvalidCertificateException("certificate", "is not valid before "
                    + leaf.getNotBefore().toInstant());
        }
        if (!matches(key, leaf.getPublicKey())) {
            throw new InvalidCertificateException("privateKey", "does not match the certificate's public key ("
                    + leaf.getSubjectX500Principal().getName() + ")");
        }
        String chainText = chainPem.strip() + "\n";
        String keyText = keyPem.strip() + "\n";
        return new CertificateBundle(chainText, keyText, sha256(chainText + keyText), leaf.getNotAfter().toInstant());
    }

    /** Content hash of what a bundle holds (hex SHA-256 of the chain and key text). */
    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /** The first certificate of a chain this class accepted before. */
    static X509Certificate leaf(String chainPem) {
        return chain(chainPem).get(0);
    }

    private static List<X509Certificate> chain(String pem) {
        List<byte[]> blocks = blocks("certificate", pem, "CERTIFICATE");
        if (blocks.size() > MAX_CHAIN) {
            throw new InvalidCertificateException("certificate", "holds " + blocks.size()
                    + " certificates; at most " + MAX_CHAIN + " are allowed");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (int i = 0; i < blocks.size(); i++) {
                try {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(blocks.get(i))));
                } catch (GeneralSecurityException e) {
                    throw new InvalidCertificateException("certificate", "block " + (i + 1)
                            + " is not an X.509 certificate: " + e.getMessage());
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X.509 is required by every JDK", e);
        }
        return out;
    }

    /**
     * The key of an unencrypted PKCS#8 block, or of the traditional forms openssl and cert-manager write (PKCS#1
     * {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}), which the JDK reads once wrapped into PKCS#8 here; the
     * text is kept as uploaded (Envoy reads all three).
     */
    private static PrivateKey key(String pem, PublicKey certificateKey) {
        String type = pem == null ? "PRIVATE KEY" : TRADITIONAL_KEYS.stream()
                .filter(t -> pem.contains("-----BEGIN " + t + "-----")).findFirst().orElse("PRIVATE KEY");
        List<byte[]> blocks = blocks("privateKey", pem, type);
        if (blocks.size() != 1) {
            throw new InvalidCertificateException("privateKey", "holds " + blocks.size() + " keys; exactly one is needed");
        }
        String algorithm = certificateKey.getAlgorithm();
        String form = switch (type) {
            case "RSA PRIVATE KEY" -> "PKCS#1 RSA";
            case "EC PRIVATE KEY" -> "SEC1 EC";
            default -> "PKCS#8 " + algorithm;
        };
        try {
            byte[] pkcs8 = switch (type) {
                case "RSA PRIVATE KEY" -> pkcs8(der(0x30, der(0x06, RSA_ENCRYPTION), DER_NULL), blocks.get(0));
                case "EC PRIVATE KEY" -> pkcs8(der(0x30, der(0x06, EC_PUBLIC_KEY), curve(blocks.get(0))),
                        blocks.get(0));
                default -> blocks.get(0);
            };
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidCertificateException("privateKey", "is not a " + form + " private key"
                    + (form.contains(algorithm) ? "" : " (the certificate's key is " + algorithm + ")") + ": "
                    + e.getMessage());
        }
    }

    /** The PEM types of the traditional key forms accepted besides PKCS#8's {@code PRIVATE KEY}. */
    private static final List<String> TRADITIONAL_KEYS = List.of("RSA PRIVATE KEY", "EC PRIVATE KEY");
    /** OIDs 1.2.840.113549.1.1.1 (rsaEncryption) and 1.2.840.10045.2.1 (id-ecPublicKey), DER contents. */
    private static final byte[] RSA_ENCRYPTION = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 1, 1, 1};
    private static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 2, 1};
    private static final byte[] DER_NULL = {0x05, 0x00};

    /** PKCS#8 PrivateKeyInfo: version 0, the algorithm identifier, the traditional key as an OCTET STRING. */
    private static byte[] pkcs8(byte[] algorithm, byte[] key) {
        return der(0x30, new byte[] {0x02, 0x01, 0x00}, algorithm, der(0x04, key));
    }

    /** A DER element of {@code tag} holding {@code parts} (definite length, short or long form). */
    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = body.size();
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /**
     * The curve (the named curve's OID element) of a SEC1 ECPrivateKey: SEQUENCE {version, privateKey, [0] parameters,
     * [1] publicKey}. PKCS#8 carries it in the algorithm identifier, SEC1 in its optional [0], which openssl and
     * cert-manager always write.
     */
    private static byte[] curve(byte[] sec1) {
        try {
            if (sec1[0] != 0x30) {
                throw new IllegalArgumentException("not a DER SEQUENCE");
            }
            int[] sequence = element(sec1, 0);
            for (int at = sequence[0]; at < sequence[0] + sequence[1]; ) {
                int[] e = element(sec1, at);
                if ((sec1[at] & 0xff) == 0xa0) {
                    return Arrays.copyOfRange(sec1, e[0], e[0] + e[1]);
                }
                at = e[0] + e[1];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated DER");
        }
        throw new IllegalArgumentException("it names no curve (SEC1 parameters [0])");
    }

    /** Where the contents of the DER element at {@code at} start, and their length. */
    private static int[] element(byte[] der, int at) {
        int length = der[at + 1] & 0xff;
        int start = at + 2;
        if (length >= 0x80) {
            int bytes = length & 0x7f;
            if (bytes > 3) {
                throw new IllegalArgumentException("DER length of " + bytes + " bytes");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[start++] & 0xff);
            }
        }
        return new int[] {start, length};
    }

    /** The DER bodies of the PEM blocks of {@code type}; other or malformed text is refused, naming the field. */
    private static List<byte[]> blocks(String field, String pem, String type) {
        if (pem == null || pem.isBlank()) {
            throw new InvalidCertificateException(field, "is empty; PEM text is required");
        }
        int bytes = pem.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PEM_BYTES) {
            throw new InvalidCertificateException(field, "is " + bytes + " bytes; at most " + MAX_PEM_BYTES
                    + " are allowed");
        }
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        int end = 0;
        while (m.find()) {
            if (!pem.substring(end, m.start()).isBlank()) {
                throw new InvalidCertificateException(field, "has text outside PEM blocks");
            }
            end = m.end();
            if (!m.group(1).equals(type)) {
                throw new InvalidCertificateException(field, "holds a '" + m.group(1) + "' block; expected '" + type
                        + "'" + (m.group(1).endsWith("PRIVATE KEY")
                        ? " (unencrypted PKCS#8, PKCS#1 RSA or SEC1 EC: openssl pkcs8 -topk8 -nocrypt converts other forms)"
                        : ""));
            }
            try {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            } catch (IllegalArgumentException e) {
                throw new InvalidCertificateException(field, "has a '" + type + "' block that is not base64");
            }
        }
        if (out.isEmpty() || !pem.substring(end).isBlank()) {
            throw new InvalidCertificateException(field, "is not PEM: expected '-----BEGIN " + type + "-----' blocks");
        }
        return out;
    }

    /** Proof of possession: a signature by the key verifies with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> publicKey.getAlgorithm(); // Ed25519, Ed448: the algorithm names the signature
        };
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

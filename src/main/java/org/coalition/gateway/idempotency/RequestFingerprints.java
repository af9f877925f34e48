package org.coalition.gateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.coalition.gateway.tenancy.Caller;

/** Fingerprints a mutation's input, without its idempotency key, in a canonical (sorted) form. */
@ApplicationScoped
public class RequestFingerprints {

    private final ObjectMapper canonical;

    public RequestFingerprints(ObjectMapper mapper) {
        this.canonical = mapper.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    }

    public IdempotentRequest of(Caller caller, String operation, String idempotencyKey, Object input) {
        return new IdempotentRequest(caller.idempotencyScope(), idempotencyKey, operation, fingerprint(input));
    }

    String fingerprint(Object input) {
        ObjectNode tree = canonical.valueToTree(input);
        tree.remove("idempotencyKey");
        try {
            Object sorted = canonical.treeToValue(tree, Object.class);
            byte[] bytes = canonical.writeValueAsBytes(sorted);
            return HexFormat.of().formatHex(sha256().digest(bytes));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("input cannot be fingerprinted", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

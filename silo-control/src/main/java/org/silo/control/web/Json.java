package org.silo.control.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/** The console's one JSON mapper: rows as they come from ControlData, bodies parsed into trees. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot write JSON for " + value.getClass().getName(), e);
        }
    }

    /** A request body that must be a JSON object. */
    static JsonNode object(byte[] body) throws ApiException {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("the body is not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return node;
    }

    /** A string field of a body: present, textual, at most max characters. */
    static String text(JsonNode body, String field, int max) throws ApiException {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw ApiException.badRequest("'" + field + "' must be a string");
        }
        if (v.textValue().length() > max) {
            throw ApiException.badRequest("'" + field + "' is longer than " + max + " characters");
        }
        return v.textValue();
    }
}

package org.silo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** What --json prints: indented JSON on stdout. */
final class Json {
    private Json() {}

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static void print(Object value) throws JsonProcessingException {
        System.out.println(MAPPER.writeValueAsString(value));
    }

    /** A value as indented JSON, without a line end (for printing an array one element at a time). */
    static String indented(Object value) throws JsonProcessingException {
        return MAPPER.writeValueAsString(value);
    }

    /** A record's fields as a map in their order, to print it with a field added. */
    static java.util.Map<String, Object> fields(Object value) {
        return MAPPER.convertValue(value, new com.fasterxml.jackson.core.type.TypeReference<>() {});
    }

    private static final ObjectMapper COMPACT = new ObjectMapper();

    /** A value as JSON on one line (for JSON Lines: one record per line, as each is known). */
    static String line(Object value) throws JsonProcessingException {
        return COMPACT.writeValueAsString(value);
    }
}

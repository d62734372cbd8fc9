package dev.sift.es.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the integration tests, on Jackson: {@link #parse} gives Maps (insertion ordered), Lists, Strings,
 * Booleans, null and numbers (Long when integral, else Double); {@link #write} takes the same plus arrays of
 * float/double/int/byte. Non-finite doubles are written as the bare tokens NaN/Infinity (invalid JSON, on purpose:
 * tests use them to probe the node's parser). {@link #obj}, {@link #list} and {@link #at} keep request bodies and
 * response paths short.
 */
public final class Json {
    private Json() {}

    private static final JsonMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.USE_LONG_FOR_INTS)
        .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .build();

    /** Shorthand for an ordered map: {@code obj("a", 1, "b", list(1, 2))}. */
    public static Map<String, Object> obj(Object... kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException("odd number of arguments");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    public static List<Object> list(Object... items) {
        return new ArrayList<>(List.of(items));
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The value at a dotted path ({@code "hits.hits.0._id"}: map keys and list indices), or null where the path
     * leaves the document.
     */
    @SuppressWarnings("unchecked")
    public static <T> T at(Object root, String path) {
        Object cur = root;
        for (String seg : path.split("\\.")) {
            if (cur instanceof Map<?, ?> m) {
                cur = m.get(seg);
            } else if (cur instanceof List<?> l) {
                int i = Integer.parseInt(seg);
                cur = i < l.size() ? l.get(i) : null;
            } else {
                return null;
            }
            if (cur == null) return null;
        }
        return (T) cur;
    }
}

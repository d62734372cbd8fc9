package dev.sift.es.it;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
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

    /** The fuzzing tests send 2000 levels of nesting on purpose; Jackson's default limit is 1000. */
    private static final int MAX_WRITE_DEPTH = 100_000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
        .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_WRITE_DEPTH).build())
        .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .build();

    private static final JsonMapper MAPPER = JsonMapper.builder(FACTORY).enable(DeserializationFeature.USE_LONG_FOR_INTS).build();

    /** Shorthand for an ordered map: {@code obj("a", 1, "b", list(1, 2))}. */
    public static Map<String, Object> obj(Object... kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException("odd number of arguments");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    public static List<Object> list(Object... items) {
        return new ArrayList<>(Arrays.asList(items)); // nulls allowed
    }

    private enum End {
        OBJECT,
        ARRAY
    }

    private record FieldName(String name) {}

    /**
     * The value as JSON, written through Jackson's generator. The walk over maps and lists keeps its own stack rather
     * than recursing (as Jackson's serialisers do), so the fuzzing tests' 2000 levels of nesting need no large thread
     * stack.
     */
    public static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            Deque<Object> todo = new ArrayDeque<>();
            todo.push(value == null ? NULL : value);
            while (todo.isEmpty() == false) {
                Object v = todo.pop();
                if (v == NULL) {
                    g.writeNull();
                } else if (v == End.OBJECT) {
                    g.writeEndObject();
                } else if (v == End.ARRAY) {
                    g.writeEndArray();
                } else if (v instanceof FieldName f) {
                    g.writeFieldName(f.name());
                } else if (v instanceof Map<?, ?> m) {
                    g.writeStartObject();
                    todo.push(End.OBJECT);
                    List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                    for (int i = entries.size() - 1; i >= 0; i--) {
                        todo.push(entries.get(i).getValue() == null ? NULL : entries.get(i).getValue());
                        todo.push(new FieldName(String.valueOf(entries.get(i).getKey())));
                    }
                } else if (v instanceof Iterable<?> it) {
                    g.writeStartArray();
                    todo.push(End.ARRAY);
                    List<Object> items = new ArrayList<>();
                    it.forEach(items::add);
                    for (int i = items.size() - 1; i >= 0; i--) {
                        todo.push(items.get(i) == null ? NULL : items.get(i));
                    }
                } else {
                    MAPPER.writeValue(g, v); // a leaf: string, number, boolean, or an array of numbers
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Stands for null on the walk's stack (an ArrayDeque takes no nulls). */
    private static final Object NULL = new Object();

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

package dev.sift.es.it;

import org.junit.Test;

import java.util.List;
import java.util.Map;

import static dev.sift.es.it.Json.list;
import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;

/** What the integration tests rely on in {@link Json}: deep nesting, bare non-finite numbers, number types. */
public class JsonTests {

    @Test
    public void testDeepNestingIsWritten() {
        Object v = 1L;
        StringBuilder expected = new StringBuilder("1");
        for (int i = 0; i < 2500; i++) {
            v = i % 2 == 0 ? list(v) : obj("a", v);
            expected.insert(0, i % 2 == 0 ? "[" : "{\"a\":").append(i % 2 == 0 ? "]" : "}");
        }
        assertEquals(expected.toString(), Json.write(v));
    }

    @Test
    public void testWritesMapsListsArraysAndNulls() {
        assertEquals(
            "{\"a\":[1,\"x\",null,true],\"f\":[0.5,2.0],\"i\":[1,2],\"n\":null}",
            Json.write(obj("a", list(1, "x", null, true), "f", new float[] { 0.5f, 2f }, "i", new int[] { 1, 2 }, "n", null))
        );
    }

    @Test
    public void testNonFiniteNumbersAreBareTokens() {
        assertEquals("[NaN,Infinity,-Infinity,1.5]", Json.write(list(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.5f)));
    }

    @Test
    public void testParsedNumbersAreLongsAndDoubles() {
        Map<String, Object> m = Json.at(Json.parse("{\"a\":{\"b\":[7,2.5]}}"), "a");
        assertEquals(List.of(7L, 2.5), m.get("b"));
        assertEquals(7L, (long) Json.at(m, "b.0"));
    }
}

package dev.sift.es.it;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Bad {@code sift} clauses are refused with 400 and a reason that names the parameter; the node keeps serving.
 * Request bodies are raw JSON strings so that the tests can send exactly what a client might.
 */
public class SiftRescoreValidationIT extends SiftNodeTestCase {

    private static final String INDEX = "validation";
    private static final int DIMS = 8;
    private static PlantedDuplicates data;

    @BeforeClass
    public static void createIndexWithDocs() {
        data = new PlantedDuplicates(DIMS, false, 7);
        Map<String, Object> mappings = obj(
            "properties",
            obj(
                "emb",
                obj("type", "dense_vector", "dims", DIMS, "similarity", "cosine", "index_options", obj("type", "hnsw")),
                "text",
                obj("type", "keyword"),
                "group",
                obj("type", "keyword")
            )
        );
        assertStatus(200, createIndex(INDEX, mappings));
        bulkIndex(INDEX, data.docs("emb"));
    }

    @AfterClass
    public static void deleteIndex() {
        client.delete("/" + INDEX);
    }

    private static String vector() {
        return Json.write(data.query);
    }

    /** A search whose sift clause is {@code {<siftBody>}}. */
    private static EsClient.Response search(String siftBody) {
        String body = "{\"size\":10,\"knn\":{\"field\":\"emb\",\"query_vector\":"
            + vector()
            + ",\"k\":30,\"num_candidates\":100},\"rescore\":{\"window_size\":30,\"sift\":{"
            + siftBody
            + "}}}";
        return client.post("/" + INDEX + "/_search", body);
    }

    /** Every "reason" anywhere in the error, so the check does not depend on where Elasticsearch wraps it. */
    private static List<String> reasons(Object node) {
        List<String> out = new ArrayList<>();
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if ("reason".equals(e.getKey()) && e.getValue() instanceof String s) out.add(s);
                else out.addAll(reasons(e.getValue()));
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) out.addAll(reasons(o));
        }
        return out;
    }

    /** 400, and the root cause (what a client sees first) or the top-level reason names each of {@code names}. */
    private static void assertRejected(String siftBody, String... names) {
        EsClient.Response r = search(siftBody);
        assertEquals("expected 400 for {" + siftBody + "}, got: " + r.body, 400, r.status);
        List<String> reasons = new ArrayList<>();
        String top = r.at("error.reason");
        if (top != null) reasons.add(top);
        reasons.addAll(reasons(r.at("error.root_cause")));
        for (String name : names) {
            assertTrue(
                "no reason names [" + name + "] for {" + siftBody + "}: " + reasons + "\nbody: " + r.body,
                reasons.stream().anyMatch(s -> s.contains(name))
            );
        }
        assertNodeServes();
    }

    private static void assertNodeServes() {
        EsClient.Response health = assertStatus(200, client.get("/_cluster/health"));
        String status = health.at("status");
        assertTrue(health.body, "green".equals(status) || "yellow".equals(status));
        EsClient.Response good = assertStatus(200, search("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"size\":5"));
        List<Object> hits = good.at("hits.hits");
        assertEquals(good.body, 10, hits.size());
    }

    @Test
    public void goodRequestWorks() {
        assertNodeServes();
    }

    /** Elasticsearch's own rescorers fail with a 500 on a negative window; the {@code sift} clause says why. */
    @Test
    public void windowSizeBelowOne() {
        for (int window : new int[] { -1, 0 }) {
            String body = "{\"size\":10,\"knn\":{\"field\":\"emb\",\"query_vector\":" + vector()
                + ",\"k\":30,\"num_candidates\":100},\"rescore\":{\"window_size\":" + window + ",\"sift\":{\"field\":\"emb\",\"query_vector\":"
                + vector() + "}}}";
            EsClient.Response r = client.post("/" + INDEX + "/_search", body);
            assertEquals(r.body, 400, r.status);
            assertTrue(r.body, r.body.contains("[window_size] of a [sift] rescore must be at least 1, got " + window));
        }
        assertNodeServes();
    }

    @Test
    public void lambdaZero() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"lambda\":0", "[lambda]");
    }

    @Test
    public void lambdaNegative() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"lambda\":-0.5", "[lambda]");
    }

    @Test
    public void lambdaNaN() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"lambda\":\"NaN\"", "[lambda]");
    }

    @Test
    public void lambdaNotANumber() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"lambda\":\"abc\"", "lambda");
    }

    @Test
    public void sizeZero() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"size\":0", "[size]");
    }

    @Test
    public void sizeNegative() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"size\":-3", "[size]");
    }

    @Test
    public void queryVectorWithWrongDimension() {
        assertRejected("\"field\":\"emb\",\"query_vector\":[0.1,0.2,0.3]", "[query_vector]");
    }

    @Test
    public void emptyQueryVector() {
        assertRejected("\"field\":\"emb\",\"query_vector\":[]", "[query_vector]");
    }

    /** JSON has no NaN; as a string Elasticsearch's number parsing accepts it, so the clause must refuse it. */
    @Test
    public void nanInQueryVectorAsString() {
        assertRejected("\"field\":\"emb\",\"query_vector\":[1,2,\"NaN\",4,5,6,7,8]", "[query_vector]");
    }

    @Test
    public void infinityInQueryVectorAsString() {
        assertRejected("\"field\":\"emb\",\"query_vector\":[1,2,\"Infinity\",4,5,6,7,8]", "[query_vector]");
    }

    /** A bare NaN token is not JSON; the parser refuses it (naming the field it was parsing). */
    @Test
    public void nanInQueryVectorAsBareToken() {
        assertRejected("\"field\":\"emb\",\"query_vector\":[1,2,NaN,4,5,6,7,8]", "query_vector");
    }

    @Test
    public void zeroQueryVectorOnCosineField() {
        assertRejected("\"field\":\"emb\",\"query_vector\":[0,0,0,0,0,0,0,0]", "[query_vector]");
    }

    @Test
    public void missingField() {
        assertRejected("\"query_vector\":" + vector(), "[field]");
    }

    @Test
    public void nonexistentField() {
        assertRejected("\"field\":\"nope\",\"query_vector\":" + vector(), "[field]", "nope");
    }

    @Test
    public void fieldThatIsNotADenseVector() {
        assertRejected("\"field\":\"text\",\"query_vector\":" + vector(), "[field]", "text", "dense_vector");
    }

    @Test
    public void unknownParameter() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"foo\":1", "foo");
    }

    @Test
    public void bothQueryVectorAndQueryVectors() {
        assertRejected(
            "\"field\":\"emb\",\"query_vector\":" + vector() + ",\"query_vectors\":[" + vector() + "]",
            "[query_vector]",
            "[query_vectors]"
        );
    }

    @Test
    public void neitherQueryVectorNorQueryVectors() {
        assertRejected("\"field\":\"emb\",\"lambda\":0.01", "[query_vector]", "[query_vectors]");
    }

    @Test
    public void emptyQueryVectors() {
        assertRejected("\"field\":\"emb\",\"query_vectors\":[]", "[query_vectors]");
    }

    @Test
    public void queryVectorsWithMixedDimensions() {
        assertRejected("\"field\":\"emb\",\"query_vectors\":[" + vector() + ",[1,2,3]]", "[query_vectors]");
    }

    @Test
    public void queryVectorsWithWrongDimension() {
        assertRejected("\"field\":\"emb\",\"query_vectors\":[[1,2,3],[4,5,6]]", "[query_vectors]");
    }

    @Test
    public void queryVectorsNotAListOfVectors() {
        assertRejected("\"field\":\"emb\",\"query_vectors\":[1,2,3,4,5,6,7,8]", "query_vectors");
    }

    @Test
    public void unknownMethod() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"method\":\"bogus\"", "method");
    }

    @Test
    public void unknownOrder() {
        String clause = "\"field\":\"emb\",\"query_vector\":" + vector() + ",\"order\":\"score\"";
        assertRejected(clause, "[order]");
        EsClient.Response r = search(clause);
        assertTrue(r.body, r.body.contains("[order] must be one of [selection, relevance], got [score]"));
    }

    @Test
    public void mmrLambdaOutOfRange() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"method\":\"mmr\",\"mmr_lambda\":2", "[mmr_lambda]");
    }

    @Test
    public void alphaNegative() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"alpha\":-1", "[alpha]");
    }

    @Test
    public void minGainOutOfRange() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"min_gain\":-0.1", "[min_gain]");
    }

    @Test
    public void targetVarianceOutOfRange() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"target_variance\":1.5", "[target_variance]");
    }

    @Test
    public void keepUnselectedNotABoolean() {
        assertRejected("\"field\":\"emb\",\"query_vector\":" + vector() + ",\"keep_unselected\":\"maybe\"", "keep_unselected");
    }
}

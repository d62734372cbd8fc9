package dev.sift.es.it;

import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sift.es.it.Json.list;
import static dev.sift.es.it.Json.obj;
import static dev.sift.testing.TestVectors.add;
import static dev.sift.testing.TestVectors.gaussian;
import static dev.sift.testing.TestVectors.unit;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * The OpenCL backend on a real node: with {@code sift.backend: gpu} and {@code sift.gpu.device_type: any} on POCL's
 * CPU device (installed by {@code scripts/setup}; {@code scripts/node.sh} fills its kernel cache), the rescore clause
 * and the retriever select exactly what a CPU node selects, and {@code GET _sift/stats} names the device and counts
 * its selections. Without OpenCL ({@code OCL_ICD_VENDORS} pointing at an empty folder), {@code auto} starts on the
 * CPU and says why, and {@code gpu} refuses to start, naming the setting.
 */
public class OpenClNodeIT extends SiftNodeTestCase {

    private static final String INDEX = "opencl";
    private static final int DIMS = 48;
    private static final Map<String, String> ON_OPENCL = Map.of(
        "SIFT_ES_SETTINGS",
        "sift.backend: gpu\nsift.gpu.device_type: any\nsift.gpu.min_window_elements: 0"
    );
    private static final Map<String, String> ON_CPU = Map.of("SIFT_ES_SETTINGS", "sift.backend: cpu");
    /** An ICD loader that finds no driver: the machine as if OpenCL were not installed. */
    private static final String NO_OPENCL = "OCL_ICD_VENDORS=/nonexistent-opencl-vendors";

    @Test
    public void testTheOpenClNodeSelectsWhatTheCpuNodeSelects() throws Exception {
        client = new EsClient(startNodes(1, ON_OPENCL));
        Map<String, Object> stats = onlyNode();
        assertEquals(stats.toString(), "gpu", stats.get("backend"));
        Map<String, Object> gpu = Json.at(stats, "gpu");
        assertNotNull(stats.toString(), gpu);
        assertEquals("Portable Computing Language", gpu.get("platform"));
        assertEquals(0, ((Number) gpu.get("min_window_elements")).intValue());
        List<List<String>> onOpenCl = runQueries();
        Map<String, Object> after = onlyNode();
        int onDevice = ((Number) Json.at(after, "selections.gpu.selections")).intValue();
        assertEquals(after.toString(), 0, ((Number) Json.at(after, "selections.gpu.fallbacks")).intValue());
        assertNull(after.toString(), Json.at(after, "selections.cpu")); // every window is above min_window_elements: 0
        assertTrue(after.toString(), ((Number) Json.at(after, "gpu.batches")).intValue() >= 1 + onDevice / 64); // and the start-up check
        assertNoEntitlementViolations();

        client = new EsClient(startNodes(1, ON_CPU));
        assertEquals("cpu", onlyNode().get("backend"));
        List<List<String>> onCpu = runQueries();
        assertEquals(onCpu, onOpenCl);
        // one selection per shard for the clause, one per search for the retriever: the same count on both nodes
        assertEquals(((Number) Json.at(onlyNode(), "selections.cpu.selections")).intValue(), onDevice);
    }

    @Test
    public void testWithoutOpenClAutoStartsOnTheCpuAndSaysWhy() throws Exception {
        client = new EsClient(
            startNodes(1, Map.of("SIFT_ES_SETTINGS", "sift.backend: auto\nsift.gpu.device_type: any", "SIFT_ES_ENV", NO_OPENCL))
        );
        Map<String, Object> stats = onlyNode();
        assertEquals("auto", stats.get("requested_backend"));
        assertEquals("cpu", stats.get("backend"));
        assertNull(stats.get("gpu"));
        String reason = (String) stats.get("reason");
        assertTrue(reason, reason.contains("no OpenCL platform is installed"));
        assertTrue(reason, reason.endsWith("selections run on the CPU"));
        assertEquals(queries().size(), runQueries().size()); // and it serves
    }

    @Test
    public void testWithoutOpenClGpuRefusesToStartNamingTheSetting() throws Exception {
        ScriptResult start = tryStartNode(Map.of("SIFT_ES_SETTINGS", "sift.backend: gpu\nsift.gpu.device_type: any", "SIFT_ES_ENV", NO_OPENCL));
        String output = String.join("\n", start.lines());
        assertNotEquals("the node started without OpenCL on sift.backend: gpu:\n" + output, 0, start.exitCode());
        assertTrue(output, output.contains("[sift.backend] is [gpu] and [sift.gpu.device_type] is [any] but no OpenCL device can run the selections"));
        assertTrue(output, output.contains("no OpenCL platform is installed"));
        assertTrue(output, output.contains("set [sift.backend] to [auto] or [cpu]"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> onlyNode() {
        EsClient.Response r = assertStatus(200, client.get("/_sift/stats"));
        Map<String, Object> nodes = r.at("nodes");
        assertEquals(1, nodes.size());
        return (Map<String, Object>) nodes.values().iterator().next();
    }

    /** 400 documents in 8 clusters, each with a few near-copies: the windows have redundancy to skip. */
    private static void index() {
        assertStatus(
            200,
            client.put("/" + INDEX, obj("settings", obj("number_of_shards", 2, "number_of_replicas", 0), "mappings",
                obj("properties", obj("emb", obj("type", "dense_vector", "dims", DIMS, "similarity", "cosine", "index", true)))))
        );
        Random random = new Random(20);
        float[][] centres = new float[8][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = unit(gaussian(random, DIMS, 1));
        }
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            float[] v = unit(add(centres[i % centres.length], gaussian(random, DIMS, i % 5 == 0 ? 0.01f : 0.4f)));
            List<Object> vector = new ArrayList<>();
            for (float x : v) {
                vector.add(x);
            }
            bulk.append(Json.write(obj("index", obj("_index", INDEX, "_id", "d" + i)))).append('\n');
            bulk.append(Json.write(obj("emb", vector))).append('\n');
        }
        EsClient.Response r = assertStatus(200, client.post("/_bulk?refresh=true", bulk.toString()));
        assertEquals("bulk errors: " + r.body, Boolean.FALSE, r.at("errors"));
    }

    private static List<Object> vector(Random random) {
        List<Object> v = new ArrayList<>();
        for (float x : unit(gaussian(random, DIMS, 1))) {
            v.add(x);
        }
        return v;
    }

    /** The searches, each a request body: rescore clauses and retrievers, one and two targets, a stopping rule. */
    private static List<Map<String, Object>> queries() {
        Random random = new Random(21);
        List<Map<String, Object>> queries = new ArrayList<>();
        for (int q = 0; q < 3; q++) {
            List<Object> query = vector(random);
            Map<String, Object> knn = obj("field", "emb", "query_vector", query, "k", 100, "num_candidates", 200);
            queries.add(obj("knn", knn, "size", 10, "_source", false, "rescore",
                obj("window_size", 100, "sift", obj("field", "emb", "query_vector", query, "size", 10))));
            queries.add(obj("size", 10, "_source", false, "retriever",
                obj("sift", obj("retriever", obj("knn", knn), "field", "emb", "query_vector", query, "rank_window_size", 100, "size", 10))));
        }
        List<Object> a = vector(random);
        List<Object> b = vector(random);
        queries.add(obj("knn", obj("field", "emb", "query_vector", a, "k", 100, "num_candidates", 200), "size", 10, "_source", false,
            "rescore", obj("window_size", 100, "sift", obj("field", "emb", "query_vectors", list(a, b), "size", 10, "min_gain", 0.001))));
        return queries;
    }

    private static List<List<String>> runQueries() {
        index();
        List<List<String>> results = new ArrayList<>();
        for (Map<String, Object> body : queries()) {
            EsClient.Response r = assertStatus(200, client.post("/" + INDEX + "/_search", body));
            List<String> ids = SiftRescoreMatrixIT.ids(r);
            assertTrue(r.body, ids.size() > 0);
            results.add(ids);
        }
        client.delete("/" + INDEX);
        return results;
    }
}

package dev.sift.es.it;

import dev.sift.es.bench.NodeOps;
import dev.sift.es.bench.Scale;
import dev.sift.es.bench.SiftRequests;
import dev.sift.es.bench.SyntheticCorpus;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The edges of what a node serves: windows past {@code index.max_rescore_window} are a clear 400; vectors of
 * 4096 dimensions (the {@code dense_vector} maximum) work; windows of 10000 hits of 1536 dimensions are served
 * within the request circuit breaker or refused with a 429 {@code circuit_breaking_exception}, alone or several at
 * once, and the node (run with a small heap, 512 MB by default) stays up: no OutOfMemoryError, no restart.
 */
public class LimitsIT extends SiftNodeTestCase {

    @Test
    public void windowBeyondMaxRescoreWindowIsA400() {
        SyntheticCorpus corpus = SyntheticCorpus.of(200, 16, 1);
        ok(createIndex("limits-window", NodeOps.corpusMappings(16, obj("type", "flat"), false)));
        ok(client.post("/_bulk?refresh=true", corpus.bulkBody("limits-window", 0, corpus.docs, 5)));
        Map<String, Object> body = SiftRequests.matchAllSiftRescore(corpus.query(0), 10_001, 10, 10);
        EsClient.Response r = client.post("/limits-window/_search", body);
        System.out.println("[limits] window 10001: " + SiftRequests.brief(r));
        assertEquals(SiftRequests.brief(r), 400, r.status);
        assertTrue(r.body, r.body.contains("max_rescore_window"));

        // the limit is the index's: raised, the same window is served
        ok(client.put("/limits-window/_settings", obj("index", obj("max_rescore_window", 20_000))));
        assertTrue(SiftRequests.complete(client.post("/limits-window/_search", body)));

        // the retriever's window is bounded by the inner search's result window
        if (SiftRequests.retrieverAvailable(client, "limits-window", corpus.query(0))) {
            Map<String, Object> retriever = SiftRequests.retriever(corpus.query(0), 10_000, 10);
            Map<String, Object> sift = Json.at(retriever, "retriever.sift");
            sift.put("rank_window_size", 10_001);
            EsClient.Response rr = client.post("/limits-window/_search", retriever);
            System.out.println("[limits] retriever rank_window_size 10001: " + SiftRequests.brief(rr));
            assertTrue("retriever window 10001: " + SiftRequests.brief(rr), rr.status == 200 || (rr.status >= 400 && rr.status < 500));
        }
    }

    @Test
    public void vectorsOf4096Dimensions() {
        int dims = 4096;
        PlantedDuplicates data = new PlantedDuplicates(dims, false, 42);
        Map<String, Object> emb = obj("type", "dense_vector", "dims", dims, "similarity", "cosine", "index", true, "index_options", obj("type", "flat"));
        ok(createIndex("limits-4096", obj("properties", obj("emb", emb, "group", obj("type", "keyword")))));
        bulkIndex("limits-4096", data.docs("emb"));
        EsClient.Response r = client.post("/limits-4096/_search", SiftRequests.siftRescore(data.query, PlantedDuplicates.DOCS, 5, "sift"));
        assertTrue(SiftRequests.brief(r), SiftRequests.complete(r));
        List<String> ids = SiftRequests.ids(r);
        // the planted structure holds at 4096 dimensions: one duplicate, then the complementary document
        assertTrue("picks " + ids, PlantedDuplicates.DUPLICATES.contains(ids.get(0)));
        assertEquals("picks " + ids, PlantedDuplicates.OTHER, ids.get(1));

        Map<String, Object> tooLong = SiftRequests.siftRescore(data.query, PlantedDuplicates.DOCS, 5, "sift");
        Map<String, Object> tooLongClause = Json.at(tooLong, "rescore.sift");
        float[] v = new float[dims + 1];
        v[0] = 1;
        tooLongClause.put("query_vector", v);
        EsClient.Response bad = client.post("/limits-4096/_search", tooLong);
        System.out.println("[limits] 4097-dim query vector on a 4096-dim field: " + SiftRequests.brief(bad));
        assertEquals(SiftRequests.brief(bad), 400, bad.status);

        EsClient.Response mapping = client.put("/limits-4097", obj("mappings", obj("properties", obj("emb", obj("type", "dense_vector", "dims", dims + 1)))));
        assertEquals("a 4097-dim field: " + mapping.body, 400, mapping.status);
    }

    @Test
    public void largeWindowsOfLargeVectorsAreServedOrRefusedNeverOom() throws Exception {
        int dims = 1536;
        int window = 10_000;
        String index = "limits-1536";
        Object jvmBefore = ReliabilityConcurrencyIT.jvmStartTimes();
        long heapMax = NodeOps.heapMaxBytes(client);
        // integer components keep the 15 M numbers of this corpus at ~4 bytes each on the wire
        Map<String, Object> emb = obj("type", "dense_vector", "dims", dims, "similarity", "cosine", "index", true, "index_options", obj("type", "flat"));
        ok(client.put("/" + index, obj(
            "settings", obj("number_of_shards", 1, "number_of_replicas", 0, "refresh_interval", "-1"),
            "mappings", obj("_source", obj("excludes", Json.list("emb")), "properties", obj("emb", emb))
        )));
        Random random = new Random(3);
        for (int from = 0; from < window; from += 250) {
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < from + 250; i++) {
                sb.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"").append(i).append("\"}}\n{\"emb\":[");
                for (int d = 0; d < dims; d++) {
                    if (d > 0) sb.append(',');
                    sb.append(random.nextInt(199) - 99);
                }
                sb.append("]}\n");
            }
            EsClient.Response bulk = ok(client.post("/_bulk?filter_path=errors", sb.toString()));
            assertEquals(Boolean.FALSE, bulk.at("errors"));
        }
        ok(client.post("/" + index + "/_refresh", null));
        float[] q = new float[dims];
        for (int d = 0; d < dims; d++) q[d] = random.nextInt(199) - 99;

        long breakerBefore = NodeOps.requestBreakerBytes(client);
        // alone: a small selection is served; selecting the whole window needs K·(K+d) numbers, over the breaker
        List<String> lines = new ArrayList<>();
        for (int select : new int[] { 10, 200, window }) {
            long start = System.nanoTime();
            EsClient.Response r = client.post("/" + index + "/_search", SiftRequests.matchAllSiftRescore(q, window, select, 10));
            lines.add(String.format(Locale.ROOT, "select %d: %s in %.1f s", select, outcome(r), (System.nanoTime() - start) / 1e9));
            assertServedOrRefused(r);
            if (select == 10) assertTrue("a 10-pick selection over 10000 × 1536 must be served: " + SiftRequests.brief(r), SiftRequests.complete(r));
            if (select == window) assertEquals("selecting all 10000 must exceed the request breaker: " + SiftRequests.brief(r), 429, r.status);
        }
        // several at once: each is served or refused; the node survives
        int concurrent = Scale.pick(4, 8);
        ExecutorService pool = Executors.newFixedThreadPool(concurrent);
        try {
            List<Future<EsClient.Response>> futures = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                int select = i % 2 == 0 ? 10 : 200;
                futures.add(pool.submit(() -> client.post("/" + index + "/_search", SiftRequests.matchAllSiftRescore(q, window, select, 10))));
            }
            StringBuilder outcomes = new StringBuilder();
            for (Future<EsClient.Response> f : futures) {
                EsClient.Response r = f.get();
                outcomes.append(outcome(r)).append(' ');
                assertServedOrRefused(r);
            }
            lines.add(concurrent + " at once: " + outcomes.toString().trim());
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(Locale.ROOT, "[limits] window %d × %d dims, node heap %d MiB: %s%n", window, dims, heapMax >> 20, String.join("; ", lines));
        assertEquals("the node restarted (OutOfMemoryError?)", jvmBefore, ReliabilityConcurrencyIT.jvmStartTimes());
        assertStatus(200, client.get("/_cluster/health?wait_for_status=yellow&timeout=30s"));
        long breakerAfter = NodeOps.requestBreakerBytes(client);
        for (int i = 0; i < 50 && breakerAfter > breakerBefore; i++) {
            Thread.sleep(100);
            breakerAfter = NodeOps.requestBreakerBytes(client);
        }
        assertTrue("request breaker: " + breakerBefore + " before, " + breakerAfter + " after", breakerAfter <= breakerBefore);
    }

    private static String outcome(EsClient.Response r) {
        if (SiftRequests.complete(r)) return "200";
        String type = r.at("error.type");
        String cause = r.at("error.root_cause.0.type");
        return r.status + (type == null ? "" : " " + type) + (cause == null || cause.equals(type) ? "" : "/" + cause);
    }

    /** 200 with every shard, or a 429 circuit-breaking refusal; nothing else. */
    private static void assertServedOrRefused(EsClient.Response r) {
        if (SiftRequests.complete(r)) return;
        assertEquals("neither served nor refused by a breaker: " + SiftRequests.brief(r), 429, r.status);
        assertTrue(SiftRequests.brief(r), r.body.contains("circuit_breaking_exception"));
    }
}

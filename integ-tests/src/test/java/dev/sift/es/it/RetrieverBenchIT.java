package dev.sift.es.it;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static dev.sift.testing.TestVectors.add;
import static dev.sift.testing.TestVectors.gaussian;
import static dev.sift.testing.TestVectors.unit;
import static dev.sift.es.it.Json.obj;
import static dev.sift.es.it.SiftNodeTestCase.assertStatus;
import static dev.sift.es.it.SiftNodeTestCase.ok;
import static org.junit.Assert.assertEquals;

/**
 * What the {@code sift} retriever costs on top of its inner {@code knn} retriever, on a real node and a 5-shard
 * index: the same kNN search alone ({@code k} = window, 10 hits) against SIFT over it ({@code rank_window_size} =
 * window, {@code size} 10), interleaved, for windows 100 and 1000. A measurement, not a test: it runs only with
 * {@code -Dsift.bench.retriever=true} and prints a table (also written to {@code target/retriever-bench.md}).
 *
 * <pre>
 * SIFT_ES_HEAP=1g SIFT_NODE_DIR=/var/tmp/sift-retriever-bench mvn -B verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=RetrieverBenchIT -Dsift.bench.retriever=true [-Dsift.bench.docs=20000 -Dsift.bench.dims=384 -Dsift.bench.rounds=60]
 * </pre>
 */
public class RetrieverBenchIT {

    private static final String INDEX = "retriever-bench";
    private static final int DOCS = Integer.getInteger("sift.bench.docs", 20_000);
    private static final int DIMS = Integer.getInteger("sift.bench.dims", 384);
    private static final int ROUNDS = Integer.getInteger("sift.bench.rounds", 60);
    private static final int WARMUP = 15;
    private static final int[] WINDOWS = { 100, 1000 };
    private static final int QUERIES = 32;

    private static EsClient client;

    /**
     * Not a {@link SiftNodeTestCase}: its class rule would start a node before the skip, which costs every test
     * run a node start. The node is started here, once asked, with the same script and helpers.
     */
    @BeforeClass
    public static void onlyWhenAsked() throws Exception {
        Assume.assumeTrue("a measurement: run with -Dsift.bench.retriever=true", Boolean.getBoolean("sift.bench.retriever"));
        client = new EsClient(SiftNodeTestCase.startNodes(1));
    }

    @AfterClass
    public static void deleteIndex() {
        if (client != null) {
            client.delete("/" + INDEX);
        }
    }

    @Test
    public void retrieverCostOverTheKnnRetriever() throws IOException {
        Random random = new Random(2025);
        float[][] centres = new float[200][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = unit(gaussian(random, DIMS, 1f));
        }
        loadCorpus(random, centres);
        float[][] queries = new float[QUERIES][];
        for (int q = 0; q < QUERIES; q++) {
            queries[q] = unit(add(centres[random.nextInt(centres.length)], gaussian(random, DIMS, 0.3f)));
        }

        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%d docs x %d dims (cosine, int8_hnsw), 5 shards, 1 node; ", DOCS, DIMS));
        table.append(String.format(Locale.ROOT, "%d timed rounds per cell after %d warm-up%n%n", ROUNDS, WARMUP));
        table.append("| window | request | median ms | p90 ms | median `took` ms |\n|---:|---|---:|---:|---:|\n");
        for (int window : WINDOWS) {
            long[][] wall = new long[2][ROUNDS];
            long[][] took = new long[2][ROUNDS];
            for (int round = -WARMUP; round < ROUNDS; round++) {
                float[] q = queries[Math.floorMod(round, QUERIES)];
                for (int variant = 0; variant < 2; variant++) { // interleaved, so that drift hits both alike
                    Map<String, Object> knn = obj("knn", obj("field", "emb", "query_vector", q, "k", window, "num_candidates", window * 2));
                    Object retriever = variant == 0
                        ? knn
                        : obj("sift", obj("retriever", knn, "field", "emb", "rank_window_size", window, "size", 10));
                    String body = Json.write(obj("size", 10, "_source", false, "retriever", retriever));
                    long start = System.nanoTime();
                    EsClient.Response r = client.post("/" + INDEX + "/_search", body);
                    long elapsed = System.nanoTime() - start;
                    assertEquals(r.body, 200, r.status);
                    assertEquals(r.body, 10, ((List<?>) r.at("hits.hits")).size());
                    if (round >= 0) {
                        wall[variant][round] = elapsed;
                        took[variant][round] = ((Number) r.at("took")).longValue();
                    }
                }
            }
            for (int variant = 0; variant < 2; variant++) {
                table.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %d |%n", window,
                    variant == 0 ? "knn retriever alone" : "sift over that knn retriever",
                    percentile(wall[variant], 0.5) / 1e6, percentile(wall[variant], 0.9) / 1e6, (long) percentile(took[variant], 0.5)));
            }
        }
        System.out.println(table);
        Path out = Path.of(System.getProperty("sift.root", "."), "target", "retriever-bench.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString(), StandardCharsets.UTF_8);
    }

    private static void loadCorpus(Random random, float[][] centres) {
        Map<String, Object> mappings = obj("properties", obj("emb", obj("type", "dense_vector", "dims", DIMS, "similarity", "cosine")));
        Map<String, Object> settings = obj("number_of_shards", 5, "number_of_replicas", 0);
        assertStatus(200, client.put("/" + INDEX, obj("settings", settings, "mappings", mappings)));
        assertStatus(200, client.get("/_cluster/health/" + INDEX + "?wait_for_status=green&timeout=60s"));
        int batch = 500;
        for (int from = 0; from < DOCS; from += batch) {
            StringBuilder bulk = new StringBuilder();
            for (int i = from; i < Math.min(DOCS, from + batch); i++) {
                float[] v = unit(add(centres[random.nextInt(centres.length)], gaussian(random, DIMS, 0.35f)));
                bulk.append("{\"index\":{\"_index\":\"").append(INDEX).append("\",\"_id\":\"").append(i).append("\"}}\n");
                bulk.append(Json.write(obj("emb", v))).append('\n');
            }
            EsClient.Response r = ok(client.post("/_bulk", bulk.toString()));
            assertEquals("bulk errors", Boolean.FALSE, r.at("errors"));
        }
        ok(client.post("/" + INDEX + "/_refresh", null));
        ok(client.post("/" + INDEX + "/_forcemerge?max_num_segments=1", null));
    }

    private static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }
}

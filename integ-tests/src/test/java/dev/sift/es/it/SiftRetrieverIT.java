package dev.sift.es.it;

import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.SiftSelector;
import dev.sift.engine.kernels.KernelOpsProvider;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.sift.testing.TestVectors.add;
import static dev.sift.testing.TestVectors.gaussian;
import static dev.sift.testing.TestVectors.unit;
import static dev.sift.testing.TestVectors.scale;
import static dev.sift.es.it.Json.list;
import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * The {@code sift} retriever on a real node of the Maven Central distribution (basic license): one selection over
 * the global window of a multi-shard index, equal to the engine's over the same window; planted duplicates
 * spread over the shards, which the per-shard rescore clause returns and the retriever does not; a vector field
 * excluded from {@code _source}; explain; pagination; and a 400 naming the parameter for each bad input.
 */
public class SiftRetrieverIT extends SiftNodeTestCase {

    private static final String INDEX = "retriever";
    private static final String NO_SOURCE = "retriever-no-source";
    private static final int SHARDS = 4;
    private static final int DIMS = 24;
    private static final int GROUPS = 6;

    /** id to vector; {@code g<k>-copy<s>} are identical copies of group k's vector, copy s routed to shard s. */
    private static final Map<String, float[]> VECTORS = new LinkedHashMap<>();
    private static final Map<String, String> ROUTING = new LinkedHashMap<>();
    private static float[] query;

    @BeforeClass
    public static void createIndices() {
        Random random = new Random(4242);
        query = unit(gaussian(random, DIMS, 1f));
        for (int g = 0; g < GROUPS; g++) {
            float[] base = unit(add(query, gaussian(random, DIMS, 0.5f)));
            for (int s = 0; s < SHARDS; s++) {
                VECTORS.put("g" + g + "-copy" + s, base.clone());
            }
        }
        for (int i = 0; i < 60; i++) {
            VECTORS.put("filler-" + i, unit(add(scale(query, 0.3f), gaussian(random, DIMS, 1f))));
        }
        for (String index : List.of(INDEX, NO_SOURCE)) {
            Map<String, Object> mappings = obj(
                "properties",
                obj(
                    "emb",
                    obj("type", "dense_vector", "dims", DIMS, "similarity", "dot_product", "index_options", obj("type", "flat")),
                    "group",
                    obj("type", "keyword")
                )
            );
            if (index.equals(NO_SOURCE)) {
                mappings.put("_source", obj("excludes", list("emb")));
            }
            assertStatus(
                200,
                client.put("/" + index, obj("settings", obj("number_of_shards", SHARDS, "number_of_replicas", 0), "mappings", mappings))
            );
            assertStatus(200, client.get("/_cluster/health/" + index + "?wait_for_status=green&timeout=60s"));
            indexRoutedToShards(index);
        }
    }

    @AfterClass
    public static void deleteIndices() {
        client.delete("/" + INDEX + "," + NO_SOURCE);
    }

    /** Routes copy s of every group to shard s, using _search_shards to find a routing value per shard. */
    private static void indexRoutedToShards(String index) {
        Map<Integer, String> routingForShard = new LinkedHashMap<>();
        for (int r = 0; routingForShard.size() < SHARDS && r < 1000; r++) {
            EsClient.Response shards = assertStatus(200, client.get("/" + index + "/_search_shards?routing=r" + r));
            int shard = Json.<Number>at(shards.json(), "shards.0.0.shard").intValue();
            routingForShard.putIfAbsent(shard, "r" + r);
        }
        assertEquals(SHARDS, routingForShard.size());
        StringBuilder bulk = new StringBuilder();
        for (Map.Entry<String, float[]> doc : VECTORS.entrySet()) {
            String id = doc.getKey();
            Map<String, Object> action = obj("_index", index, "_id", id);
            if (id.startsWith("g")) {
                action.put("routing", routingForShard.get(Integer.parseInt(id.substring(id.indexOf("copy") + 4))));
            }
            bulk.append(Json.write(obj("index", action))).append('\n');
            bulk.append(Json.write(obj("emb", doc.getValue(), "group", group(id)))).append('\n');
        }
        EsClient.Response r = ok(client.post("/_bulk?refresh=true", bulk.toString()));
        assertEquals("bulk errors: " + r.body, Boolean.FALSE, r.at("errors"));
    }

    private static String group(String id) {
        return id.startsWith("g") ? id.substring(0, id.indexOf('-')) : id;
    }

    private static Map<String, Object> knn(int k) {
        return obj("knn", obj("field", "emb", "query_vector", query, "k", k, "num_candidates", Math.max(k, 50)));
    }

    private static Map<String, Object> sift(int window, int size) {
        return obj("retriever", knn(window), "field", "emb", "rank_window_size", window, "size", size);
    }

    private static EsClient.Response search(String index, Map<String, Object> body) {
        return client.post("/" + index + "/_search", body);
    }

    // ------------------------------------------------------------------------------------------ behaviour

    @Test
    public void selectsOnceOverTheGlobalWindowAsTheEngineDoes() {
        for (String index : List.of(INDEX, NO_SOURCE)) {
            // the merged kNN order of the top 40: the window the retriever selects from
            EsClient.Response knn = assertStatus(
                200,
                search(index, obj("size", 40, "knn", obj("field", "emb", "query_vector", query, "k", 40, "num_candidates", 50)))
            );
            List<String> window = SiftRescoreMatrixIT.ids(knn);
            float[] flat = new float[window.size() * DIMS];
            for (int i = 0; i < window.size(); i++) {
                System.arraycopy(VECTORS.get(window.get(i)), 0, flat, i * DIMS, DIMS);
            }
            Selection expected = new SiftSelector(KernelOpsProvider.get().ops()).select(
                new SelectionProblem(flat, query.clone(), DIMS),
                SiftOptions.builder(GROUPS).lambda(0.01).build()
            );
            List<String> expectedIds = new ArrayList<>();
            for (int p : expected.selected()) {
                expectedIds.add(window.get(p));
            }

            EsClient.Response r = assertStatus(200, search(index, obj("retriever", obj("sift", sift(40, GROUPS)))));
            assertEquals(r.body, 0, Json.<Number>at(r.json(), "_shards.failed").intValue());
            assertEquals(r.body, expectedIds, SiftRescoreMatrixIT.ids(r));
            List<Double> scores = SiftRescoreMatrixIT.scores(r);
            for (int i = 1; i < scores.size(); i++) {
                assertTrue(scores.toString(), scores.get(i) < scores.get(i - 1));
            }
            if (index.equals(NO_SOURCE)) {
                Map<String, Object> source = Json.at(r.json(), "hits.hits.0._source");
                assertFalse(r.body, source.containsKey("emb"));
            }
        }
    }

    /**
     * Each group has a copy on every shard. The rescore clause selects per shard, so every shard's first pick is a
     * copy of the same group and the merge returns copies together; the retriever returns six different groups.
     */
    @Test
    public void plantedDuplicatesAcrossShards() {
        EsClient.Response global = assertStatus(200, search(INDEX, obj("retriever", obj("sift", sift(40, GROUPS)))));
        List<String> picked = SiftRescoreMatrixIT.ids(global);
        assertEquals(global.body, GROUPS, picked.size());
        assertEquals(global.body, GROUPS, groups(picked).size());

        Map<String, Object> clause = obj("field", "emb", "query_vector", query, "size", GROUPS, "keep_unselected", false);
        EsClient.Response perShard = assertStatus(
            200,
            search(
                INDEX,
                obj(
                    "size",
                    GROUPS,
                    "knn",
                    obj("field", "emb", "query_vector", query, "k", 40, "num_candidates", 50),
                    "rescore",
                    obj("window_size", 40, "sift", clause)
                )
            )
        );
        List<String> merged = SiftRescoreMatrixIT.ids(perShard);
        assertTrue(perShard.body, groups(merged).size() < merged.size());
        assertNotEquals(merged, picked);
    }

    @Test
    public void explainShowsThePick() {
        EsClient.Response r = assertStatus(200, search(INDEX, obj("explain", true, "retriever", obj("sift", sift(40, 4)))));
        List<Map<String, Object>> hits = r.at("hits.hits");
        assertEquals(r.body, 4, hits.size());
        for (int n = 0; n < hits.size(); n++) {
            String description = Json.at(hits.get(n), "_explanation.description");
            assertTrue(description, description.contains("sift pick " + (n + 1) + " of 4 over the global window"));
            assertTrue(r.body, Json.<String>at(hits.get(n), "_explanation.details.0.description").contains("gain"));
            assertTrue(r.body, Json.<String>at(hits.get(n), "_explanation.details.1.description").contains("posterior variance"));
            assertTrue(r.body, Json.<String>at(hits.get(n), "_explanation.details.2.description").contains("prior variance"));
        }
    }

    @Test
    public void fromAndSizePaginateTheSelection() {
        List<String> all = SiftRescoreMatrixIT.ids(assertStatus(200, search(INDEX, obj("retriever", obj("sift", sift(40, 6))))));
        List<String> pages = new ArrayList<>();
        for (int from = 0; from < 6; from += 4) {
            EsClient.Response page = assertStatus(200, search(INDEX, obj("from", from, "size", 4, "retriever", obj("sift", sift(40, 6)))));
            pages.addAll(SiftRescoreMatrixIT.ids(page));
        }
        assertEquals(all, pages);
    }

    @Test
    public void defaultsAndTheKnnVector() {
        // no size (10 picks), no rank_window_size (100), no query_vector (the knn's)
        EsClient.Response r = assertStatus(200, search(INDEX, obj("retriever", obj("sift", obj("retriever", knn(100), "field", "emb")))));
        assertEquals(r.body, 10, SiftRescoreMatrixIT.ids(r).size());
        EsClient.Response explicit = assertStatus(
            200,
            search(INDEX, obj("retriever", obj("sift", obj("retriever", knn(100), "field", "emb", "query_vector", query))))
        );
        assertEquals(SiftRescoreMatrixIT.ids(explicit), SiftRescoreMatrixIT.ids(r));
    }

    @Test
    public void overAStandardRetriever() {
        Map<String, Object> standard = obj("standard", obj("query", obj("match_all", obj())));
        EsClient.Response r = assertStatus(
            200,
            search(
                INDEX,
                obj(
                    "retriever",
                    obj("sift", obj("retriever", standard, "field", "emb", "query_vector", query, "rank_window_size", 200, "size", 6))
                )
            )
        );
        assertEquals(r.body, GROUPS, groups(SiftRescoreMatrixIT.ids(r)).size());
    }

    /** {@code order: relevance}: the same selected hits, listed in the merged kNN order, scores still decreasing. */
    @Test
    public void relevanceOrderListsTheSelectionInKnnOrder() {
        List<String> knnOrder = SiftRescoreMatrixIT.ids(assertStatus(200, search(INDEX, obj("size", 40, "knn", knn(40).get("knn")))));
        List<String> selected = SiftRescoreMatrixIT.ids(assertStatus(200, search(INDEX, obj("retriever", obj("sift", sift(40, GROUPS))))));
        Map<String, Object> relevance = sift(40, GROUPS);
        relevance.put("order", "relevance");
        EsClient.Response r = assertStatus(200, search(INDEX, obj("explain", true, "retriever", obj("sift", relevance))));
        List<String> listed = SiftRescoreMatrixIT.ids(r);
        List<String> expected = new ArrayList<>(knnOrder);
        expected.retainAll(selected);
        assertEquals(r.body, expected, listed);
        List<Double> scores = SiftRescoreMatrixIT.scores(r);
        for (int i = 1; i < scores.size(); i++) {
            assertTrue(scores.toString(), scores.get(i) < scores.get(i - 1));
        }
        String description = Json.at(r.json(), "hits.hits.0._explanation.description");
        assertTrue(description, description.contains("listed 1 in relevance order"));
        assertTrue(description, description.contains("pick " + (selected.indexOf(listed.get(0)) + 1) + " of " + GROUPS));
    }

    /** A nested {@code sift} whose inner one selects nothing answers 200 with no hits, as a single {@code sift} does. */
    @Test
    public void nestedOverAnEmptySelectionHasNoHits() {
        Map<String, Object> nothing = obj("standard", obj("query", obj("match_none", obj())));
        Map<String, Object> noVectors = obj("standard", obj("query", obj("term", obj("group", "no-such-group"))));
        for (Map<String, Object> innermost : List.of(nothing, noVectors)) {
            Map<String, Object> inner = obj("sift", obj("retriever", innermost, "field", "emb", "query_vector", query));
            Map<String, Object> outer = obj("sift", obj("retriever", inner, "field", "emb", "query_vector", query));
            EsClient.Response r = assertStatus(200, search(INDEX, obj("retriever", outer)));
            assertEquals(r.body, List.of(), SiftRescoreMatrixIT.ids(r));
        }
        // the same over a window whose hits have no vector: an index with the field mapped but never set
        String index = "retriever-no-vectors";
        assertStatus(
            200,
            client.put("/" + index, obj("mappings", obj("properties", obj("emb", obj("type", "dense_vector", "dims", DIMS), "group", obj("type", "keyword")))))
        );
        ok(client.post("/" + index + "/_doc?refresh=true", obj("group", "a")));
        Map<String, Object> all = obj("standard", obj("query", obj("match_all", obj())));
        Map<String, Object> inner = obj("sift", obj("retriever", all, "field", "emb", "query_vector", query));
        EsClient.Response r = assertStatus(200, search(index, obj("retriever", obj("sift", obj("retriever", inner, "field", "emb", "query_vector", query)))));
        assertEquals(r.body, List.of(), SiftRescoreMatrixIT.ids(r));
    }

    // ------------------------------------------------------------------------------------------ 400s

    /** A window above {@code index.max_result_window} is refused naming the parameter, the limit and the setting. */
    @Test
    public void windowAboveTheResultWindowNamesTheSetting() {
        for (int window : new int[] { 10_001, Integer.MAX_VALUE }) {
            EsClient.Response r = search(INDEX, obj("retriever", obj("sift", obj("retriever", knn(40), "field", "emb", "rank_window_size", window))));
            assertEquals(r.body, 400, r.status);
            for (String part : List.of("[rank_window_size] is [" + window + "]", "[index.max_result_window]", "(10000)")) {
                assertTrue(part + " in " + r.body, r.body.contains(part));
            }
        }
        assertStatus(200, search(INDEX, obj("retriever", obj("sift", sift(40, 3)))));
    }

    @Test
    public void badInputIsA400NamingTheParameter() {
        String knn = Json.write(knn(40));
        String v = Json.write(query);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("\"field\":\"emb\"", "retriever");
        cases.put("\"retriever\":" + knn, "field");
        cases.put("\"retriever\":" + knn + ",\"field\":\"missing\"", "[field] [missing] does not exist");
        cases.put("\"retriever\":" + knn + ",\"field\":\"group\"", "[field] [group] must be a [dense_vector] field");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"query_vector\":[1,2,3]", "[query_vector] has 3 dimensions");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"query_vectors\":[[1,2],[3,4]]", "[query_vectors] has 2 dimensions");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"query_vector\":[]", "query_vector");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"query_vector\":" + v + ",\"query_vectors\":[" + v + "]", "query_vector");
        cases.put("\"retriever\":{\"standard\":{\"query\":{\"match_all\":{}}}},\"field\":\"emb\"", "query_vector");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"rank_window_size\":0", "rank_window_size");
        cases.put(
            "\"retriever\":" + knn + ",\"field\":\"emb\",\"rank_window_size\":40,\"size\":400",
            "[size] must be at most [rank_window_size]"
        );
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"size\":0", "size");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"lambda\":0", "lambda");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"method\":\"best\"", "method");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"mmr_lambda\":2", "mmr_lambda");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"alpha\":-1", "alpha");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"min_gain\":-1", "min_gain");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"target_variance\":5", "target_variance");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"bogus\":1", "bogus");
        cases.put("\"retriever\":" + knn + ",\"field\":\"emb\",\"order\":\"score\"", "[order] must be one of [selection, relevance]");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            EsClient.Response r = client.post("/" + INDEX + "/_search", "{\"retriever\":{\"sift\":{" + c.getKey() + "}}}");
            assertEquals(c.getKey() + " -> " + r.body, 400, r.status);
            assertTrue(c.getKey() + " -> " + r.body, r.body.contains(c.getValue()));
        }
        // the search size may not exceed the window (Elasticsearch's own check for compound retrievers)
        String tooMany = "{\"size\":50,\"retriever\":{\"sift\":{\"retriever\":" + knn + ",\"field\":\"emb\",\"rank_window_size\":40}}}";
        EsClient.Response r = client.post("/" + INDEX + "/_search", tooMany);
        assertEquals(r.body, 400, r.status);
        assertTrue(r.body, r.body.contains("rank_window_size"));
        // and the node still serves
        assertStatus(200, search(INDEX, obj("retriever", obj("sift", sift(40, 3)))));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Set<String> groups(List<String> ids) {
        Set<String> out = new HashSet<>();
        for (String id : ids) {
            out.add(group(id));
        }
        return out;
    }
}

package dev.sift.es.it;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sift.es.it.Json.list;
import static dev.sift.es.it.Json.obj;
import static dev.sift.es.it.SiftRescoreMatrixIT.ids;
import static dev.sift.es.it.SiftRescoreMatrixIT.scores;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/** The optional parameters of the {@code sift} clause: query_vectors, method, stopping rules, keep_unselected, shards. */
public class SiftRescoreOptionsIT extends SiftNodeTestCase {

    private static final String INDEX = "options";
    private static final int DIMS = 64;
    private static PlantedDuplicates data;

    @BeforeClass
    public static void createIndexWithDocs() {
        data = new PlantedDuplicates(DIMS, false, 11);
        assertStatus(200, createIndex(INDEX, mappings()));
        bulkIndex(INDEX, data.docs("emb"));
    }

    private static Map<String, Object> mappings() {
        return obj(
            "properties",
            obj(
                "emb",
                obj("type", "dense_vector", "dims", DIMS, "similarity", "cosine", "index_options", obj("type", "hnsw")),
                "group",
                obj("type", "keyword")
            )
        );
    }

    @AfterClass
    public static void deleteIndex() {
        client.delete("/" + INDEX);
    }

    private static Map<String, Object> knn() {
        return obj("field", "emb", "query_vector", data.query, "k", PlantedDuplicates.DOCS, "num_candidates", 100);
    }

    /** kNN first pass + a sift clause with the given extra parameters (field and query_vector added unless given). */
    private static EsClient.Response search(String index, int size, Map<String, Object> sift, boolean explain) {
        Map<String, Object> clause = new LinkedHashMap<>();
        clause.put("field", "emb");
        if (sift.containsKey("query_vectors") == false) clause.put("query_vector", data.query);
        clause.putAll(sift);
        Map<String, Object> body = obj("size", size, "knn", knn(), "rescore", obj("window_size", PlantedDuplicates.DOCS, "sift", clause));
        if (explain) body.put("explain", true);
        return assertStatus(200, client.post("/" + index + "/_search", body));
    }

    private static List<String> knnIds(int size) {
        return ids(assertStatus(200, client.post("/" + INDEX + "/_search", obj("size", size, "knn", knn()))));
    }

    private static long selectedCount(List<Double> scores) {
        // selected hits score at least 1, the hits that follow them less than 1 (SelectionScores)
        return scores.stream().filter(s -> s >= 1.0).count();
    }

    @Test
    public void nearestKeepsTheKnnOrder() {
        List<String> nearest = ids(search(INDEX, 10, obj("method", "nearest", "size", 5), false));
        assertEquals(knnIds(10).subList(0, 5), nearest.subList(0, 5));
        assertTrue(nearest.toString(), PlantedDuplicates.DUPLICATES.contains(nearest.get(1)));
    }

    @Test
    public void mmrSkipsTheDuplicate() {
        EsClient.Response r = search(INDEX, 10, obj("method", "mmr", "mmr_lambda", 0.5, "size", 5), false);
        List<String> ids = ids(r);
        assertTrue(ids.toString(), PlantedDuplicates.DUPLICATES.contains(ids.get(0)));
        assertEquals(ids.toString(), PlantedDuplicates.OTHER, ids.get(1));
        List<Double> scores = scores(r);
        for (int i = 1; i < 5; i++) assertTrue(scores.toString(), scores.get(i) < scores.get(i - 1));
    }

    @Test
    public void siftSkipsTheDuplicate() {
        List<String> ids = ids(search(INDEX, 10, obj("method", "sift", "lambda", 0.01, "size", 5), false));
        assertTrue(ids.toString(), PlantedDuplicates.DUPLICATES.contains(ids.get(0)));
        assertEquals(ids.toString(), PlantedDuplicates.OTHER, ids.get(1));
    }

    @Test
    public void largeLambdaMovesTowardsNearestNeighbourOrder() {
        List<String> ids = ids(search(INDEX, 10, obj("lambda", 1000.0, "size", 5), false));
        assertEquals(knnIds(10).subList(0, 3), ids.subList(0, 3));
    }

    @Test
    public void identicalQueryVectorsActLikeOne() {
        List<String> one = ids(search(INDEX, 10, obj("size", 5), false));
        List<String> two = ids(search(INDEX, 10, obj("query_vectors", list(data.query, data.query), "size", 5), false));
        assertEquals(one.subList(0, 5), two.subList(0, 5));
    }

    @Test
    public void secondQueryVectorPullsItsDocumentIn() {
        float[] target = data.vectors.get("rnd-5");
        List<String> ids = ids(search(INDEX, 10, obj("query_vectors", list(data.query, target), "size", 5), false));
        assertTrue("rnd-5 should be among the first picks: " + ids, ids.subList(0, 3).contains("rnd-5"));
    }

    @Test
    public void minGainStopsEarly() {
        // the first pick removes ~80% of the prior variance, the next one ~19%
        List<Double> scores = scores(search(INDEX, 10, obj("size", 5, "min_gain", 0.5), false));
        assertEquals(scores.toString(), 1, selectedCount(scores));
        assertEquals(10, scores.size());
    }

    @Test
    public void targetVarianceStopsEarly() {
        List<Double> scores = scores(search(INDEX, 10, obj("size", 5, "target_variance", 0.5), false));
        assertEquals(scores.toString(), 1, selectedCount(scores));
    }

    @Test
    public void alphaIsAccepted() {
        EsClient.Response r = search(INDEX, 10, obj("size", 5, "alpha", 1.0), false);
        List<Double> scores = scores(r);
        assertEquals(r.body, 10, scores.size());
        assertTrue(scores.toString(), selectedCount(scores) <= 5);
    }

    @Test
    public void keepUnselectedFalseReturnsOnlyTheSelection() {
        EsClient.Response r = search(INDEX, 10, obj("size", 5, "keep_unselected", false), false);
        List<String> ids = ids(r);
        assertEquals(r.body, 5, ids.size());
        assertFalse(ids.toString(), PlantedDuplicates.DUPLICATES.contains(ids.get(1)));
    }

    /**
     * A window in which no hit has a vector: nothing to select from, and a rescorer may not return zero hits, so
     * the window comes back as it came in (order and scores), even with {@code keep_unselected: false}.
     */
    @Test
    public void windowWithoutVectorsComesBackUnchanged() {
        String index = "options-no-vectors";
        assertStatus(200, createIndex(index, mappings()));
        Map<String, Map<String, Object>> docs = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) docs.put("text-" + i, obj("group", "g" + (i % 2)));
        bulkIndex(index, docs);
        Map<String, Object> query = obj("match", obj("group", "g0"));
        Map<String, Object> plainBody = obj("size", 5, "query", query);
        EsClient.Response plain = assertStatus(200, client.post("/" + index + "/_search", plainBody));
        Map<String, Object> clause = obj("field", "emb", "query_vector", data.query, "keep_unselected", false, "size", 1);
        Map<String, Object> siftBody = obj("size", 5, "query", query, "rescore", obj("window_size", 5, "sift", clause));
        EsClient.Response sift = assertStatus(200, client.post("/" + index + "/_search", siftBody));
        assertEquals(sift.body, 3, ids(sift).size());
        assertEquals(ids(plain), ids(sift));
        assertEquals(scores(plain), scores(sift));
    }

    @Test
    public void sizeLargerThanTheWindowSelectsTheWholeWindow() {
        List<Double> scores = scores(search(INDEX, 10, obj("size", 500), false));
        assertEquals(10, scores.size());
        for (int i = 1; i < scores.size(); i++) assertTrue(scores.toString(), scores.get(i) < scores.get(i - 1));
    }

    @Test
    public void defaultSizeWorks() {
        EsClient.Response r = search(INDEX, 10, obj(), false);
        assertEquals(r.body, 10, ids(r).size());
    }

    @Test
    public void explainDescribesEveryHit() {
        EsClient.Response r = search(INDEX, 10, obj("size", 5), true);
        List<Map<String, Object>> hits = r.at("hits.hits");
        for (int i = 0; i < hits.size(); i++) {
            String description = Json.at(hits.get(i), "_explanation.description");
            assertNotNull(r.body, description);
            if (i < 5) assertTrue(description, description.contains("pick " + (i + 1)));
        }
    }

    @Test
    public void severalShardsOnOneNode() {
        String index = "options-3-shards";
        assertStatus(
            200,
            client.put(
                "/" + index,
                obj("settings", obj("number_of_shards", 3, "number_of_replicas", 0), "mappings", mappings())
            )
        );
        try {
            bulkIndex(index, data.docs("emb"));
            EsClient.Response r = search(index, 10, obj("size", 5), true);
            List<Map<String, Object>> hits = r.at("hits.hits");
            assertEquals(r.body, 10, hits.size());
            for (Map<String, Object> hit : hits) assertNotNull(r.body, Json.at(hit, "_explanation.description"));
            List<Double> scores = scores(r);
            for (int i = 1; i < scores.size(); i++) assertTrue(scores.toString(), scores.get(i) <= scores.get(i - 1));
        } finally {
            client.delete("/" + index);
        }
    }
}

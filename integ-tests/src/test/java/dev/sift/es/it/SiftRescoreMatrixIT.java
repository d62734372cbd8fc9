package dev.sift.es.it;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * The {@code sift} rescore clause on every similarity × index type × element type: kNN returns the planted
 * duplicate second, SIFT does not; selected hits come first with strictly decreasing scores; explain works.
 */
@RunWith(Parameterized.class)
public class SiftRescoreMatrixIT extends SiftNodeTestCase {

    static final String[] SIMILARITIES = { "cosine", "dot_product", "max_inner_product", "l2_norm" };
    static final String[] FLOAT_TYPES = { "hnsw", "int8_hnsw", "int4_hnsw", "flat", "int8_flat", "int4_flat", "bbq_hnsw", "bbq_flat" };
    static final String[] BYTE_TYPES = { "hnsw", "flat" };
    /** Stands for {@code index: false} (no index_options). */
    static final String NOT_INDEXED = "index_false";
    static final String NO_SIMILARITY = "none";
    static final int DIMS = 64; // bbq needs at least 64
    static final int SIFT_SIZE = 5;

    @Parameterized.Parameters(name = "{0}/{1}/{2}")
    public static List<Object[]> cases() {
        List<Object[]> cases = new ArrayList<>();
        for (String similarity : SIMILARITIES) {
            for (String type : FLOAT_TYPES) cases.add(new Object[] { "float", similarity, type });
            for (String type : BYTE_TYPES) cases.add(new Object[] { "byte", similarity, type });
        }
        // an unindexed field has no similarity (Elasticsearch refuses one); SIFT uses the raw inner product
        cases.add(new Object[] { "float", NO_SIMILARITY, NOT_INDEXED });
        cases.add(new Object[] { "byte", NO_SIMILARITY, NOT_INDEXED });
        return cases;
    }

    private final String elementType;
    private final String similarity;
    private final String indexType;

    public SiftRescoreMatrixIT(String elementType, String similarity, String indexType) {
        this.elementType = elementType;
        this.similarity = similarity;
        this.indexType = indexType;
    }

    @Test
    public void siftSkipsThePlantedDuplicate() {
        String index = ("m-" + elementType + "-" + similarity + "-" + indexType).toLowerCase(Locale.ROOT).replace('_', '-');
        PlantedDuplicates data = new PlantedDuplicates(DIMS, "byte".equals(elementType), 42);
        boolean indexed = NOT_INDEXED.equals(indexType) == false;

        Map<String, Object> emb = obj("type", "dense_vector", "dims", DIMS, "element_type", elementType);
        if (NO_SIMILARITY.equals(similarity) == false) emb.put("similarity", similarity);
        if (indexed) {
            emb.put("index", true);
            emb.put("index_options", obj("type", indexType));
        } else {
            emb.put("index", false);
        }
        assertStatus(200, createIndex(index, obj("properties", obj("emb", emb, "group", obj("type", "keyword")))));
        try {
            bulkIndex(index, data.docs("emb"));

            // first pass: kNN when the field is indexed, all documents otherwise (unindexed vectors cannot be searched)
            Map<String, Object> firstPass = indexed
                ? obj("knn", obj("field", "emb", "query_vector", data.jsonQuery(), "k", PlantedDuplicates.DOCS, "num_candidates", 100))
                : obj("query", obj("match_all", obj()));

            if (indexed) {
                Map<String, Object> knn = new java.util.LinkedHashMap<>(firstPass);
                knn.put("size", 10);
                List<String> knnIds = ids(assertStatus(200, client.post("/" + index + "/_search", knn)));
                assertTrue("kNN top hit should be a duplicate: " + knnIds, PlantedDuplicates.DUPLICATES.contains(knnIds.get(0)));
                assertTrue("kNN should return the duplicate second: " + knnIds, PlantedDuplicates.DUPLICATES.contains(knnIds.get(1)));
            }

            Map<String, Object> search = new java.util.LinkedHashMap<>(firstPass);
            search.put("size", 10);
            search.put("explain", true);
            search.put(
                "rescore",
                obj(
                    "window_size",
                    PlantedDuplicates.DOCS,
                    "sift",
                    obj("field", "emb", "query_vector", data.jsonQuery(), "lambda", 0.01, "size", SIFT_SIZE, "keep_unselected", true)
                )
            );
            EsClient.Response r = assertStatus(200, client.post("/" + index + "/_search", search));
            List<String> siftIds = ids(r);
            List<Double> scores = scores(r);
            assertEquals(r.body, 10, siftIds.size());
            assertTrue("SIFT's first pick should be a duplicate: " + siftIds, PlantedDuplicates.DUPLICATES.contains(siftIds.get(0)));
            assertFalse("SIFT must not return the duplicate second: " + siftIds, PlantedDuplicates.DUPLICATES.contains(siftIds.get(1)));
            assertEquals("SIFT's second pick should be the complementary doc: " + siftIds, PlantedDuplicates.OTHER, siftIds.get(1));
            for (int i = 1; i < SIFT_SIZE; i++) {
                assertTrue("selected scores must strictly decrease: " + scores, scores.get(i) < scores.get(i - 1));
            }
            assertTrue("selected hits must score above unselected ones: " + scores, scores.get(SIFT_SIZE) < scores.get(SIFT_SIZE - 1));
            for (int i = SIFT_SIZE + 1; i < scores.size(); i++) {
                assertTrue("scores must not increase: " + scores, scores.get(i) <= scores.get(i - 1));
            }
            // explain: the first hit's explanation names the pick
            String description = Json.at(r.json(), "hits.hits.0._explanation.description");
            assertNotNull("no explanation: " + r.body, description);
            assertTrue(description, description.contains("pick 1"));
        } finally {
            client.delete("/" + index);
        }
    }

    static List<String> ids(EsClient.Response r) {
        List<Map<String, Object>> hits = r.at("hits.hits");
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> hit : hits) ids.add((String) hit.get("_id"));
        return ids;
    }

    static List<Double> scores(EsClient.Response r) {
        List<Map<String, Object>> hits = r.at("hits.hits");
        List<Double> scores = new ArrayList<>();
        for (Map<String, Object> hit : hits) scores.add(((Number) hit.get("_score")).doubleValue());
        return scores;
    }
}

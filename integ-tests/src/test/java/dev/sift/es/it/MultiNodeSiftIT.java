package dev.sift.es.it;

import org.junit.Test;

import java.util.List;
import java.util.Map;

import static dev.sift.es.it.Json.obj;
import static dev.sift.es.it.SiftRescoreMatrixIT.ids;
import static dev.sift.es.it.SiftRescoreMatrixIT.scores;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * The clause on a three-node cluster: the rescorer builder travels between nodes (transport serialisation), each
 * shard selects from its own window, explain works when the fetch runs apart from the query phase.
 */
@SiftNodeTestCase.Nodes(3)
public class MultiNodeSiftIT extends SiftNodeTestCase {

    @Test
    public void everyNodeHasThePlugin() {
        EsClient.Response r = assertStatus(200, client.get("/_cat/plugins?h=name,component"));
        long nodes = r.body.lines().filter(l -> l.trim().endsWith(" sift")).count();
        assertEquals(r.body, 3, nodes);
    }

    @Test
    public void siftAcrossShardsAndNodes() {
        String index = "multi-node";
        PlantedDuplicates data = new PlantedDuplicates(64, false, 5);
        Map<String, Object> mappings = obj(
            "properties",
            obj("emb", obj("type", "dense_vector", "dims", 64, "similarity", "cosine", "index_options", obj("type", "int8_hnsw")))
        );
        assertStatus(
            200,
            client.put("/" + index, obj("settings", obj("number_of_shards", 3, "number_of_replicas", 1), "mappings", mappings))
        );
        assertStatus(200, client.get("/_cluster/health/" + index + "?wait_for_status=green&timeout=60s"));
        try {
            bulkIndex(index, data.docs("emb"));
            // one shard only: the planted behaviour must hold exactly as on one node
            Map<String, Object> sift = obj("field", "emb", "query_vector", data.query, "lambda", 0.01, "size", 5);
            Map<String, Object> body = obj(
                "size",
                10,
                "explain",
                true,
                "knn",
                obj("field", "emb", "query_vector", data.query, "k", 30, "num_candidates", 100),
                "rescore",
                obj("window_size", 30, "sift", sift)
            );
            for (String preference : new String[] { "_local", "custom-string", "" }) {
                String path = "/" + index + "/_search" + (preference.isEmpty() ? "" : "?preference=" + preference);
                EsClient.Response r = assertStatus(200, client.post(path, body));
                List<Map<String, Object>> hits = r.at("hits.hits");
                assertEquals(r.body, 10, hits.size());
                for (Map<String, Object> hit : hits) assertNotNull(r.body, Json.at(hit, "_explanation.description"));
                List<Double> scores = scores(r);
                for (int i = 1; i < scores.size(); i++) assertTrue(scores.toString(), scores.get(i) <= scores.get(i - 1));
                assertEquals(r.body, 0, Json.<Number>at(r.json(), "_shards.failed").intValue());
            }
            // routed to one shard, SIFT sees the whole planted group and skips the duplicate
            client.delete("/" + index);
            assertStatus(
                200,
                client.put("/" + index, obj("settings", obj("number_of_shards", 1, "number_of_replicas", 2), "mappings", mappings))
            );
            assertStatus(200, client.get("/_cluster/health/" + index + "?wait_for_status=green&timeout=60s"));
            bulkIndex(index, data.docs("emb"));
            for (int round = 0; round < 3; round++) { // round-robin over the copies on the three nodes
                EsClient.Response r = assertStatus(200, client.post("/" + index + "/_search", body));
                List<String> ids = ids(r);
                assertTrue(ids.toString(), PlantedDuplicates.DUPLICATES.contains(ids.get(0)));
                assertFalse(ids.toString(), PlantedDuplicates.DUPLICATES.contains(ids.get(1)));
                String description = Json.at(r.json(), "hits.hits.0._explanation.description");
                assertTrue(description, description.contains("pick 1"));
            }
        } finally {
            client.delete("/" + index);
        }
    }
}

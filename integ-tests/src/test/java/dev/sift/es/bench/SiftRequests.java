package dev.sift.es.bench;

import dev.sift.es.it.EsClient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sift.es.it.Json.obj;

/** Search bodies of the REST contract, as maps, for the reliability tests (field {@code emb}). */
public final class SiftRequests {

    private SiftRequests() {}

    public static Map<String, Object> knn(float[] vector, int k) {
        return obj("field", "emb", "query_vector", vector, "k", k, "num_candidates", Math.min(10_000, Math.max(k, 2 * k)));
    }

    /** kNN alone, {@code size} hits. */
    public static Map<String, Object> knnSearch(float[] vector, int k, int size) {
        return obj("size", size, "_source", false, "knn", knn(vector, k));
    }

    /** kNN + {@code sift} rescore over a window of {@code k}, selecting {@code size} ({@code method} sift/nearest/mmr). */
    public static Map<String, Object> siftRescore(float[] vector, int k, int size, String method) {
        Map<String, Object> body = knnSearch(vector, k, size);
        body.put("rescore", obj("window_size", k, "sift", siftClause(vector, size, method)));
        return body;
    }

    public static Map<String, Object> siftClause(float[] vector, int size, String method) {
        return obj("field", "emb", "query_vector", vector, "lambda", 0.01, "size", size, "keep_unselected", true, "method", method);
    }

    /** Any query + {@code sift} rescore: for windows that kNN would make expensive to reach (match_all first pass). */
    public static Map<String, Object> matchAllSiftRescore(float[] vector, int window, int siftSize, int size) {
        return obj(
            "size",
            size,
            "_source",
            false,
            "query",
            obj("match_all", obj()),
            "rescore",
            obj("window_size", window, "sift", siftClause(vector, siftSize, "sift"))
        );
    }

    /** The {@code sift} retriever over a kNN retriever of {@code k}. */
    public static Map<String, Object> retriever(float[] vector, int k, int size) {
        return obj(
            "size",
            size,
            "_source",
            false,
            "retriever",
            obj(
                "sift",
                obj("retriever", obj("knn", knn(vector, k)), "field", "emb", "query_vector", vector, "rank_window_size", k, "size", size)
            )
        );
    }

    /** Whether the node knows the {@code sift} retriever (it is absent from builds that predate it). */
    public static boolean retrieverAvailable(EsClient client, String index, float[] vector) {
        EsClient.Response r = client.post("/" + index + "/_search", retriever(vector, 10, 3));
        if (r.status == 200) return true;
        System.out.println("[it] the sift retriever is not available, its cases are skipped: " + r);
        return false;
    }

    /** A deep copy of a JSON-like tree (maps, lists, float[] become lists), for mutating. */
    @SuppressWarnings("unchecked")
    public static Object copy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put((String) e.getKey(), copy(e.getValue()));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(copy(o));
            return out;
        }
        if (v instanceof float[] a) {
            List<Object> out = new ArrayList<>();
            for (float f : a) out.add((double) f);
            return out;
        }
        return v;
    }

    /** Hit ids of a search response, in order. */
    public static List<String> ids(EsClient.Response r) {
        List<Map<String, Object>> hits = r.at("hits.hits");
        List<String> ids = new ArrayList<>();
        if (hits != null) for (Map<String, Object> hit : hits) ids.add((String) hit.get("_id"));
        return ids;
    }

    /** Whether the response is a 200 with every shard answering and no timeout. */
    public static boolean complete(EsClient.Response r) {
        if (r.status != 200) return false;
        Number failed = r.at("_shards.failed");
        return failed != null && failed.intValue() == 0 && Boolean.TRUE.equals(r.at("timed_out")) == false;
    }

    /** A short description of a response, for failure messages. */
    public static String brief(EsClient.Response r) {
        String body = r.body == null ? "" : r.body;
        return r.status + " " + body.substring(0, Math.min(600, body.length()));
    }
}

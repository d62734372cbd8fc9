package dev.sift.es.bench;

import dev.sift.es.it.EsClient;
import dev.sift.es.it.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sift.es.it.Json.obj;

/**
 * Node-level chores shared by the end-to-end benchmark and the reliability tests: loading a
 * {@link SyntheticCorpus}, force-merging without holding an HTTP request open for minutes, and reading the
 * breaker and heap figures from {@code _nodes/stats}.
 */
public final class NodeOps {

    private NodeOps() {}

    /** Fails with the response in the message unless the status is 2xx. */
    public static EsClient.Response ok(EsClient.Response r, String what) {
        if (r.status < 200 || r.status >= 300) {
            throw new IllegalStateException(what + " failed: " + r);
        }
        return r;
    }

    /** The mapping of a corpus index: {@code emb} (cosine) with the given index options and {@code group}. */
    public static Map<String, Object> corpusMappings(int dims, Map<String, Object> indexOptions, boolean vectorsInSource) {
        Map<String, Object> emb = obj("type", "dense_vector", "dims", dims, "similarity", "cosine");
        if (indexOptions == null) {
            emb.put("index", false);
        } else {
            emb.put("index", true);
            emb.put("index_options", indexOptions);
        }
        Map<String, Object> mappings = obj("properties", obj("emb", emb, "group", obj("type", "integer")));
        if (vectorsInSource == false) {
            // the vectors are not needed in responses; leaving them out of _source halves the index
            mappings.put("_source", obj("excludes", Json.list("emb")));
        }
        return mappings;
    }

    /**
     * Creates {@code index} (replicas 0, refresh off while loading), bulk-loads docs {@code [0, corpus.docs)} with
     * {@code threads} clients of {@code docsPerBulk} docs each, then refreshes and force-merges to one segment.
     *
     * @param log progress lines, or null
     */
    public static void loadCorpus(
        EsClient client,
        String index,
        SyntheticCorpus corpus,
        int shards,
        Map<String, Object> mappings,
        int docsPerBulk,
        int threads,
        boolean forceMerge,
        java.util.function.Consumer<String> log
    ) throws Exception {
        ok(
            client.put(
                "/" + index,
                obj(
                    "settings",
                    obj("number_of_shards", shards, "number_of_replicas", 0, "refresh_interval", "-1"),
                    "mappings",
                    mappings
                )
            ),
            "create index " + index
        );
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    int from;
                    while ((from = next.getAndAdd(docsPerBulk)) < corpus.docs) {
                        int to = Math.min(corpus.docs, from + docsPerBulk);
                        String body = corpus.bulkBody(index, from, to, 5);
                        EsClient.Response r = ok(client.post("/_bulk?filter_path=errors,items.*.error", body), "bulk");
                        if (Boolean.TRUE.equals(r.at("errors"))) {
                            throw new IllegalStateException("bulk errors: " + r.body.substring(0, Math.min(2000, r.body.length())));
                        }
                        int total = done.addAndGet(to - from);
                        if (log != null && (total / docsPerBulk) % 20 == 0) {
                            log.accept(String.format(java.util.Locale.ROOT, "indexed %,d / %,d docs (%.0f s)", total, corpus.docs, seconds(start)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (log != null) log.accept(String.format(java.util.Locale.ROOT, "indexed %,d docs in %.0f s", corpus.docs, seconds(start)));
        ok(client.put("/" + index + "/_settings", obj("index", obj("refresh_interval", "1s"))), "settings");
        ok(client.post("/" + index + "/_refresh", null), "refresh");
        if (forceMerge) {
            long mergeStart = System.nanoTime();
            forceMerge(client, index, 1, 3600);
            if (log != null) log.accept(String.format(java.util.Locale.ROOT, "force-merged to 1 segment in %.0f s", seconds(mergeStart)));
        }
        ok(client.post("/" + index + "/_refresh", null), "refresh");
    }

    /** Force-merges as a background task and waits for it (an HTTP request held open for minutes times out). */
    public static void forceMerge(EsClient client, String index, int segments, int timeoutSeconds) throws InterruptedException {
        EsClient.Response r = ok(
            client.post("/" + index + "/_forcemerge?max_num_segments=" + segments + "&wait_for_completion=false", null),
            "force merge"
        );
        String task = r.at("task");
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            EsClient.Response t = client.get("/_tasks/" + task);
            if (t.status == 200 && Boolean.TRUE.equals(t.at("completed"))) {
                if (t.at("error") != null) throw new IllegalStateException("force merge failed: " + t.body);
                client.delete("/.tasks/_doc/" + task); // the stored result, if any
                return;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("force merge of " + index + " did not finish in " + timeoutSeconds + " s");
    }

    /** Doc count after a refresh. */
    public static long count(EsClient client, String index) {
        ok(client.post("/" + index + "/_refresh", null), "refresh");
        EsClient.Response r = ok(client.get("/" + index + "/_count"), "count");
        return ((Number) r.at("count")).longValue();
    }

    /** Sum over nodes of the request circuit breaker's estimated size, in bytes. */
    public static long requestBreakerBytes(EsClient client) {
        return sumOverNodes(client, "/_nodes/stats/breaker", "breakers.request.estimated_size_in_bytes");
    }

    /** Sum over nodes of how often the named breaker tripped. */
    public static long breakerTrips(EsClient client, String breaker) {
        return sumOverNodes(client, "/_nodes/stats/breaker", "breakers." + breaker + ".tripped");
    }

    /** Sum over nodes of the heap in use, in bytes. */
    public static long heapUsedBytes(EsClient client) {
        return sumOverNodes(client, "/_nodes/stats/jvm", "jvm.mem.heap_used_in_bytes");
    }

    /** Sum over nodes of the old generation in use, in bytes. */
    public static long oldGenUsedBytes(EsClient client) {
        return sumOverNodes(client, "/_nodes/stats/jvm", "jvm.mem.pools.old.used_in_bytes");
    }

    /** Sum over nodes of the maximum heap, in bytes. */
    public static long heapMaxBytes(EsClient client) {
        return sumOverNodes(client, "/_nodes/stats/jvm", "jvm.mem.heap_max_in_bytes");
    }

    /** {@code _nodes/stats/<metric>}'s per-node objects, by node id. */
    public static Map<String, Object> nodes(EsClient client, String metric) {
        return ok(client.get("/_nodes/stats/" + metric), "node stats").at("nodes");
    }

    private static long sumOverNodes(EsClient client, String path, String field) {
        Map<String, Object> nodes = nodes(client, path.substring(path.lastIndexOf('/') + 1));
        long sum = 0;
        for (Object node : nodes.values()) {
            Object v = Json.at(node, field);
            if (v instanceof Number n) sum += n.longValue();
        }
        return sum;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}

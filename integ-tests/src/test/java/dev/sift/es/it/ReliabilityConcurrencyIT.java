package dev.sift.es.it;

import dev.sift.es.bench.NodeOps;
import dev.sift.es.bench.Scale;
import dev.sift.es.bench.SiftRequests;
import dev.sift.es.bench.SyntheticCorpus;
import org.junit.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Eight client threads send a mix of kNN, {@code sift} rescore (sift / nearest / mmr) and {@code sift} retriever
 * searches for 15 s (CI) or 60 s (full), plus a few invalid ones. Every valid search must succeed on every shard
 * with the asked-for number of hits, every invalid one must be a 400; afterwards the request circuit breaker is
 * back to its baseline (no leaked accounting, also on the error paths), it never tripped, the node did not restart,
 * and the heap's floor (its lowest sample) at the end of the load is below 60% of the heap.
 */
public class ReliabilityConcurrencyIT extends SiftNodeTestCase {

    private static final String INDEX = "rel-concurrency";
    private static final int THREADS = 8;

    @Test
    public void mixedLoadHasNoErrorsNoBreakerLeakAndStableHeap() throws Exception {
        int seconds = Scale.pick(15, 60);
        SyntheticCorpus corpus = SyntheticCorpus.of(Scale.pick(5_000, 50_000), Scale.pick(128, 384), 7);
        NodeOps.loadCorpus(client, INDEX, corpus, 2, NodeOps.corpusMappings(corpus.dims, obj("type", "int8_hnsw"), false), 500, 2, true, null);
        boolean retriever = SiftRequests.retrieverAvailable(client, INDEX, corpus.query(0));

        long breakerBefore = NodeOps.requestBreakerBytes(client);
        long tripsBefore = NodeOps.breakerTrips(client, "request");
        long heapMax = NodeOps.heapMaxBytes(client);
        Object jvmStart = jvmStartTimes();

        Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<long[]> heapSamples = Collections.synchronizedList(new ArrayList<>()); // {nanos, heap used}
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Random random = new Random(1000 + t);
            threads.add(new Thread(() -> {
                while (System.nanoTime() < deadline && errors.size() < 20) {
                    oneRequest(random, corpus, retriever, counts, errors);
                }
            }, "load-" + t));
        }
        Thread sampler = new Thread(() -> {
            while (System.nanoTime() < deadline) {
                heapSamples.add(new long[] { System.nanoTime(), NodeOps.heapUsedBytes(client) });
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        threads.forEach(Thread::start);
        sampler.start();
        for (Thread t : threads) t.join();
        sampler.join();

        long requests = counts.values().stream().mapToLong(AtomicLong::get).sum();
        System.out.printf(java.util.Locale.ROOT, "[concurrency] scale %s: %d requests in %d s by %d threads (%.1f/s): %s%n",
            Scale.name(), requests, seconds, THREADS, requests / (double) seconds, counts);
        assertTrue("errors under load (" + errors.size() + "): " + errors, errors.isEmpty());
        assertTrue("too few requests: " + counts, requests >= THREADS * 5L);

        // the request breaker: back to its baseline once the searches are done (the accounting is released on every path)
        long breakerAfter = NodeOps.requestBreakerBytes(client);
        for (int i = 0; i < 50 && breakerAfter > breakerBefore; i++) {
            Thread.sleep(200);
            breakerAfter = NodeOps.requestBreakerBytes(client);
        }
        System.out.printf(java.util.Locale.ROOT, "[concurrency] request breaker: %d bytes before, %d after; trips %d -> %d%n",
            breakerBefore, breakerAfter, tripsBefore, NodeOps.breakerTrips(client, "request"));
        assertTrue("request breaker leaked: " + breakerBefore + " bytes before the load, " + breakerAfter + " after", breakerAfter <= breakerBefore);
        assertEquals("the request breaker tripped under a load that fits", tripsBefore, NodeOps.breakerTrips(client, "request"));

        // the heap: the lowest sample of the last quarter is what survived the collections there. It may sit above the
        // first quarter's (G1 leaves old-generation garbage alone below its ~45% occupancy threshold), but retained
        // per-request state would push it past that threshold, where marking cycles would bring unreferenced data down.
        assertTrue("too few heap samples: " + heapSamples.size(), heapSamples.size() >= 8);
        int quarter = heapSamples.size() / 4;
        long firstFloor = heapSamples.subList(0, quarter).stream().mapToLong(s -> s[1]).min().orElseThrow();
        long lastFloor = heapSamples.subList(heapSamples.size() - quarter, heapSamples.size()).stream().mapToLong(s -> s[1]).min().orElseThrow();
        long peak = heapSamples.stream().mapToLong(s -> s[1]).max().orElseThrow();
        System.out.printf(java.util.Locale.ROOT, "[concurrency] heap (max %d MiB): floor %d MiB in the first quarter, %d MiB in the last, peak %d MiB%n",
            heapMax >> 20, firstFloor >> 20, lastFloor >> 20, peak >> 20);
        assertTrue("heap floor at the end of the load is " + (lastFloor >> 20) + " MiB of " + (heapMax >> 20) + " MiB",
            lastFloor < heapMax * 6 / 10);
        assertEquals("the node restarted under the load", jvmStart, jvmStartTimes());
    }

    private void oneRequest(Random random, SyntheticCorpus corpus, boolean retriever, Map<String, AtomicLong> counts, List<String> errors) {
        float[] q = corpus.query(random.nextInt(1000));
        int window = new int[] { 50, 100, 200, 500, 1000 }[random.nextInt(5)];
        int size = Math.min(window, new int[] { 5, 10, 50 }[random.nextInt(3)]);
        int kind = random.nextInt(retriever ? 7 : 6);
        String name;
        Map<String, Object> body;
        boolean invalid = false;
        switch (kind) {
            case 0 -> {
                name = "knn";
                body = SiftRequests.knnSearch(q, window, size);
            }
            case 1, 2 -> {
                name = "sift";
                body = SiftRequests.siftRescore(q, window, size, "sift");
            }
            case 3 -> {
                name = "mmr";
                body = SiftRequests.siftRescore(q, window, size, "mmr");
            }
            case 4 -> {
                name = "nearest";
                body = SiftRequests.siftRescore(q, window, size, "nearest");
            }
            case 5 -> {
                // invalid: a query vector of the wrong dimension, refused on the shards after parsing
                name = "invalid";
                invalid = true;
                body = SiftRequests.siftRescore(q, window, size, "sift");
                Map<String, Object> clause = Json.at(body, "rescore.sift");
                clause.put("query_vector", new float[corpus.dims + 1]);
            }
            default -> {
                name = "retriever";
                body = SiftRequests.retriever(q, window, size);
            }
        }
        EsClient.Response r;
        try {
            r = client.post("/" + INDEX + "/_search", body);
        } catch (RuntimeException e) {
            errors.add(name + ": " + e);
            return;
        }
        counts.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
        if (invalid) {
            if (r.status != 400) errors.add(name + " expected 400: " + SiftRequests.brief(r));
        } else if (SiftRequests.complete(r) == false) {
            errors.add(name + " window " + window + " size " + size + ": " + SiftRequests.brief(r));
        } else if (SiftRequests.ids(r).size() != size) {
            errors.add(name + " window " + window + " size " + size + ": " + SiftRequests.ids(r).size() + " hits");
        }
    }

    /** The nodes' JVM start times: they change when a node restarts (e.g. after an OOM). */
    static Object jvmStartTimes() {
        Map<String, Object> nodes = ok(client.get("/_nodes/jvm")).at("nodes");
        List<Object> starts = new ArrayList<>();
        for (Object node : nodes.values()) starts.add(Json.at(node, "jvm.start_time_in_millis"));
        return starts;
    }
}

package dev.sift.es.it;

import dev.sift.es.bench.NodeOps;
import dev.sift.es.bench.Scale;
import dev.sift.es.bench.SiftRequests;
import dev.sift.es.bench.SyntheticCorpus;
import org.junit.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sift.es.it.Json.list;
import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Shards relocating between the two nodes of a cluster while {@code sift} searches run do not change any answer:
 * every search that succeeds returns exactly the hits (ids, order and scores) of the same search before any
 * relocation. Shards are moved with {@code _cluster/reroute}; relocation copies the segment files, so the answer
 * without relocation is the reference. Searches use {@code allow_partial_search_results=false}, so that a search
 * missing a shard fails instead of returning a selection over part of the index.
 */
@SiftNodeTestCase.Nodes(2)
public class ReliabilityRelocationIT extends SiftNodeTestCase {

    private static final String INDEX = "rel-relocation";

    @Test
    public void relocationDoesNotChangeSelections() throws Exception {
        SyntheticCorpus corpus = SyntheticCorpus.of(Scale.pick(4_000, 20_000), 64, 23);
        NodeOps.loadCorpus(client, INDEX, corpus, 2, NodeOps.corpusMappings(corpus.dims, obj("type", "int8_hnsw"), false), 1000, 2, true, null);
        ok(client.post("/" + INDEX + "/_flush", null));
        assertStatus(200, client.get("/_cluster/health/" + INDEX + "?wait_for_status=green&timeout=60s"));
        boolean retriever = SiftRequests.retrieverAvailable(client, INDEX, corpus.query(0));

        Map<String, Map<String, Object>> requests = new LinkedHashMap<>();
        for (int q = 0; q < 6; q++) {
            float[] v = corpus.query(q);
            requests.put("sift-" + q, SiftRequests.siftRescore(v, 200, 10, "sift"));
            requests.put("mmr-" + q, SiftRequests.siftRescore(v, 200, 10, "mmr"));
            if (retriever) requests.put("retriever-" + q, SiftRequests.retriever(v, 200, 10));
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : requests.entrySet()) {
            String first = answer(search(e.getValue()));
            assertEquals("the same search answered differently twice before any relocation: " + e.getKey(), first, answer(search(e.getValue())));
            expected.put(e.getKey(), first);
        }

        int moves = Scale.pick(4, 12);
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicLong matches = new AtomicLong();
        List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> searchers = new ArrayList<>();
        List<String> names = new ArrayList<>(requests.keySet());
        for (int t = 0; t < 2; t++) {
            int offset = t;
            searchers.add(new Thread(() -> {
                for (int i = offset; moving.get(); i++) {
                    String name = names.get(i % names.size());
                    EsClient.Response r = search(requests.get(name));
                    if (SiftRequests.complete(r) == false) {
                        failures.add(name + ": " + SiftRequests.brief(r));
                        continue;
                    }
                    String got = answer(r);
                    if (got.equals(expected.get(name))) {
                        matches.incrementAndGet();
                    } else {
                        mismatches.add(name + ": expected " + expected.get(name) + " got " + got);
                    }
                }
            }, "searcher-" + t));
        }
        // Only our moves: the balancer would move a shard back, and a move of a shard that is still relocating
        // is refused (9.x's desired-balance allocator does this at once).
        ok(client.put("/_cluster/settings", obj("persistent", obj("cluster.routing.rebalance.enable", "none"))));
        searchers.forEach(Thread::start);
        List<String> log = new ArrayList<>();
        try {
            for (int m = 0; m < moves; m++) {
                int shard = m % 2;
                String from = nodeOf(shard);
                String to = from.equals("node-0") ? "node-1" : "node-0";
                ok(client.post("/_cluster/reroute", obj("commands", list(obj("move", obj("index", INDEX, "shard", shard, "from_node", from, "to_node", to))))));
                EsClient.Response health = assertStatus(
                    200,
                    client.get("/_cluster/health/" + INDEX + "?wait_for_no_relocating_shards=true&wait_for_status=green&timeout=60s")
                );
                assertEquals("relocation did not finish: " + health.body, Boolean.FALSE, health.at("timed_out"));
                assertEquals("shard " + shard + " did not move", to, nodeOf(shard));
                log.add("shard " + shard + " " + from + "->" + to);
            }
        } finally {
            moving.set(false);
            for (Thread t : searchers) t.join(60_000);
            ok(client.put("/_cluster/settings", obj("persistent", obj("cluster.routing.rebalance.enable", null))));
        }
        System.out.printf(java.util.Locale.ROOT, "[relocation] scale %s: %d moves (%s); searches during the moves: %d identical to the reference, "
            + "%d different, %d failed%s%n", Scale.name(), moves, String.join(", ", log), matches.get(), mismatches.size(), failures.size(),
            failures.isEmpty() ? "" : " (first: " + failures.get(0) + ")");
        assertTrue("selections changed under relocation: " + mismatches.subList(0, Math.min(5, mismatches.size())), mismatches.isEmpty());
        assertTrue("searches failed under relocation: " + failures.subList(0, Math.min(5, failures.size())), failures.isEmpty());
        assertTrue("too few searches ran during the relocations: " + matches.get(), matches.get() >= moves);
        for (Map.Entry<String, Map<String, Object>> e : requests.entrySet()) {
            assertEquals("after the relocations: " + e.getKey(), expected.get(e.getKey()), answer(search(e.getValue())));
        }
    }

    private static EsClient.Response search(Map<String, Object> body) {
        return client.post("/" + INDEX + "/_search?allow_partial_search_results=false", body);
    }

    /** The hits as {@code id:score} pairs, in order. */
    private static String answer(EsClient.Response r) {
        assertTrue(SiftRequests.brief(r), SiftRequests.complete(r));
        List<Map<String, Object>> hits = r.at("hits.hits");
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> hit : hits) sb.append(hit.get("_id")).append(':').append(hit.get("_score")).append(' ');
        return sb.toString().trim();
    }

    private static String nodeOf(int shard) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> shards = (List<Map<String, Object>>) ok(
            client.get("/_cat/shards/" + INDEX + "?format=json&h=shard,prirep,state,node")
        ).json();
        for (Map<String, Object> s : shards) {
            if (Integer.toString(shard).equals(s.get("shard")) && "p".equals(s.get("prirep")) && "STARTED".equals(s.get("state"))) {
                return (String) s.get("node");
            }
        }
        throw new AssertionError("shard " + shard + " is not started: " + shards);
    }
}

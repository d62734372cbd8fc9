package dev.sift.es.it;

import dev.sift.es.bench.NodeOps;
import dev.sift.es.bench.Scale;
import dev.sift.es.bench.SiftRequests;
import dev.sift.es.bench.SyntheticCorpus;
import org.junit.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sift.es.it.Json.obj;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * A node crash (SIGKILL, {@code scripts/node.sh restart --hard}) in the middle of a load of bulk indexing and
 * {@code sift} searches loses no acknowledged document, and the searches after the restart succeed.
 *
 * <p>One writer indexes batches with fixed ids (retried until acknowledged, so the ids are idempotent) and records
 * every id the node acknowledged; two searchers send kNN + {@code sift} rescores and retriever searches. Requests
 * that fail while the node is down are expected and only counted. After the restart every acknowledged id must be
 * searchable and the searches must answer as before.
 */
public class ReliabilityRestartIT extends SiftNodeTestCase {

    private static final String INDEX = "rel-restart";
    private static final int BATCH = 100;

    @Test
    public void crashDuringLoadLosesNoAcknowledgedDocument() throws Exception {
        SyntheticCorpus corpus = SyntheticCorpus.of(Scale.pick(40_000, 200_000), 64, 11);
        int initial = Scale.pick(2_000, 20_000);
        // vectors stay in _source: a restart must bring back whole documents
        Map<String, Object> mappings = NodeOps.corpusMappings(corpus.dims, obj("type", "int8_hnsw"), true);
        assertStatus(200, client.put("/" + INDEX, obj("settings", obj("number_of_shards", 1, "number_of_replicas", 0), "mappings", mappings)));
        ok(client.post("/_bulk?refresh=true", corpus.bulkBody(INDEX, 0, initial, 5)));
        boolean retriever = SiftRequests.retrieverAvailable(client, INDEX, corpus.query(0));
        Object jvmBefore = ReliabilityConcurrencyIT.jvmStartTimes();

        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < initial; i++) acknowledged.add(i);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writeFailures = new AtomicLong();
        AtomicLong searchOk = new AtomicLong();
        AtomicLong searchFailures = new AtomicLong();
        List<String> wrongAnswers = Collections.synchronizedList(new ArrayList<>());

        Thread writer = new Thread(() -> {
            int next = initial;
            while (stop.get() == false && next + BATCH <= corpus.docs) {
                try {
                    EsClient.Response r = client.post("/_bulk", corpus.bulkBody(INDEX, next, next + BATCH, 5));
                    if (r.status == 200) {
                        List<Map<String, Object>> items = r.at("items");
                        boolean all = true;
                        for (Map<String, Object> item : items) {
                            Map<String, Object> result = Json.at(item, "index");
                            int status = ((Number) result.get("status")).intValue();
                            if (status == 200 || status == 201) {
                                acknowledged.add(Integer.parseInt((String) result.get("_id")));
                            } else {
                                all = false;
                            }
                        }
                        if (all) {
                            next += BATCH;
                            sleep(50); // a steady load, not a flood: the corpus must outlast the test
                            continue;
                        }
                    }
                    writeFailures.incrementAndGet();
                } catch (RuntimeException e) {
                    writeFailures.incrementAndGet(); // the node is down: retry the same ids
                }
                sleep(200);
            }
        }, "writer");
        List<Thread> searchers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int offset = t;
            searchers.add(new Thread(() -> {
                for (int i = offset; stop.get() == false; i += 2) {
                    float[] q = corpus.query(i % 50);
                    Map<String, Object> body = retriever && i % 4 == 3
                        ? SiftRequests.retriever(q, 100, 10)
                        : SiftRequests.siftRescore(q, 100, 10, "sift");
                    try {
                        EsClient.Response r = client.post("/" + INDEX + "/_search", body);
                        if (SiftRequests.complete(r) && SiftRequests.ids(r).size() == 10) {
                            searchOk.incrementAndGet();
                        } else if (r.status >= 500 || r.status == 200) {
                            searchFailures.incrementAndGet(); // shards not yet started after the restart: 503 / partial
                        } else {
                            wrongAnswers.add(SiftRequests.brief(r)); // a 4xx is never right for a valid search
                        }
                    } catch (RuntimeException e) {
                        searchFailures.incrementAndGet();
                        sleep(200);
                    }
                }
            }, "searcher-" + t));
        }
        writer.start();
        searchers.forEach(Thread::start);

        Thread.sleep(Scale.pick(5, 20) * 1000L);
        int beforeCrash = acknowledged.size();
        long started = System.nanoTime();
        List<String> out = nodeScript("restart", "--hard");
        double downSeconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(Scale.pick(5, 20) * 1000L); // the load goes on after the restart
        stop.set(true);
        writer.join(120_000);
        for (Thread t : searchers) t.join(120_000);

        assertNotEquals("the node did not restart: " + out, jvmBefore, ReliabilityConcurrencyIT.jvmStartTimes());
        assertStatus(200, client.get("/_cluster/health/" + INDEX + "?wait_for_status=green&timeout=60s"));
        long count = NodeOps.count(client, INDEX);
        EsClient.Response idsQuery = ok(client.post("/" + INDEX + "/_count", obj("query", obj("ids", obj("values", idStrings(acknowledged))))));
        long found = ((Number) idsQuery.at("count")).longValue();
        System.out.printf(java.util.Locale.ROOT,
            "[restart] scale %s: %d docs acknowledged (%d before the crash), %d found, %d in the index; restart took %.0f s; "
                + "%d write retries; searches: %d ok, %d failed while the node was down%n",
            Scale.name(), acknowledged.size(), beforeCrash, found, count, downSeconds, writeFailures.get(), searchOk.get(), searchFailures.get());
        assertEquals("acknowledged documents lost in the crash", acknowledged.size(), found);
        assertTrue("the writer made no progress after the restart", acknowledged.size() > beforeCrash);
        assertTrue("a valid search got a 4xx: " + wrongAnswers, wrongAnswers.isEmpty());

        // after the restart: every kind of search answers, with the same results as the same search repeated
        for (int i = 0; i < 10; i++) {
            float[] q = corpus.query(i);
            for (Map<String, Object> body : retriever
                ? List.of(SiftRequests.siftRescore(q, 100, 10, "sift"), SiftRequests.siftRescore(q, 100, 10, "mmr"), SiftRequests.retriever(q, 100, 10))
                : List.of(SiftRequests.siftRescore(q, 100, 10, "sift"), SiftRequests.siftRescore(q, 100, 10, "mmr"))) {
                EsClient.Response r = client.post("/" + INDEX + "/_search", body);
                assertTrue("search after the restart: " + SiftRequests.brief(r), SiftRequests.complete(r));
                assertEquals(r.body, 10, SiftRequests.ids(r).size());
            }
        }
    }

    private static List<String> idStrings(Set<Integer> ids) {
        List<String> out = new ArrayList<>(ids.size());
        for (int id : ids) out.add(Integer.toString(id));
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code scripts/node.sh} with the given arguments (the environment of this JVM picks the same nodes). */
    static List<String> nodeScript(String... args) throws Exception {
        File root = new File(System.getProperty("sift.root", System.getProperty("user.dir")));
        List<String> cmd = new ArrayList<>(List.of("bash", new File(root, "scripts/node.sh").getPath()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[node.sh] " + line);
                lines.add(line);
            }
        }
        if (p.waitFor(5, TimeUnit.MINUTES) == false) {
            p.destroyForcibly();
            throw new AssertionError("scripts/node.sh " + String.join(" ", args) + " did not finish");
        }
        assertEquals("scripts/node.sh " + String.join(" ", args) + " failed: " + lines, 0, p.exitValue());
        return lines;
    }
}

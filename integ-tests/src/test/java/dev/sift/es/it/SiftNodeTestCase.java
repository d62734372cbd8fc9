package dev.sift.es.it;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.rules.TestRule;
import org.junit.runners.model.Statement;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Base class of the integration tests: a real Elasticsearch node with the freshly built plugin,
 * run by {@code scripts/node.sh}.
 *
 * <p>Before a test class runs, the node is started ({@code scripts/node.sh start --nodes N}, N from
 * {@link Nodes}, default 1). The script is idempotent: a node already running with the same plugin
 * zip and node count is reused, so the classes of one Failsafe run share one node instead of paying
 * a start per class. After each class its indices are deleted; the node is stopped by a JVM shutdown
 * hook when the test JVM ends (and by {@code scripts/test} afterwards, in case the JVM was killed).
 * Set {@code -Dsift.it.stopAfterClass=true} to stop it after every class instead, or
 * {@code -Dsift.it.keepNode=true} to leave it running for inspection.
 */
public abstract class SiftNodeTestCase {

    /** Number of nodes the test class needs. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Inherited
    public @interface Nodes {
        int value();
    }

    private static final File ROOT = new File(System.getProperty("sift.root", System.getProperty("user.dir")));
    private static final boolean KEEP_NODE = Boolean.getBoolean("sift.it.keepNode");
    /** The Elasticsearch version the suite runs against (the build's, set by Failsafe); node.sh's default if unset. */
    public static final String ES_VERSION = System.getProperty("sift.es.version", "");
    private static final boolean STOP_AFTER_CLASS = Boolean.getBoolean("sift.it.stopAfterClass");
    private static boolean hookInstalled;
    private static int runningNodes;

    /** Client for the first node of the running cluster; set before the class's tests run. */
    protected static EsClient client;

    /** Starts the node(s) the annotated class asks for (the class is only known to a rule). */
    @ClassRule
    public static final TestRule NODE = (base, description) -> new Statement() {
        @Override
        public void evaluate() throws Throwable {
            Nodes nodes = description.getTestClass() == null ? null : description.getTestClass().getAnnotation(Nodes.class);
            client = new EsClient(startNodes(nodes == null ? 1 : nodes.value()));
            base.evaluate();
        }
    };

    @BeforeClass
    public static void waitForHealthyCluster() {
        EsClient.Response r = client.get("/_cluster/health?wait_for_status=yellow&timeout=60s");
        assertEquals(r.toString(), 200, r.status);
    }

    @AfterClass
    public static void cleanUpAfterClass() throws Exception {
        if (runningNodes > 0) {
            assertNoEntitlementViolations();
        }
        if (client != null && runningNodes > 0) {
            // every index the class made (system indices start with '.')
            client.delete("/*,-.*?expand_wildcards=open,closed&ignore_unavailable=true");
        }
        if (STOP_AFTER_CLASS && !KEEP_NODE) {
            stopNodes();
        }
    }

    /** Runs {@code scripts/node.sh start --nodes n} and returns the URL it prints. */
    /** Whether the node runs Elasticsearch 9 or later (for the few tests whose expectations differ by version). */
    protected static boolean isEs9() {
        return ES_VERSION.startsWith("8.") == false && ES_VERSION.isEmpty() == false;
    }

    protected static synchronized String startNodes(int n) throws IOException, InterruptedException {
        return startNodes(n, Map.of());
    }

    /**
     * Starts {@code n} nodes with extra node settings and environment ({@code SIFT_ES_SETTINGS}, {@code SIFT_ES_ENV}
     * of {@code scripts/node.sh}); a cluster running with other ones is replaced.
     */
    protected static synchronized String startNodes(int n, Map<String, String> env) throws IOException, InterruptedException {
        installShutdownHook();
        List<String> out = runScript("scripts/node.sh", List.of("start", "--nodes", Integer.toString(n)), withDefaults(env), 20);
        String url = null;
        for (String line : out) {
            if (line.startsWith("http://")) url = line.trim();
        }
        if (url == null) fail("scripts/node.sh start printed no URL:\n" + String.join("\n", out));
        runningNodes = n;
        return url;
    }

    /** {@code SIFT_ES_SETTINGS} and {@code SIFT_ES_ENV} empty unless given: a class without them gets a plain node. */
    private static Map<String, String> withDefaults(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("SIFT_ES_SETTINGS", "", "SIFT_ES_ENV", ""));
        all.putAll(env);
        return all;
    }

    /**
     * Runs {@code scripts/node.sh start} with extra settings and environment and returns its exit status and output,
     * for a start that is meant to fail.
     */
    protected static synchronized ScriptResult tryStartNode(Map<String, String> env) throws IOException, InterruptedException {
        installShutdownHook();
        runningNodes = 0;
        return runScriptAllowingFailure("scripts/node.sh", List.of("start"), withDefaults(env), 20);
    }

    protected static synchronized void stopNodes() {
        try {
            runNodeScript(List.of("stop"), 3);
        } catch (Exception e) {
            System.err.println("scripts/node.sh stop failed: " + e);
        }
        runningNodes = 0;
    }

    private static void installShutdownHook() {
        if (hookInstalled || KEEP_NODE) return;
        hookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(SiftNodeTestCase::stopNodes, "stop-es-node"));
    }

    private static List<String> runNodeScript(List<String> args, int timeoutMinutes) throws IOException, InterruptedException {
        return runScript("scripts/node.sh", args, withDefaults(Map.of()), timeoutMinutes);
    }

    /**
     * Runs one of the repo's scripts with bash from the repo root, echoing its output, and returns the output lines;
     * fails the test if it does not finish within the timeout or exits non-zero.
     */
    protected static List<String> runScript(String script, List<String> args, Map<String, String> env, int timeoutMinutes)
        throws IOException, InterruptedException {
        ScriptResult result = runScriptAllowingFailure(script, args, env, timeoutMinutes);
        if (result.exitCode() != 0) {
            fail(script + " " + String.join(" ", args) + " failed (exit " + result.exitCode() + "):\n" + String.join("\n", result.lines()));
        }
        return result.lines();
    }

    /** A script's exit status and output lines. */
    protected record ScriptResult(int exitCode, List<String> lines) {}

    /** As {@link #runScript}, returning a non-zero exit status instead of failing. */
    protected static ScriptResult runScriptAllowingFailure(String script, List<String> args, Map<String, String> env, int timeoutMinutes)
        throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(new File(ROOT, script).getPath());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT).redirectErrorStream(true);
        // the scripts pick their own JDKs; do not leak the test JVM's settings into them
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        if (ES_VERSION.isEmpty() == false) {
            pb.environment().put("SIFT_ES_VERSION", ES_VERSION);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        String name = script + " " + String.join(" ", args);
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    System.out.println(script + "> " + line);
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        reader.start();
        if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(name + " did not finish in " + timeoutMinutes + " min");
        }
        reader.join(10_000);
        synchronized (lines) {
            return new ScriptResult(p.exitValue(), new ArrayList<>(lines));
        }
    }

    /**
     * Entitlements (8.19's replacement of the SecurityManager) are only enforced on a real node: fail if the node
     * logged a violation by this plugin ("Not entitled: component [sift], ...").
     */
    protected static void assertNoEntitlementViolations() throws IOException, InterruptedException {
        List<String> violations = new ArrayList<>();
        for (String path : runNodeScript(List.of("logs"), 1)) {
            java.nio.file.Path log = java.nio.file.Path.of(path.trim());
            if (path.isBlank() || java.nio.file.Files.isReadable(log) == false) continue;
            try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(log, StandardCharsets.ISO_8859_1)) {
                lines.filter(l -> l.contains("component [sift]") || (l.contains("NotEntitledException") && l.contains("sift")))
                    .forEach(l -> violations.add(log.getFileName() + ": " + l));
            }
        }
        if (violations.isEmpty() == false) fail("entitlement violations by the sift plugin in the node log:\n" + String.join("\n", violations));
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Asserts the status and returns the response (the body is in the failure message). */
    protected static EsClient.Response assertStatus(int status, EsClient.Response r) {
        assertEquals("unexpected status, body: " + r.body, status, r.status);
        return r;
    }

    protected static EsClient.Response ok(EsClient.Response r) {
        assertTrue("expected 2xx, got " + r, r.status >= 200 && r.status < 300);
        return r;
    }

    /** Creates an index with one shard and no replicas (so a single node is green) and the given mappings. */
    protected static EsClient.Response createIndex(String name, Map<String, Object> mappings) {
        return client.put(
            "/" + name,
            Json.obj("settings", Json.obj("number_of_shards", 1, "number_of_replicas", 0), "mappings", mappings)
        );
    }

    /** Indexes documents (id to source) with one bulk request and refreshes. */
    protected static void bulkIndex(String index, Map<String, Map<String, Object>> docs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Map<String, Object>> e : docs.entrySet()) {
            sb.append(Json.write(Json.obj("index", Json.obj("_index", index, "_id", e.getKey())))).append('\n');
            sb.append(Json.write(e.getValue())).append('\n');
        }
        EsClient.Response r = ok(client.post("/_bulk?refresh=true", sb.toString()));
        assertEquals("bulk errors: " + r.body, Boolean.FALSE, r.at("errors"));
    }
}

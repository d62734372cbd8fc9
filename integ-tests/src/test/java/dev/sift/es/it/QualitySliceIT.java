package dev.sift.es.it;

import org.junit.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

/**
 * The quality evaluation's slice ({@code scripts/eval --slice}, see docs/quality.md) against this suite's node:
 * real all-MiniLM-L6-v2 embeddings of manual-page paragraphs with planted duplicates, kNN, MMR and SIFT through
 * the {@code sift} rescore clause. It asserts what must hold on any run, not the evaluation's findings:
 * the node's explained posterior variances match an independent computation, {@code method: nearest} reproduces
 * the kNN order, kNN has the highest mean cosine (it is the nearest-first order of the same candidates), and SIFT
 * returns fewer planted duplicates than kNN.
 *
 * <p>Needs Maven Central (or a warm local repository) for the demo module's embedding model, and the Debian
 * manual pages (scripts/setup installs them). About a minute on two idle cores.
 */
public class QualitySliceIT extends SiftNodeTestCase {

    private static final File ROOT = new File(System.getProperty("sift.root", System.getProperty("user.dir")));
    private static final int TIMEOUT_MINUTES = 8;

    @Test
    public void sliceThroughTheNode() throws Exception {
        assumeTrue(
            "needs the Debian manual pages: run scripts/setup",
            new File("/usr/share/man/man2/open.2.gz").exists()
        );
        List<String> output = runSlice();
        File summaryFile = new File(ROOT, "demo/target/eval-slice/summary.json");
        assertTrue("no " + summaryFile + "; output:\n" + String.join("\n", output), summaryFile.exists());
        Object summary = Json.parse(Files.readString(summaryFile.toPath(), StandardCharsets.UTF_8));

        double maxDiff = number(Json.at(summary, "maxVarianceDiff"));
        assertTrue("explained variances differ from the independent computation by " + maxDiff, maxDiff <= 1e-3);
        assertEquals(
            "method nearest must reproduce the kNN order",
            number(Json.at(summary, "nearestChecked")),
            number(Json.at(summary, "nearestMatches")),
            0
        );

        Map<String, Object> methods = Json.at(summary, "methods");
        assertNotNull(methods);
        Map<String, Object> knn = method(methods, "kNN");
        for (String name : methods.keySet()) {
            if (name.equals("kNN")) {
                continue;
            }
            Map<String, Object> m = method(methods, name);
            assertTrue(
                name + " has a higher mean cosine at 10 than kNN's nearest-first order",
                number(Json.at(m, "at10.meanCosine")) <= number(Json.at(knn, "at10.meanCosine")) + 1e-9
            );
            if (name.startsWith("SIFT")) {
                assertTrue(
                    name + " returned as many duplicates at 10 as kNN",
                    number(Json.at(m, "at10.duplicates")) < number(Json.at(knn, "at10.duplicates"))
                );
            }
        }
    }

    private List<String> runSlice() throws Exception {
        return runScript("scripts/eval", List.of("--slice"), Map.of("ES_URL", client.baseUrl()), TIMEOUT_MINUTES);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> method(Map<String, Object> methods, String name) {
        Object m = methods.get(name);
        assertNotNull("no method " + name + " in " + methods.keySet(), m);
        return (Map<String, Object>) m;
    }

    private static double number(Object o) {
        assertNotNull(o);
        return ((Number) o).doubleValue();
    }
}

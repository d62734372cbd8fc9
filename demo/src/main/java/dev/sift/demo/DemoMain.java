package dev.sift.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo: embeds a small corpus of sentences with all-MiniLM-L6-v2 in this process, indexes it into a running
 * node with the sift plugin, and shows for a question what kNN, MMR and SIFT return, side by side, with the
 * uncertainty SIFT's surrogate has left after each hit. Then, on a terminal, it answers the user's own questions.
 *
 * <pre>
 *   java -cp 'demo/target/classes:demo/target/lib/*' dev.sift.demo.DemoMain [--url URL] [--lambda 0.01]
 *        [--mmr-lambda 0.5] [--top 5] [--query TEXT]... [--corpus FILE]
 * </pre>
 *
 * All three columns re-rank the same candidates: the kNN search's hits (the whole corpus, it is small). kNN is the
 * plain {@code knn} search; MMR and SIFT are that search with the plugin's {@code sift} rescore clause,
 * {@code method: mmr} and {@code method: sift}. SIFT's uncertainty comes from the node's {@code explain} (and is
 * checked against {@link Posterior}); kNN's and MMR's are computed here with the same formula, so the three can be
 * compared.
 */
public final class DemoMain {

    static final String INDEX = "sift-demo";
    static final String FIELD = "emb";
    static final String EXAMPLE = "What is the age of Michael Jordan and how many kids does he have?";
    private static final String CORPUS_RESOURCE = "/dev/sift/demo/corpus.tsv";
    private static final int COLUMN = 38;
    /** The node explains in float precision; its variances and this process's must agree to about this much. */
    private static final double VARIANCE_TOLERANCE = 1e-4;

    /** A corpus sentence and the fact it states (shown as {@code [label]}). */
    record Sentence(String id, String label, String text, float[] vector) {}

    private final PrintStream out;
    private final EsClient client;
    private final Embedder embedder;
    private final SiftSearch search;
    private final double lambda;
    private final double mmrLambda;
    private final int top;
    private final Map<String, Sentence> byId = new HashMap<>();
    private int corpusSize;

    DemoMain(PrintStream out, EsClient client, Embedder embedder, double lambda, double mmrLambda, int top) {
        this.out = out;
        this.client = client;
        this.embedder = embedder;
        this.search = new SiftSearch(client, INDEX, FIELD);
        this.lambda = lambda;
        this.mmrLambda = mmrLambda;
        this.top = top;
    }

    public static void main(String[] args) throws IOException {
        String url = System.getenv().getOrDefault("ES_URL", "http://127.0.0.1:9200");
        double lambda = 0.01, mmrLambda = 0.5;
        int top = 5;
        Path corpus = null;
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--url" -> url = value(args, ++i, a);
                case "--lambda" -> lambda = Double.parseDouble(value(args, ++i, a));
                case "--mmr-lambda" -> mmrLambda = Double.parseDouble(value(args, ++i, a));
                case "--top" -> top = Integer.parseInt(value(args, ++i, a));
                case "--query" -> queries.add(value(args, ++i, a));
                case "--corpus" -> corpus = Path.of(value(args, ++i, a));
                case "-h", "--help" -> {
                    System.out.println(
                        "usage: DemoMain [--url URL (default $ES_URL or http://127.0.0.1:9200)] [--lambda 0.01] [--mmr-lambda 0.5]\n"
                            + "                [--top 5] [--query TEXT]... [--corpus FILE (lines: label<TAB>sentence)]"
                    );
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument: " + a + " (try --help)");
            }
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        EsClient client = new EsClient(url);
        try {
            checkNode(client, out);
            DemoMain demo = new DemoMain(out, client, new Embedder(), lambda, mmrLambda, top);
            demo.index(corpus == null ? readCorpus(DemoMain.class.getResourceAsStream(CORPUS_RESOURCE)) : readCorpus(corpus));
            demo.show(EXAMPLE);
            for (String q : queries) {
                demo.show(q);
            }
            demo.interactive();
        } catch (EsClient.EsException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(1);
        }
        out.println();
        out.println("The node keeps running (index " + INDEX + " stays). Stop it with: scripts/node.sh stop");
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static void checkNode(EsClient client, PrintStream out) {
        String version = client.version();
        List<String> plugins = client.pluginNames();
        if (plugins.contains("sift") == false) {
            throw new EsClient.EsException(
                "the node at " + client.url() + " has no sift plugin (installed: " + plugins + "); start one with scripts/node.sh start",
                null
            );
        }
        out.println("Elasticsearch " + version + " at " + client.url() + ", sift plugin installed.");
    }

    static List<String[]> readCorpus(InputStream in) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return parseCorpus(r.lines().toList());
        }
    }

    static List<String[]> readCorpus(Path file) throws IOException {
        return parseCorpus(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** Lines {@code label<TAB>sentence} or just {@code sentence}; blank lines and {@code #} comments are skipped. */
    static List<String[]> parseCorpus(List<String> lines) {
        List<String[]> rows = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            rows.add(tab < 0 ? new String[] { "", line.strip() } : new String[] { line.substring(0, tab).strip(), line.substring(tab + 1).strip() });
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the corpus has no sentences");
        }
        return rows;
    }

    void index(List<String[]> rows) {
        long t0 = System.nanoTime();
        List<String> texts = rows.stream().map(r -> r[1]).toList();
        List<float[]> vectors = embedder.embedAll(texts);
        long embedMillis = (System.nanoTime() - t0) / 1_000_000;
        client.deleteIndex(INDEX);
        client.createVectorIndex(INDEX, FIELD, Embedder.DIMS, Map.of("text", "text", "label", "keyword"));
        List<ObjectNode> docs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String id = Integer.toString(i + 1);
            Sentence s = new Sentence(id, rows.get(i)[0], rows.get(i)[1], vectors.get(i));
            byId.put(id, s);
            ObjectNode doc = EsClient.JSON.createObjectNode();
            doc.put("_id", id);
            doc.put("label", s.label());
            doc.put("text", s.text());
            doc.set(FIELD, EsClient.vector(s.vector()));
            docs.add(doc);
        }
        client.bulkIndex(INDEX, docs);
        corpusSize = rows.size();
        out.printf(
            Locale.ROOT,
            "Indexed %d sentences into [%s] (all-MiniLM-L6-v2 in this process, %d dims, cosine; embedding took %d ms).%n",
            rows.size(),
            INDEX,
            Embedder.DIMS,
            embedMillis
        );
    }

    /** One question: the three lists side by side, then what each covered. */
    void show(String question) {
        float[] q = embedder.embed(question);
        int k = corpusSize;
        SiftSearch.Request base = new SiftSearch.Request(
            SiftSearch.Kind.KNN, q, top, k, Math.max(k, 100), k, "sift", lambda, mmrLambda, null, false, List.of()
        );
        List<String> knn = search.run(base).ids();
        SiftSearch.Result mmr = search.run(base.with(SiftSearch.Kind.RESCORE, "mmr", lambda, mmrLambda));
        SiftSearch.Result sift = search.run(base.with(SiftSearch.Kind.RESCORE, "sift", lambda, mmrLambda).withExplain(true));

        double[] knnLeft = left(q, knn);
        double[] mmrLeft = left(q, mmr.ids());
        // SIFT's uncertainty as the node explains it, by the pick step each explanation names; checked against
        // the same figure computed here
        double[] siftLeft = left(q, sift.ids());
        for (SiftSearch.Hit h : sift.hits()) {
            int t = h.step() - 1;
            if (t < 0 || t >= siftLeft.length || Double.isNaN(h.variance())) {
                continue;
            }
            double node = h.variance() / h.priorVariance();
            if (Math.abs(node - siftLeft[t]) > VARIANCE_TOLERANCE) {
                out.printf(
                    Locale.ROOT,
                    "warning: the node's posterior variance after SIFT pick %d (%.4f) differs from the one computed here (%.4f)%n",
                    t + 1,
                    node,
                    siftLeft[t]
                );
            }
            siftLeft[t] = node;
        }
        out.println();
        out.println("Query: " + question);
        out.printf(
            Locale.ROOT,
            "Each method picks %d of the same %d kNN candidates. cos = cosine to the query; left = SIFT's posterior variance%n"
                + "after this hit, as a share of the prior (the uncertainty about the answer that the list so far leaves).%n%n",
            top,
            k
        );
        String[] heads = {
            "kNN (nearest first)",
            String.format(Locale.ROOT, "MMR (mmr_lambda %s)", trim(mmrLambda)),
            String.format(Locale.ROOT, "SIFT (lambda %s)", trim(lambda)) };
        List<List<String>> columns = List.of(knn, mmr.ids(), sift.ids());
        double[][] leftOf = { knnLeft, mmrLeft, siftLeft };
        StringBuilder head = new StringBuilder("    ");
        for (String h : heads) {
            head.append(pad(h, COLUMN));
        }
        out.println(head.toString().stripTrailing());
        for (int rank = 0; rank < top; rank++) {
            List<List<String>> cells = new ArrayList<>();
            int height = 0;
            for (int c = 0; c < 3; c++) {
                List<String> cell = new ArrayList<>();
                if (rank < columns.get(c).size()) {
                    Sentence s = byId.get(columns.get(c).get(rank));
                    cell.addAll(wrap((s.label().isEmpty() ? "" : "[" + s.label() + "] ") + s.text(), COLUMN - 2));
                    cell.add(String.format(Locale.ROOT, "cos %.2f  left %.0f%%", Embedder.cosine(q, s.vector()), 100 * leftOf[c][rank]));
                }
                height = Math.max(height, cell.size());
                cells.add(cell);
            }
            for (int line = 0; line < height; line++) {
                StringBuilder row = new StringBuilder(line == 0 ? String.format(Locale.ROOT, "%2d  ", rank + 1) : "    ");
                for (List<String> cell : cells) {
                    row.append(pad(line < cell.size() ? cell.get(line) : "", COLUMN));
                }
                out.println(row.toString().stripTrailing());
            }
            out.println();
        }
        out.println("Facts covered (distinct labels among the hits):");
        for (int c = 0; c < 3; c++) {
            out.printf(Locale.ROOT, "  %-24s %s%n", heads[c].replaceAll(" \\(.*", "") + ":", coverage(columns.get(c)));
        }
        StringBuilder left = new StringBuilder("Uncertainty left after");
        int[] depths = top > 2 ? new int[] { 2, top } : new int[] { top };
        for (int n : depths) {
            left.append(
                String.format(
                    Locale.ROOT,
                    "%s %d hits: SIFT %.0f%%, kNN %.0f%%, MMR %.0f%%",
                    n == depths[0] ? "" : ";",
                    n,
                    100 * at(siftLeft, n),
                    100 * at(knnLeft, n),
                    100 * at(mmrLeft, n)
                )
            );
        }
        out.println(left.append('.'));
        out.println("The SIFT request: " + abbreviated(search.body(base.with(SiftSearch.Kind.RESCORE, "sift", lambda, mmrLambda))));
    }

    private double[] left(float[] q, List<String> ids) {
        List<float[]> vectors = ids.stream().map(id -> byId.get(id).vector()).toList();
        return Posterior.trajectory(q, vectors, lambda);
    }

    private String coverage(List<String> ids) {
        Set<String> labels = new LinkedHashSet<>();
        List<String> all = new ArrayList<>();
        for (String id : ids) {
            String label = byId.get(id).label();
            labels.add(label);
            all.add(label);
        }
        return labels.size() + " of " + ids.size() + "  " + String.join(", ", all);
    }

    /** Reads questions from the terminal until an empty line or end of input; does nothing without a terminal. */
    void interactive() throws IOException {
        if (isTerminal() == false) {
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            out.println();
            out.print("Ask your own question (empty line or Ctrl-D to stop): ");
            out.flush();
            String line = in.readLine();
            if (line == null || line.isBlank()) {
                return;
            }
            show(line.strip());
        }
    }

    /**
     * Whether stdin and stdout are a terminal. {@code System.console()} is null otherwise up to JDK 21; from JDK 22
     * it may be non-null anyway, and {@code Console.isTerminal()} (looked up reflectively, this compiles for 17)
     * tells.
     */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 17-21: a non-null console is a terminal
        }
    }

    /** The value after {@code n} hits (the last one for a shorter list). */
    private static double at(double[] a, int n) {
        return a.length == 0 ? Double.NaN : a[Math.min(n, a.length) - 1];
    }

    private static String trim(double d) {
        String s = Double.toString(d);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** The request body with every vector replaced by "[384 numbers]", on one line. */
    static String abbreviated(ObjectNode body) {
        ObjectNode copy = body.deepCopy();
        shorten(copy);
        return copy.toString().replace("\"<", "").replace(">\"", "");
    }

    private static void shorten(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode child = o.get(name);
                if (child instanceof ArrayNode a && a.size() > 8 && a.get(0).isNumber()) {
                    o.put(name, "<[" + a.size() + " numbers]>");
                } else {
                    shorten(child);
                }
            }
        }
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}

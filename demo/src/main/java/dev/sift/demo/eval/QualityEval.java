package dev.sift.demo.eval;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sift.demo.Embedder;
import dev.sift.demo.EsClient;
import dev.sift.demo.Posterior;
import dev.sift.demo.SiftSearch;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The quality evaluation: kNN order, MMR and SIFT on the same kNN candidates, through a real node, on manual-page
 * paragraphs with planted duplicates. See docs/quality.md for the corpus, the measures and the results.
 *
 * <pre>
 *   java -cp 'demo/target/classes:...' dev.sift.demo.eval.QualityEval [--url URL] [--slice] [--out DIR]
 *        [--docs DIR] [--seed N] [--pages N] [--queries N] [--no-cache]
 * </pre>
 *
 * {@code --slice} runs a small configuration (a CI smoke test, under two minutes); {@code --docs DIR} also writes
 * the figures into DIR and the result tables into DIR/quality.md between its {@code eval:begin}/{@code eval:end}
 * markers. Exit status 0 when the run completed and the node's figures agree with this program's (explained
 * variances, the {@code nearest} method against the plain kNN order); 1 otherwise; 2 on bad arguments.
 */
public final class QualityEval {

    /** What one run measures. */
    record Config(String name, int pages, int queries, List<Double> mmrLambdas, List<Double> siftLambdas, int shards) {}

    static final Config FULL = new Config(
        "full",
        240,
        100,
        List.of(0.25, 0.5, 0.75, 0.9, 0.95),
        List.of(0.01, 0.1, 0.3, 1.0, 3.0, 10.0),
        3
    );
    static final Config SLICE = new Config("slice", 30, 12, List.of(0.75), List.of(0.01, 1.0), 0);

    static final List<String> PACKAGES = List.of("manpages", "manpages-dev");
    static final List<String> SECTIONS = List.of("2", "3", "4", "5", "7");
    static final long DEFAULT_SEED = 42;
    static final String FIELD = "emb";
    /** The kNN stage every method starts from, as in the clause's REST contract. */
    static final int K = 100, NUM_CANDIDATES = 200, WINDOW = 100;
    /** Hits each method returns; the measures are taken at the cut-offs. */
    static final int DEPTH = 20;
    static final int[] CUTOFFS = { 5, 10, 20 };
    /** A page becomes a query when it has at least this many paragraphs (relevant units). */
    static final int MIN_QUERY_UNITS = 5;
    /** A page enters the corpus when it has at least this many paragraphs. */
    static final int MIN_PAGE_UNITS = 2;
    /** The surrogate's λ under which every list's remaining uncertainty is reported (SIFT's default). */
    static final double REPORT_LAMBDA = 0.01;
    /** The node explains in float precision; its variances and this program's must agree to this. */
    static final double VARIANCE_TOLERANCE = 1e-3;
    private static final int READ_THREADS = 2;

    /** A document of the index: an original paragraph or a planted copy of one. */
    record Doc(String id, int unit, int page, DuplicatePlanter.Kind kind, String text) {}

    /** A family of lists to compare; {@code family} groups the rows of one method across its parameter. */
    record Method(String name, String family, SiftSearch.Kind kind, String method, double lambda, double mmrLambda, String order) {
        Method(String name, String family, SiftSearch.Kind kind, String method, double lambda, double mmrLambda) {
            this(name, family, kind, method, lambda, mmrLambda, null);
        }

        /** Whether its lists are SIFT's in selection order, whose explanations name each hit's step as its rank. */
        boolean explains() {
            return (kind == SiftSearch.Kind.RESCORE || kind == SiftSearch.Kind.RETRIEVER) && "sift".equals(method) && order == null;
        }
    }

    /** How Elasticsearch's {@code diversify} retriever's lists compare with the clause's {@code mmr} at one lambda. */
    static final class DiversifyAgreement {
        int queries, sameSet, sameOrderedList, inRelevanceOrder;
    }

    /** One list's measures. */
    record Run(Metrics.AtK[] atCutoff, double[] recallByDepth, double[] leftByDepth, double[] nodeLeftByDepth, Map<DuplicatePlanter.Kind, Integer> dupKinds, long took) {}

    private final Config config;
    private final long seed;
    private final EsClient client;
    private final String index;
    private final Path cacheFile;
    private final List<Doc> docs = new ArrayList<>();
    private final Map<String, Integer> docIndex = new HashMap<>();
    private final List<float[]> docVectors = new ArrayList<>();
    private final List<ManPages.Page> pages = new ArrayList<>();
    private final List<Integer> queryPages = new ArrayList<>();
    private final List<float[]> queryVectors = new ArrayList<>();
    private final Map<Integer, Set<Integer>> unitsOfPage = new HashMap<>();
    private final Map<Integer, Integer> groupSize = new HashMap<>();
    private int unitCount;
    private double maxVarianceDiff;
    private int nearestMatches, nearestChecked;
    /**
     * Returned SIFT hits; those whose explanation named no pick ("in the window but not selected"); those whose
     * explanation named another step than their rank.
     */
    private int explained, notAPick, stepNotRank;
    private String retrieverNote;
    private boolean retrieverAvailable;
    private String diversifyNote;
    /** Per {@code diversify} method, its agreement with the clause's {@code mmr} at the same lambda. */
    private final Map<Method, DiversifyAgreement> diversifyAgreement = new LinkedHashMap<>();

    QualityEval(Config config, long seed, EsClient client, Path cacheFile) {
        this.config = config;
        this.seed = seed;
        this.client = client;
        this.index = "sift-eval-" + config.name();
        this.cacheFile = cacheFile;
    }

    public static void main(String[] args) throws Exception {
        String url = System.getenv().getOrDefault("ES_URL", "http://127.0.0.1:9200");
        Config config = FULL;
        Path out = null, docsDir = null;
        long seed = DEFAULT_SEED;
        Integer pages = null, queries = null;
        boolean cache = true;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--url" -> url = args[++i];
                    case "--slice" -> config = SLICE;
                    case "--out" -> out = Path.of(args[++i]);
                    case "--docs" -> docsDir = Path.of(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--pages" -> pages = Integer.parseInt(args[++i]);
                    case "--queries" -> queries = Integer.parseInt(args[++i]);
                    case "--no-cache" -> cache = false;
                    case "-h", "--help" -> {
                        System.out.println(
                            "usage: QualityEval [--url URL] [--slice] [--out DIR] [--docs DIR] [--seed N] [--pages N] [--queries N] [--no-cache]"
                        );
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("eval: " + e.getMessage() + " (try --help)");
            System.exit(2);
        }
        if (pages != null || queries != null) {
            config = new Config(
                config.name(),
                pages == null ? config.pages() : pages,
                queries == null ? config.queries() : queries,
                config.mmrLambdas(),
                config.siftLambdas(),
                config.shards()
            );
        }
        if (out == null) {
            out = Path.of("target", "eval-" + config.name());
        }
        Path cacheFile = cache ? Path.of("target", "eval-cache", "embeddings.bin") : null;
        QualityEval eval = new QualityEval(config, seed, new EsClient(url), cacheFile);
        boolean ok;
        try {
            ok = eval.run(out, docsDir);
        } catch (EsClient.EsException e) {
            System.err.println("eval: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.exit(ok ? 0 : 1);
    }

    boolean run(Path out, Path docsDir) throws Exception {
        long t0 = System.nanoTime();
        say("Elasticsearch " + client.version() + " at " + client.url());
        if (client.pluginNames().contains("sift") == false) {
            throw new EsClient.EsException("the node at " + client.url() + " has no sift plugin (scripts/node.sh start)", null);
        }
        buildCorpus();
        long tCorpus = System.nanoTime();
        embed();
        long tEmbed = System.nanoTime();
        indexDocs();
        long tIndex = System.nanoTime();
        List<Method> methods = methods();
        Map<Method, List<Run>> runs = evaluate(methods);
        long tSearch = System.nanoTime();
        say(
            String.format(
                Locale.ROOT,
                "time: corpus %.0f s, embedding %.0f s, indexing %.0f s, searches %.0f s",
                (tCorpus - t0) / 1e9,
                (tEmbed - tCorpus) / 1e9,
                (tIndex - tEmbed) / 1e9,
                (tSearch - tIndex) / 1e9
            )
        );
        String shardReport = config.shards() > 1 && retrieverAvailable ? shards(config.shards()) : "";
        String report = report(methods, runs) + shardReport;
        System.out.println();
        System.out.println(report);
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), report, StandardCharsets.UTF_8);
        writeSummary(out.resolve("summary.json"), methods, runs);
        plots(out, methods, runs);
        say("wrote " + out.resolve("results.md") + ", summary.json, quality-tradeoff.png, quality-uncertainty.png");
        if (docsDir != null) {
            updateDocs(docsDir, out, report);
        }
        boolean ok = maxVarianceDiff <= VARIANCE_TOLERANCE && nearestMatches == nearestChecked;
        if (ok == false) {
            System.err.printf(
                Locale.ROOT,
                "eval: CHECK FAILED: explained variances differ by up to %.2g (tolerance %.0g); nearest matched kNN on %d of %d queries%n",
                maxVarianceDiff,
                VARIANCE_TOLERANCE,
                nearestMatches,
                nearestChecked
            );
        }
        return ok;
    }

    // ------------------------------------------------------------------------------------------ corpus

    void buildCorpus() throws Exception {
        List<Path> files = new ArrayList<>(ManPages.pageFiles(PACKAGES, SECTIONS));
        if (files.isEmpty()) {
            throw new IllegalStateException("no manual pages found: apt-get install -y manpages manpages-dev");
        }
        Collections.shuffle(files, new Random(seed));
        ExecutorService pool = Executors.newFixedThreadPool(READ_THREADS);
        Set<String> seenText = new HashSet<>();
        List<String> unitTexts = new ArrayList<>();
        List<Integer> unitPage = new ArrayList<>();
        int dropped = 0;
        try {
            int next = 0;
            while (pages.size() < config.pages() && next < files.size()) {
                int chunk = Math.min(files.size() - next, Math.max(8, config.pages() - pages.size()));
                List<Future<ManPages.Page>> futures = new ArrayList<>();
                for (Path f : files.subList(next, next + chunk)) {
                    futures.add(pool.submit(() -> ManPages.read(f)));
                }
                next += chunk;
                for (Future<ManPages.Page> f : futures) {
                    ManPages.Page page = f.get();
                    if (page == null || pages.size() >= config.pages()) {
                        continue;
                    }
                    List<String> fresh = new ArrayList<>();
                    for (String p : page.paragraphs()) {
                        if (seenText.contains(p) == false && fresh.contains(p) == false) {
                            fresh.add(p);
                        } else {
                            dropped++;
                        }
                    }
                    if (fresh.size() < MIN_PAGE_UNITS) {
                        continue;
                    }
                    int pageId = pages.size();
                    pages.add(new ManPages.Page(page.name(), page.section(), page.query(), fresh));
                    Set<Integer> units = new HashSet<>();
                    for (String p : fresh) {
                        seenText.add(p);
                        units.add(unitTexts.size());
                        unitTexts.add(p);
                        unitPage.add(pageId);
                    }
                    unitsOfPage.put(pageId, units);
                    if (fresh.size() >= MIN_QUERY_UNITS && queryPages.size() < config.queries()) {
                        queryPages.add(pageId);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        unitCount = unitTexts.size();
        for (int u = 0; u < unitCount; u++) {
            docs.add(new Doc("u" + u, u, unitPage.get(u), DuplicatePlanter.Kind.ORIGINAL, unitTexts.get(u)));
            groupSize.put(u, 1);
        }
        Map<DuplicatePlanter.Kind, Integer> kinds = new EnumMap<>(DuplicatePlanter.Kind.class);
        Set<Integer> groups = new HashSet<>();
        for (DuplicatePlanter.Copy c : new DuplicatePlanter(seed).plant(unitTexts)) {
            docs.add(new Doc("u" + c.unit() + "c" + c.copy(), c.unit(), unitPage.get(c.unit()), c.kind(), c.text()));
            groupSize.merge(c.unit(), 1, Integer::sum);
            kinds.merge(c.kind(), 1, Integer::sum);
            groups.add(c.unit());
        }
        for (int i = 0; i < docs.size(); i++) {
            docIndex.put(docs.get(i).id(), i);
        }
        say(
            String.format(
                Locale.ROOT,
                "corpus: %d pages (%s), %d paragraphs (units; %d repeated paragraphs dropped), %d planted copies in %d groups "
                    + "(exact %d, near %d, rewrite %d), %d documents; %d queries",
                pages.size(),
                ManPages.packageVersions(PACKAGES),
                unitCount,
                dropped,
                docs.size() - unitCount,
                groups.size(),
                kinds.getOrDefault(DuplicatePlanter.Kind.EXACT, 0),
                kinds.getOrDefault(DuplicatePlanter.Kind.NEAR, 0),
                kinds.getOrDefault(DuplicatePlanter.Kind.REWRITE, 0),
                docs.size(),
                queryPages.size()
            )
        );
    }

    void embed() throws IOException {
        EmbeddingCache cache = new EmbeddingCache(cacheFile);
        Embedder embedder = new Embedder();
        List<String> texts = new ArrayList<>();
        for (Doc d : docs) {
            texts.add(d.text());
        }
        for (int p : queryPages) {
            texts.add(pages.get(p).query());
        }
        say("embedding " + texts.size() + " texts with all-MiniLM-L6-v2 (" + cache.size() + " cached)");
        List<float[]> vectors = new ArrayList<>();
        int computed = cache.embedAll(texts, embedder, vectors);
        docVectors.addAll(vectors.subList(0, docs.size()));
        queryVectors.addAll(vectors.subList(docs.size(), vectors.size()));
        say("embedded " + computed + " new texts");
    }

    void indexDocs() {
        client.deleteIndex(index);
        client.createVectorIndex(index, FIELD, Embedder.DIMS, Map.of("unit", "integer", "page", "integer", "kind", "keyword"));
        List<ObjectNode> bulk = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            Doc d = docs.get(i);
            ObjectNode doc = EsClient.JSON.createObjectNode();
            doc.put("_id", d.id());
            doc.put("unit", d.unit());
            doc.put("page", d.page());
            doc.put("kind", d.kind().label());
            doc.set(FIELD, EsClient.vector(docVectors.get(i)));
            bulk.add(doc);
        }
        client.bulkIndex(index, bulk);
        // one segment, so that every run searches the same HNSW graph
        client.call("POST", "/" + index + "/_forcemerge?max_num_segments=1", null);
        client.call("POST", "/" + index + "/_refresh", null);
        say("indexed " + docs.size() + " documents into [" + index + "] (1 shard, force-merged to 1 segment)");
    }

    // ------------------------------------------------------------------------------------------ searches

    List<Method> methods() {
        List<Method> methods = new ArrayList<>();
        methods.add(new Method("kNN", "kNN", SiftSearch.Kind.KNN, "", REPORT_LAMBDA, 0));
        for (double m : config.mmrLambdas()) {
            methods.add(new Method("MMR " + fmt(m), "MMR", SiftSearch.Kind.RESCORE, "mmr", REPORT_LAMBDA, m));
        }
        for (double l : config.siftLambdas()) {
            methods.add(new Method("SIFT " + fmt(l), "SIFT", SiftSearch.Kind.RESCORE, "sift", l, 0.5));
        }
        // the same selections listed in their incoming (kNN) order: the same sets, so only order-aware measures move
        for (double l : config.siftLambdas()) {
            methods.add(
                new Method("SIFT " + fmt(l) + ", relevance order", "SIFT, relevance order", SiftSearch.Kind.RESCORE, "sift", l, 0.5, "relevance")
            );
        }
        Method retriever = new Method("SIFT retriever " + fmt(REPORT_LAMBDA), "SIFT retriever", SiftSearch.Kind.RETRIEVER, "sift", REPORT_LAMBDA, 0.5);
        SiftSearch search = new SiftSearch(client, index, FIELD);
        try {
            search.run(request(retriever, queryVectors.get(0), false));
            methods.add(retriever);
            retrieverAvailable = true;
            retrieverNote = "the `sift` retriever answered, so it is evaluated too (λ " + fmt(REPORT_LAMBDA) + ")";
        } catch (EsClient.EsException e) {
            retrieverNote = "the `sift` retriever is not available on this node, so only the rescore clause is evaluated ("
                + e.getMessage().replaceAll("\\s+", " ").replaceAll("^(.{160}).*", "$1...") + ")";
        }
        say(retrieverNote);
        Method probe = new Method("diversify", "diversify", SiftSearch.Kind.DIVERSIFY, "", REPORT_LAMBDA, 0.5);
        try {
            search.run(request(probe, queryVectors.get(0), false));
            for (double m : config.mmrLambdas()) {
                Method diversify = new Method("diversify (ES) " + fmt(m), "diversify", SiftSearch.Kind.DIVERSIFY, "", REPORT_LAMBDA, m);
                methods.add(diversify);
                diversifyAgreement.put(diversify, new DiversifyAgreement());
            }
            diversifyNote = "Elasticsearch's own `diversify` retriever (MMR) answered, so it is evaluated at the same λs as the clause's `mmr`";
        } catch (EsClient.EsException e) {
            diversifyNote = "Elasticsearch's `diversify` retriever is not available on this node (it is new in 9.3), so it is not evaluated";
        }
        say(diversifyNote);
        return methods;
    }

    private static SiftSearch.Request request(Method m, float[] q, boolean explain) {
        return new SiftSearch.Request(
            m.kind(), q, DEPTH, K, NUM_CANDIDATES, WINDOW, m.method(), m.lambda(), m.mmrLambda(), m.order(), explain, List.of()
        );
    }

    Map<Method, List<Run>> evaluate(List<Method> methods) {
        SiftSearch search = new SiftSearch(client, index, FIELD);
        Map<Method, List<Run>> runs = new LinkedHashMap<>();
        for (Method m : methods) {
            runs.put(m, new ArrayList<>());
        }
        Method nearest = new Method("nearest", "nearest", SiftSearch.Kind.RESCORE, "nearest", REPORT_LAMBDA, 0.5);
        for (int qi = 0; qi < queryPages.size(); qi++) {
            float[] q = queryVectors.get(qi);
            int page = queryPages.get(qi);
            List<String> knnIds = null;
            Map<Method, List<String>> lists = new HashMap<>();
            for (Method m : methods) {
                SiftSearch.Result result = search.run(request(m, q, m.explains()));
                if (m.kind() == SiftSearch.Kind.KNN) {
                    knnIds = result.ids();
                }
                lists.put(m, result.ids());
                runs.get(m).add(measure(m, q, page, result, m.explains()));
            }
            compareDiversify(methods, lists, q);
            nearestChecked++;
            if (search.run(request(nearest, q, false)).ids().equals(knnIds)) {
                nearestMatches++;
            }
            if ((qi + 1) % 20 == 0 || qi + 1 == queryPages.size()) {
                say("searched " + (qi + 1) + " of " + queryPages.size() + " queries (" + methods.size() + " methods each)");
            }
        }
        return runs;
    }

    /**
     * Each {@code diversify} list against the clause's {@code mmr} list at the same lambda: the same hits? In the
     * same order once both are put in relevance order (cosine to the query, then id)? And is {@code diversify}'s
     * own list in relevance order, as its documentation says?
     */
    private void compareDiversify(List<Method> methods, Map<Method, List<String>> lists, float[] q) {
        for (Map.Entry<Method, DiversifyAgreement> e : diversifyAgreement.entrySet()) {
            Method mmr = null;
            for (Method m : methods) {
                if (m.family().equals("MMR") && m.mmrLambda() == e.getKey().mmrLambda()) {
                    mmr = m;
                }
            }
            if (mmr == null) {
                continue;
            }
            List<String> theirs = lists.get(e.getKey()), ours = lists.get(mmr);
            DiversifyAgreement a = e.getValue();
            a.queries++;
            if (new HashSet<>(theirs).equals(new HashSet<>(ours))) {
                a.sameSet++;
            }
            Comparator<String> relevance = Comparator.<String>comparingDouble(id -> -Embedder.cosine(q, docVectors.get(docIndex.get(id))))
                .thenComparing(Comparator.naturalOrder());
            List<String> theirsSorted = new ArrayList<>(theirs), oursSorted = new ArrayList<>(ours);
            theirsSorted.sort(relevance);
            oursSorted.sort(relevance);
            if (theirsSorted.equals(oursSorted)) {
                a.sameOrderedList++;
            }
            boolean ordered = true;
            for (int i = 1; i < theirs.size(); i++) {
                double prev = Embedder.cosine(q, docVectors.get(docIndex.get(theirs.get(i - 1))));
                double cur = Embedder.cosine(q, docVectors.get(docIndex.get(theirs.get(i))));
                ordered &= cur <= prev + 1e-6;
            }
            if (ordered) {
                a.inRelevanceOrder++;
            }
        }
    }

    /** The measures of one list; {@code checkExplain}: the request asked for explain, whose figures are checked. */
    private Run measure(Method m, float[] q, int page, SiftSearch.Result result, boolean checkExplain) {
        int n = result.hits().size();
        int[] units = new int[n];
        double[] cos = new double[n];
        List<float[]> vectors = new ArrayList<>();
        Map<DuplicatePlanter.Kind, Integer> dupKinds = new EnumMap<>(DuplicatePlanter.Kind.class);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int d = docIndex.get(result.hits().get(i).id());
            units[i] = docs.get(d).unit();
            cos[i] = Embedder.cosine(q, docVectors.get(d));
            vectors.add(docVectors.get(d));
            if (seen.add(units[i]) == false && i < 10) {
                dupKinds.merge(docs.get(d).kind(), 1, Integer::sum);
            }
        }
        Set<Integer> relevant = unitsOfPage.get(page);
        Metrics.AtK[] at = new Metrics.AtK[CUTOFFS.length];
        for (int c = 0; c < CUTOFFS.length; c++) {
            at[c] = Metrics.at(CUTOFFS[c], units, cos, relevant, groupSize);
        }
        double[] recall = new double[DEPTH];
        for (int k = 1; k <= DEPTH; k++) {
            recall[k - 1] = Metrics.at(k, units, cos, relevant, groupSize).subtopicRecall();
        }
        double[] left = padded(Posterior.trajectory(q, vectors, REPORT_LAMBDA));
        double[] nodeLeft = null;
        if (checkExplain) {
            // The node's trajectory, by the pick step each explanation names. Keyed by step, not by hit: exact
            // copies have identical vectors, so which of them a step picked can differ between the query phase and
            // explain (see docs/quality.md, "Checks"), while the trajectory cannot.
            double[] own = Posterior.trajectory(q, vectors, m.lambda());
            nodeLeft = own.clone();
            boolean[] named = new boolean[n];
            for (int i = 0; i < n; i++) {
                SiftSearch.Hit h = result.hits().get(i);
                explained++;
                if (h.step() < 1 || h.step() > n || Double.isNaN(h.variance()) || Double.isNaN(h.priorVariance())) {
                    notAPick++;
                    continue;
                }
                if (h.step() != i + 1) {
                    stepNotRank++;
                }
                named[h.step() - 1] = true;
                nodeLeft[h.step() - 1] = h.variance() / h.priorVariance();
            }
            for (int t = 0; t < n; t++) {
                if (named[t]) {
                    maxVarianceDiff = Math.max(maxVarianceDiff, Math.abs(nodeLeft[t] - own[t]));
                }
            }
            nodeLeft = padded(nodeLeft);
        }
        return new Run(at, recall, left, nodeLeft, dupKinds, result.tookMillis());
    }

    /** A trajectory of length DEPTH: a short list's last value carries on (no more hits, no more change). */
    private static double[] padded(double[] v) {
        double[] out = new double[DEPTH];
        for (int i = 0; i < DEPTH; i++) {
            out[i] = v.length == 0 ? 1.0 : v[Math.min(i, v.length - 1)];
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ shards

    /**
     * The same documents in an index of {@code shards} shards: the rescore clause selects on each shard from that
     * shard's share of the window and the shards' picks are merged by score, while the retriever selects once from
     * the merged window. Returns the report section.
     */
    String shards(int shards) {
        String sharded = index + "-" + shards + "shards";
        client.deleteIndex(sharded);
        client.createVectorIndex(sharded, FIELD, Embedder.DIMS, Map.of("unit", "integer", "page", "integer", "kind", "keyword"), shards);
        List<ObjectNode> bulk = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            ObjectNode doc = EsClient.JSON.createObjectNode();
            doc.put("_id", docs.get(i).id());
            doc.put("unit", docs.get(i).unit());
            doc.set(FIELD, EsClient.vector(docVectors.get(i)));
            bulk.add(doc);
        }
        client.bulkIndex(sharded, bulk);
        client.call("POST", "/" + sharded + "/_forcemerge?max_num_segments=1", null);
        client.call("POST", "/" + sharded + "/_refresh", null);
        say("indexed the same documents into [" + sharded + "] (" + shards + " shards)");
        SiftSearch search = new SiftSearch(client, sharded, FIELD);
        List<Method> methods = List.of(
            new Method("kNN", "kNN", SiftSearch.Kind.KNN, "", REPORT_LAMBDA, 0),
            new Method("SIFT rescore " + fmt(REPORT_LAMBDA) + " (per shard)", "SIFT", SiftSearch.Kind.RESCORE, "sift", REPORT_LAMBDA, 0.5),
            new Method("SIFT retriever " + fmt(REPORT_LAMBDA) + " (global)", "SIFT retriever", SiftSearch.Kind.RETRIEVER, "sift", REPORT_LAMBDA, 0.5)
        );
        Map<Method, List<Run>> runs = new LinkedHashMap<>();
        for (Method m : methods) {
            runs.put(m, new ArrayList<>());
        }
        for (int qi = 0; qi < queryPages.size(); qi++) {
            for (Method m : methods) {
                SiftSearch.Result result = search.run(request(m, queryVectors.get(qi), false));
                runs.get(m).add(measure(m, queryVectors.get(qi), queryPages.get(qi), result, false));
            }
        }
        client.deleteIndex(sharded);
        int c10 = indexOf(CUTOFFS, 10);
        StringBuilder md = new StringBuilder();
        md.append(
            String.format(
                Locale.ROOT,
                "**%d shards, at 10 hits**: the same documents and queries in an index of %d shards. The rescore clause "
                    + "selects on each shard from that shard's part of the window, and the shards' picks are merged by "
                    + "score; the retriever selects once from the merged window.%n%n",
                shards,
                shards
            )
        );
        md.append("| method | relevant units | duplicates | precision | mean cosine | α-nDCG | uncertainty left | mean took (ms) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Method m : methods) {
            List<Run> r = runs.get(m);
            md.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %.2f | %.2f | %.3f | %.3f | %.3f | %.3f | %.1f |%n",
                    m.name(),
                    mean(r, x -> x.atCutoff()[c10].units()),
                    mean(r, x -> x.atCutoff()[c10].duplicates()),
                    mean(r, x -> x.atCutoff()[c10].precision()),
                    mean(r, x -> x.atCutoff()[c10].meanCosine()),
                    mean(r, x -> x.atCutoff()[c10].alphaNdcg()),
                    mean(r, x -> x.leftByDepth()[9]),
                    mean(r, Run::took)
                )
            );
        }
        md.append('\n');
        return md.toString();
    }

    // ------------------------------------------------------------------------------------------ report

    private static double mean(List<Run> runs, ToDoubleFunction<Run> f) {
        double s = 0;
        for (Run r : runs) {
            s += f.applyAsDouble(r);
        }
        return runs.isEmpty() ? Double.NaN : s / runs.size();
    }

    String report(List<Method> methods, Map<Method, List<Run>> runs) {
        StringBuilder md = new StringBuilder();
        md.append(
            String.format(
                Locale.ROOT,
                "Run `%s`: %d queries, %d pages, %d units, %d documents (%d planted copies); seed %d; kNN k=%d, num_candidates=%d, "
                    + "window %d; every list %d hits. Node: Elasticsearch %s; %s; %s.%n%n",
                config.name(),
                queryPages.size(),
                pages.size(),
                unitCount,
                docs.size(),
                docs.size() - unitCount,
                seed,
                K,
                NUM_CANDIDATES,
                WINDOW,
                DEPTH,
                client.version(),
                retrieverNote,
                diversifyNote
            )
        );
        for (int c = 0; c < CUTOFFS.length; c++) {
            int k = CUTOFFS[c];
            final int ci = c;
            md.append(String.format(Locale.ROOT, "**At %d hits** (means over queries)%n%n", k));
            md.append("| method | relevant units | S-recall | duplicates | precision | mean cosine | α-nDCG | uncertainty left |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Method m : methods) {
                List<Run> r = runs.get(m);
                md.append(
                    String.format(
                        Locale.ROOT,
                        "| %s | %.2f | %.3f | %.2f | %.3f | %.3f | %.3f | %.3f |%n",
                        m.name(),
                        mean(r, x -> x.atCutoff()[ci].units()),
                        mean(r, x -> x.atCutoff()[ci].subtopicRecall()),
                        mean(r, x -> x.atCutoff()[ci].duplicates()),
                        mean(r, x -> x.atCutoff()[ci].precision()),
                        mean(r, x -> x.atCutoff()[ci].meanCosine()),
                        mean(r, x -> x.atCutoff()[ci].alphaNdcg()),
                        mean(r, x -> x.leftByDepth()[k - 1])
                    )
                );
            }
            md.append('\n');
        }
        if (diversifyAgreement.isEmpty() == false) {
            md.append("**Elasticsearch's `diversify` against the clause's `mmr`** (queries, of all, where the two lists of "
                + DEPTH + " hits at the same λ hold the same hits; hold them in the same order once both are put in relevance order; "
                + "and where `diversify`'s own list is in relevance order)\n\n");
            md.append("| λ | same hits | same list in relevance order | diversify in relevance order |\n");
            md.append("|---:|---:|---:|---:|\n");
            diversifyAgreement.forEach((m, a) -> md.append(String.format(Locale.ROOT, "| %s | %d / %d | %d / %d | %d / %d |%n",
                fmt(m.mmrLambda()), a.sameSet, a.queries, a.sameOrderedList, a.queries, a.inRelevanceOrder, a.queries)));
            md.append('\n');
        }
        // paired comparison against kNN at 10
        Method knn = methods.get(0);
        int c10 = indexOf(CUTOFFS, 10);
        md.append("**Per query, against kNN at 10 hits** (queries with fewer / equal / more duplicates; with more / equal / fewer relevant units)\n\n");
        md.append("| method | duplicates: fewer / equal / more | relevant units: more / equal / fewer | duplicates at 10 by copy kind (exact, near, rewrite, original) | mean took (ms) |\n");
        md.append("|---|---|---|---|---:|\n");
        for (Method m : methods) {
            int[] dup = new int[3], unit = new int[3];
            Map<DuplicatePlanter.Kind, Integer> kinds = new EnumMap<>(DuplicatePlanter.Kind.class);
            List<Run> r = runs.get(m), base = runs.get(knn);
            for (int i = 0; i < r.size(); i++) {
                dup[1 + Integer.signum(r.get(i).atCutoff()[c10].duplicates() - base.get(i).atCutoff()[c10].duplicates())]++;
                unit[1 - Integer.signum(r.get(i).atCutoff()[c10].units() - base.get(i).atCutoff()[c10].units())]++;
                r.get(i).dupKinds().forEach((kind, n) -> kinds.merge(kind, n, Integer::sum));
            }
            md.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %d / %d / %d | %d / %d / %d | %d, %d, %d, %d | %.1f |%n",
                    m.name(),
                    dup[0],
                    dup[1],
                    dup[2],
                    unit[0],
                    unit[1],
                    unit[2],
                    kinds.getOrDefault(DuplicatePlanter.Kind.EXACT, 0),
                    kinds.getOrDefault(DuplicatePlanter.Kind.NEAR, 0),
                    kinds.getOrDefault(DuplicatePlanter.Kind.REWRITE, 0),
                    kinds.getOrDefault(DuplicatePlanter.Kind.ORIGINAL, 0),
                    mean(r, Run::took)
                )
            );
        }
        md.append('\n');
        // paired differences, with a confidence interval, against kNN and against the MMR setting nearest in duplicates
        md.append("**Paired differences at 10 hits** (per query, the method's value minus the baseline's; mean ± 1.96 standard ")
            .append("errors over queries, so an interval that excludes 0 is a difference these queries support)\n\n");
        md.append("| method | baseline | Δ relevant units | Δ duplicates | Δ precision | Δ mean cosine |\n");
        md.append("|---|---|---:|---:|---:|---:|\n");
        for (Method m : methods) {
            if (m.family().equals("kNN") || m.kind() == SiftSearch.Kind.RETRIEVER) {
                continue;
            }
            md.append(paired(m, knn, runs, c10));
        }
        for (Method m : methods) {
            if (m.family().equals("SIFT") == false) {
                continue;
            }
            Method closest = null;
            double own = mean(runs.get(m), x -> x.atCutoff()[c10].duplicates()), best = Double.POSITIVE_INFINITY;
            for (Method b : methods) {
                if (b.family().equals("MMR")) {
                    // nearest in mean duplicates; among equally near, the one with the higher mean cosine
                    double d = Math.abs(mean(runs.get(b), x -> x.atCutoff()[c10].duplicates()) - own);
                    boolean tie = closest != null && Math.abs(d - best) < 1e-9;
                    if (d < best - 1e-9
                        || (tie && mean(runs.get(b), x -> x.atCutoff()[c10].meanCosine()) > mean(runs.get(closest), x -> x.atCutoff()[c10].meanCosine()))) {
                        best = d;
                        closest = b;
                    }
                }
            }
            if (closest != null) {
                md.append(paired(m, closest, runs, c10));
            }
        }
        md.append('\n');
        // SIFT's own uncertainty estimate against the coverage reached
        md.append("**SIFT's uncertainty estimate against the coverage reached** (the node's posterior variance after k picks, ")
            .append("as a share of the prior, from `explain`; Spearman correlation across queries with S-recall at k)\n\n");
        md.append("| method | k | mean uncertainty left | mean S-recall | Spearman(uncertainty, S-recall) | S-recall, queries in the lowest third of uncertainty | S-recall, highest third |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Method m : methods) {
            if (m.explains() == false) {
                continue;
            }
            List<Run> r = runs.get(m);
            for (int k : CUTOFFS) {
                if (k != 10 && m.lambda() != REPORT_LAMBDA) {
                    continue; // every λ at 10 hits, the default λ at every cut-off
                }
                double[] v = new double[r.size()], s = new double[r.size()];
                for (int i = 0; i < r.size(); i++) {
                    v[i] = r.get(i).nodeLeftByDepth()[k - 1];
                    s[i] = r.get(i).recallByDepth()[k - 1];
                }
                double[] thirds = thirds(v, s);
                md.append(
                    String.format(
                        Locale.ROOT,
                        "| %s | %d | %.3f | %.3f | %.2f | %.3f | %.3f |%n",
                        m.name(),
                        k,
                        avg(v),
                        avg(s),
                        Metrics.spearman(v, s),
                        thirds[0],
                        thirds[1]
                    )
                );
            }
        }
        md.append('\n');
        md.append(
            String.format(
                Locale.ROOT,
                "Checks: the node's explained posterior variance after each pick agrees with this program's to %.1e "
                    + "(tolerance %.0e); of %d returned SIFT hits, `explain` described %d as another step than their rank "
                    + "and %d as not selected; `method: nearest` reproduced the plain kNN order on %d of %d queries.%n%n",
                maxVarianceDiff,
                VARIANCE_TOLERANCE,
                explained,
                stepNotRank,
                notAPick,
                nearestMatches,
                nearestChecked
            )
        );
        return md.toString();
    }

    /** One row of the paired-differences table. */
    private static String paired(Method m, Method base, Map<Method, List<Run>> runs, int c) {
        List<Run> r = runs.get(m), b = runs.get(base);
        Function<ToDoubleFunction<Metrics.AtK>, String> diff = f -> {
            double[] d = new double[r.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = f.applyAsDouble(r.get(i).atCutoff()[c]) - f.applyAsDouble(b.get(i).atCutoff()[c]);
            }
            double mean = avg(d), ss = 0;
            for (double x : d) {
                ss += (x - mean) * (x - mean);
            }
            double se = d.length < 2 ? Double.NaN : Math.sqrt(ss / (d.length - 1) / d.length);
            return String.format(Locale.ROOT, "%+.3f ± %.3f", mean, 1.96 * se);
        };
        return String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s | %s |%n",
            m.name(),
            base.name(),
            diff.apply(Metrics.AtK::units),
            diff.apply(Metrics.AtK::duplicates),
            diff.apply(Metrics.AtK::precision),
            diff.apply(Metrics.AtK::meanCosine)
        );
    }

    /** Mean of {@code s} over the queries in the lowest and in the highest third of {@code v}. */
    private static double[] thirds(double[] v, double[] s) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        int third = Math.max(1, v.length / 3);
        double low = 0, high = 0;
        for (int i = 0; i < third; i++) {
            low += s[order[i]];
            high += s[order[v.length - 1 - i]];
        }
        return new double[] { low / third, high / third };
    }

    private static double avg(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalArgumentException(v + " is not a cut-off");
    }

    void writeSummary(Path file, List<Method> methods, Map<Method, List<Run>> runs) throws IOException {
        ObjectNode root = EsClient.JSON.createObjectNode();
        root.put("config", config.name());
        root.put("seed", seed);
        root.put("queries", queryPages.size());
        root.put("pages", pages.size());
        root.put("units", unitCount);
        root.put("documents", docs.size());
        root.put("maxVarianceDiff", maxVarianceDiff);
        root.put("nearestMatches", nearestMatches);
        root.put("nearestChecked", nearestChecked);
        root.put("explainedHits", explained);
        root.put("explainedNotAsPicks", notAPick);
        root.put("explainedAtAnotherStep", stepNotRank);
        root.put("retriever", retrieverNote);
        ObjectNode ms = root.putObject("methods");
        for (Method m : methods) {
            ObjectNode mn = ms.putObject(m.name());
            mn.put("family", m.family());
            mn.put("lambda", m.lambda());
            mn.put("mmrLambda", m.mmrLambda());
            List<Run> r = runs.get(m);
            for (int c = 0; c < CUTOFFS.length; c++) {
                final int ci = c;
                ObjectNode at = mn.putObject("at" + CUTOFFS[c]);
                at.put("units", mean(r, x -> x.atCutoff()[ci].units()));
                at.put("subtopicRecall", mean(r, x -> x.atCutoff()[ci].subtopicRecall()));
                at.put("duplicates", mean(r, x -> x.atCutoff()[ci].duplicates()));
                at.put("precision", mean(r, x -> x.atCutoff()[ci].precision()));
                at.put("meanCosine", mean(r, x -> x.atCutoff()[ci].meanCosine()));
                at.put("alphaNdcg", mean(r, x -> x.atCutoff()[ci].alphaNdcg()));
                at.put("uncertaintyLeft", mean(r, x -> x.leftByDepth()[CUTOFFS[ci] - 1]));
            }
        }
        ArrayNode queries = root.putArray("queryPages");
        for (int p : queryPages) {
            queries.add(pages.get(p).title() + ": " + pages.get(p).query());
        }
        Files.writeString(file, EsClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------ figures

    private static final Color KNN = new Color(80, 80, 80), MMR = new Color(31, 119, 180), SIFT = new Color(214, 39, 40),
        RETRIEVER = new Color(255, 127, 14), DIVERSIFY = new Color(44, 160, 44);

    void plots(Path out, List<Method> methods, Map<Method, List<Run>> runs) throws IOException {
        int c10 = indexOf(CUTOFFS, 10);
        Map<String, List<Plot.Point>> dupVsCos = new LinkedHashMap<>(), unitsVsPrec = new LinkedHashMap<>();
        for (Method m : methods) {
            List<Run> r = runs.get(m);
            if (m.order() != null) {
                continue; // the same sets as the selection-order rows: these measures cannot tell them apart
            }
            String label = m.family().equals("MMR") ? fmt(m.mmrLambda()) : m.family().startsWith("SIFT") ? fmt(m.lambda()) : "";
            dupVsCos.computeIfAbsent(m.family(), f -> new ArrayList<>())
                .add(new Plot.Point(mean(r, x -> x.atCutoff()[c10].duplicates()), mean(r, x -> x.atCutoff()[c10].meanCosine()), label));
            unitsVsPrec.computeIfAbsent(m.family(), f -> new ArrayList<>())
                .add(new Plot.Point(mean(r, x -> x.atCutoff()[c10].units()), mean(r, x -> x.atCutoff()[c10].precision()), label));
        }
        Plot.write(
            out.resolve("quality-tradeoff.png"),
            List.of(
                new Plot.Panel("Duplicates vs relevance, first 10 hits", "duplicates among the first 10 hits (mean)", "mean cosine to the query", series(dupVsCos)),
                new Plot.Panel("Coverage vs precision, first 10 hits", "distinct relevant units among the first 10 (mean)", "precision (share of hits from the query's page)", series(unitsVsPrec))
            )
        );

        Method sift = null;
        for (Method m : methods) {
            if (m.explains() && m.kind() == SiftSearch.Kind.RESCORE && m.lambda() == REPORT_LAMBDA) {
                sift = m;
            }
        }
        if (sift == null) {
            return;
        }
        List<Plot.Point> scatter = new ArrayList<>();
        for (Run r : runs.get(sift)) {
            scatter.add(new Plot.Point(r.nodeLeftByDepth()[9], r.recallByDepth()[9], null));
        }
        List<Plot.Point> removed = new ArrayList<>(), siftRecall = new ArrayList<>(), knnRecall = new ArrayList<>(), knnRemoved = new ArrayList<>();
        List<Run> sr = runs.get(sift), kr = runs.get(methods.get(0));
        for (int k = 1; k <= DEPTH; k++) {
            final int d = k - 1;
            removed.add(new Plot.Point(k, 1 - mean(sr, x -> x.nodeLeftByDepth()[d]), null));
            knnRemoved.add(new Plot.Point(k, 1 - mean(kr, x -> x.leftByDepth()[d]), null));
            siftRecall.add(new Plot.Point(k, mean(sr, x -> x.recallByDepth()[d]), null));
            knnRecall.add(new Plot.Point(k, mean(kr, x -> x.recallByDepth()[d]), null));
        }
        Plot.write(
            out.resolve("quality-uncertainty.png"),
            List.of(
                new Plot.Panel(
                    "SIFT " + fmt(REPORT_LAMBDA) + ": uncertainty left vs coverage, 10 hits",
                    "posterior variance left after 10 picks (share of prior)",
                    "S-recall at 10 (one point per query)",
                    List.of(new Plot.Series(sift.name(), SIFT, false, 6, scatter))
                ),
                new Plot.Panel(
                    "Uncertainty removed and coverage by depth",
                    "hits k",
                    "mean over queries",
                    List.of(
                        new Plot.Series("SIFT: uncertainty removed", SIFT, true, 5, removed),
                        new Plot.Series("SIFT: S-recall", new Color(140, 20, 20), true, 5, siftRecall),
                        new Plot.Series("kNN: uncertainty removed", new Color(150, 150, 150), true, 5, knnRemoved),
                        new Plot.Series("kNN: S-recall", KNN, true, 5, knnRecall)
                    )
                )
            )
        );
    }

    private static List<Plot.Series> series(Map<String, List<Plot.Point>> byFamily) {
        List<Plot.Series> out = new ArrayList<>();
        byFamily.forEach((family, points) -> {
            Color color = switch (family) {
                case "MMR" -> MMR;
                case "SIFT" -> SIFT;
                case "SIFT retriever" -> RETRIEVER;
                case "diversify" -> DIVERSIFY;
                default -> KNN;
            };
            // the retriever's points often sit on the rescore clause's, diversify's on the clause's mmr: draw them
            // smaller, on top, unlabelled
            boolean retriever = family.equals("SIFT retriever") || family.equals("diversify");
            List<Plot.Point> shown = retriever ? points.stream().map(p -> new Plot.Point(p.x(), p.y(), null)).toList() : points;
            out.add(new Plot.Series(family, color, points.size() > 1, retriever ? 5 : 9, shown));
        });
        return out;
    }

    // ------------------------------------------------------------------------------------------ docs

    static final String BEGIN = "<!-- eval:begin -->", END = "<!-- eval:end -->";

    void updateDocs(Path docsDir, Path out, String report) throws IOException {
        Files.createDirectories(docsDir);
        for (String png : List.of("quality-tradeoff.png", "quality-uncertainty.png")) {
            if (Files.exists(out.resolve(png))) {
                Files.copy(out.resolve(png), docsDir.resolve(png), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path md = docsDir.resolve("quality.md");
        if (Files.exists(md) == false) {
            say("no " + md + " to update; the figures were copied");
            return;
        }
        String text = Files.readString(md, StandardCharsets.UTF_8);
        int b = text.indexOf(BEGIN), e = text.indexOf(END);
        if (b < 0 || e < b) {
            say(md + " has no " + BEGIN + " ... " + END + " block; left as it is");
            return;
        }
        String updated = text.substring(0, b + BEGIN.length()) + "\n" + report + text.substring(e);
        Files.writeString(md, updated, StandardCharsets.UTF_8);
        say("updated the results in " + md + " and the figures beside it");
    }

    // ------------------------------------------------------------------------------------------ helpers

    static String fmt(double d) {
        String s = String.format(Locale.ROOT, "%s", d);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private void say(String line) {
        System.err.println("[eval] " + line);
    }
}

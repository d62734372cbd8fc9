package dev.sift.es.bench;

import dev.sift.es.it.EsClient;
import dev.sift.es.it.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.sift.es.it.Json.obj;

/**
 * The end-to-end benchmark on a real node (run by {@code scripts/bench-node}, documented in
 * docs/benchmarks.md, "End to end (real node)").
 *
 * <p>Loads a {@link SyntheticCorpus} into a one-shard index (or reuses it when its {@code _meta} says it holds the
 * same corpus), then sends interleaved requests, for every window × selection size: kNN alone, kNN + {@code sift}
 * rescore, kNN + {@code sift} rescore with {@code method: mmr} and {@code method: nearest}, the {@code sift}
 * retriever, Elasticsearch's own {@code diversify} retriever (MMR, 9.3+) when the node has it, and kNN alone /
 * kNN + {@code sift} again with the kNN as a query (see
 * {@link Variant}). Within a round every variant gets the same query, in a shuffled order, so that
 * the noise of a shared machine falls on all of them alike. Reports the median and p99 of the server's
 * {@code took} and of the client's wall time, and their ratio to kNN alone measured in the same run; writes a
 * Markdown table, a CSV and PNG plots.
 *
 * <p>Arguments ({@code --name value}): url (required), docs, dims, seed, index, index-type, shards, windows, sizes,
 * rounds (one per window), warmup (fraction of rounds), queries, bulk-docs, bulk-threads, out, plot-dir,
 * lambda, reindex (true to rebuild the index), query-form (false to leave out the {@code knn} query variants);
 * or replot (a results.csv) alone to redraw the plots of an earlier run.
 */
public final class NodeBench {

    /**
     * What a request does beyond kNN. The first pass is the top-level {@code knn} section (the REST contract's
     * form) except for the {@code *_QUERY} variants, which send the same search as a {@code knn} query in
     * {@code query}: on a one-shard index Elasticsearch 8.19 fetches the whole rescore window for a top-level
     * {@code knn} search (the DFS path skips the query-and-fetch shortcut and the coordinator does not trim a single
     * shard's hits to {@code size}), a cost of the search type, not of the rescorer, which the query form avoids.
     */
    enum Variant {
        KNN("kNN alone", null),
        SIFT("kNN + sift", KNN),
        SIFT_SELECTED_ONLY("kNN + sift keep_unselected=false", KNN),
        MMR("kNN + sift method=mmr", KNN),
        NEAREST("kNN + sift method=nearest", KNN),
        RETRIEVER("sift retriever", KNN),
        /** Elasticsearch's own MMR ({@code diversify} retriever, 9.3+) over the same kNN, {@code lambda} 0.5. */
        DIVERSIFY("diversify retriever (mmr)", KNN),
        KNN_QUERY("knn query alone", null),
        SIFT_QUERY("knn query + sift", KNN_QUERY);

        final String label;
        /** The kNN-alone variant this one's ratio is taken against (null for the kNN-alone ones). */
        final Variant baseline;

        Variant(String label, Variant baseline) {
            this.label = label;
            this.baseline = baseline;
        }

        boolean queryForm() {
            return this == KNN_QUERY || this == SIFT_QUERY;
        }

        String method() {
            return switch (this) {
                case SIFT, SIFT_QUERY, SIFT_SELECTED_ONLY -> "sift";
                case MMR -> "mmr";
                case NEAREST -> "nearest";
                default -> null;
            };
        }
    }

    record Config(int window, int size) {
        int numCandidates() {
            return Math.min(10_000, 2 * window); // num_candidates is capped at 10000; k = window
        }
    }

    /** One (config, variant) cell's samples. */
    static final class Cell {
        final LatencyStats took = new LatencyStats();
        final LatencyStats wall = new LatencyStats();
        long redundantHits;
        long errors;
        String firstError;
    }

    private final Map<String, String> args;
    private final PrintStream out = System.out;
    private final EsClient client;
    private final SyntheticCorpus corpus;
    private final String index;
    private final String indexType;
    private final int shards;
    private final int[] windows;
    private final int[] sizes;
    private final int[] rounds;
    private final double warmupFraction;
    private final double lambda;
    private final List<String> queryJson = new ArrayList<>();
    private final Map<Config, Map<Variant, Cell>> cells = new LinkedHashMap<>();
    private final List<Variant> variants = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    NodeBench(Map<String, String> args) {
        this.args = args;
        this.client = new EsClient(required("url"));
        int docs = intArg("docs", 100_000);
        int dims = intArg("dims", 384);
        this.corpus = SyntheticCorpus.of(docs, dims, Long.parseLong(args.getOrDefault("seed", "42")));
        this.index = args.getOrDefault("index", "sift-bench");
        this.indexType = args.getOrDefault("index-type", "int8_hnsw");
        this.shards = intArg("shards", 1);
        this.windows = ints(args.getOrDefault("windows", "100,1000,10000"));
        this.sizes = ints(args.getOrDefault("sizes", "10,100"));
        int[] r = ints(args.getOrDefault("rounds", "200,100,30"));
        this.rounds = new int[windows.length];
        for (int i = 0; i < windows.length; i++) {
            rounds[i] = r[Math.min(i, r.length - 1)];
        }
        this.warmupFraction = Double.parseDouble(args.getOrDefault("warmup", "0.1"));
        this.lambda = Double.parseDouble(args.getOrDefault("lambda", "0.01"));
        int queries = intArg("queries", 64);
        for (int j = 0; j < queries; j++) {
            StringBuilder sb = new StringBuilder();
            SyntheticCorpus.appendVector(sb, corpus.query(j), 6);
            queryJson.add(sb.toString());
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].startsWith("--") == false || i + 1 >= argv.length) {
                throw new IllegalArgumentException("arguments are --name value pairs, got " + String.join(" ", argv));
            }
            args.put(argv[i].substring(2), argv[++i]);
        }
        if (args.containsKey("replot")) {
            replot(Path.of(args.get("replot")), Path.of(args.getOrDefault("plot-dir", Path.of(args.get("replot")).getParent().toString())));
            return;
        }
        new NodeBench(args).run();
    }

    /** Redraws the plots from a {@code results.csv} of an earlier run (only its medians and p99s are plotted). */
    static void replot(Path csv, Path plotDir) throws IOException {
        Map<Config, Map<Variant, Cell>> cells = new LinkedHashMap<>();
        List<Variant> variants = new ArrayList<>();
        Set<Integer> windows = new java.util.TreeSet<>();
        Set<Integer> sizes = new java.util.TreeSet<>();
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            Config c = new Config(Integer.parseInt(f[header.indexOf("window")]), Integer.parseInt(f[header.indexOf("select")]));
            Variant v = Variant.valueOf(f[header.indexOf("variant")].toUpperCase(Locale.ROOT));
            if (variants.contains(v) == false) variants.add(v);
            windows.add(c.window());
            sizes.add(c.size());
            Cell cell = new Cell();
            // two samples whose nearest-rank p50 and p99 are the recorded ones
            cell.took.add(Double.parseDouble(f[header.indexOf("took_p50_ms")]));
            cell.took.add(Double.parseDouble(f[header.indexOf("took_p99_ms")]));
            cell.wall.add(Double.parseDouble(f[header.indexOf("wall_p50_ms")]));
            cell.wall.add(Double.parseDouble(f[header.indexOf("wall_p99_ms")]));
            cells.computeIfAbsent(c, k -> new EnumMap<>(Variant.class)).put(v, cell);
        }
        Files.createDirectories(plotDir);
        LatencyPlot.write(cells, variants, sizes.stream().mapToInt(Integer::intValue).toArray(),
            windows.stream().mapToInt(Integer::intValue).toArray(), plotDir.resolve("latency.png"), plotDir.resolve("latency-ratio.png"));
        System.out.println("[bench] wrote " + plotDir.resolve("latency.png") + " and " + plotDir.resolve("latency-ratio.png"));
    }

    void run() throws Exception {
        Map<String, Object> environment = environment("before");
        prepareIndex();
        detectVariants();
        for (int w = 0; w < windows.length; w++) {
            for (int size : sizes) {
                Map<Variant, Cell> row = new EnumMap<>(Variant.class);
                for (Variant v : variants) row.put(v, new Cell());
                cells.put(new Config(windows[w], size), row);
            }
        }
        long start = System.nanoTime();
        for (int w = 0; w < windows.length; w++) {
            measureWindow(windows[w], rounds[w]);
        }
        environment.put("measurement_seconds", Math.round(NodeOps.seconds(start)));
        environment.putAll(environment("after"));
        report(environment);
    }

    // ------------------------------------------------------------------------------------ setup

    private Map<String, Object> environment(String when) throws IOException {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("load_average_" + when, Files.readString(Path.of("/proc/loadavg")).trim());
        if (when.equals("before")) {
            env.put("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible to the client");
            EsClient.Response nodes = NodeOps.ok(client.get("/_nodes/jvm,os"), "node info");
            for (Object node : ((Map<?, ?>) nodes.at("nodes")).values()) {
                env.put("node_jvm", Json.at(node, "jvm.vm_name") + " " + Json.at(node, "jvm.version"));
                env.put("node_heap_max", Json.at(node, "jvm.mem.heap_max_in_bytes"));
                env.put("node_processors", Json.at(node, "os.allocated_processors"));
                env.put("elasticsearch", Json.at(node, "version"));
            }
            env.put("client_jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        }
        return env;
    }

    private static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        }
        return "unknown cpu";
    }

    private Map<String, Object> corpusMeta() {
        return obj(
            "docs", corpus.docs, "dims", corpus.dims, "seed", corpus.seed, "groups", corpus.groups, "index_type", indexType, "shards", shards
        );
    }

    /** Whether the index's {@code _meta} describes this corpus (parsed numbers are Longs, ours Integers). */
    private static boolean sameMeta(Map<String, Object> expected, Object actual) {
        if (actual instanceof Map<?, ?> == false) return false;
        Map<?, ?> m = (Map<?, ?>) actual;
        if (m.size() != expected.size()) return false;
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            if (String.valueOf(e.getValue()).equals(String.valueOf(m.get(e.getKey()))) == false) return false;
        }
        return true;
    }

    private void prepareIndex() throws Exception {
        boolean reindex = Boolean.parseBoolean(args.getOrDefault("reindex", "false"));
        EsClient.Response mapping = client.get("/" + index + "/_mapping");
        if (mapping.status == 200 && reindex == false) {
            Object meta = Json.at(mapping.json(), index + ".mappings._meta.corpus");
            if (sameMeta(corpusMeta(), meta) && NodeOps.count(client, index) == corpus.docs) {
                log("reusing index " + index + " " + meta);
                return;
            }
        }
        client.delete("/" + index + "?ignore_unavailable=true");
        Map<String, Object> options = indexType.equals("none") ? null : obj("type", indexType);
        Map<String, Object> mappings = NodeOps.corpusMappings(corpus.dims, options, false);
        mappings.put("_meta", obj("corpus", corpusMeta()));
        log(String.format(Locale.ROOT, "indexing %,d docs of %d dims (%s, %d planted groups of %d) into %s",
            corpus.docs, corpus.dims, indexType, corpus.groups, corpus.groupSize, index));
        NodeOps.loadCorpus(
            client,
            index,
            corpus,
            shards,
            mappings,
            intArg("bulk-docs", Math.max(50, 400_000 / corpus.dims)),
            intArg("bulk-threads", 2),
            true,
            this::log
        );
        long count = NodeOps.count(client, index);
        if (count != corpus.docs) throw new IllegalStateException("index holds " + count + " docs, expected " + corpus.docs);
    }

    private void detectVariants() {
        variants.addAll(List.of(Variant.KNN, Variant.SIFT, Variant.SIFT_SELECTED_ONLY, Variant.MMR, Variant.NEAREST));
        EsClient.Response r = client.post("/" + index + "/_search", request(Variant.RETRIEVER, new Config(10, 1), 0));
        if (r.status == 200) {
            variants.add(Variant.RETRIEVER);
        }
        EsClient.Response diversify = client.post("/" + index + "/_search", request(Variant.DIVERSIFY, new Config(10, 1), 0));
        if (diversify.status == 200) {
            variants.add(Variant.DIVERSIFY);
        } else {
            notes.add("diversify retriever not measured: the node answered " + diversify.status + " ("
                + Json.at(diversify.json(), "error.reason") + ")");
        }
        if (Boolean.parseBoolean(args.getOrDefault("query-form", "true"))) {
            variants.addAll(List.of(Variant.KNN_QUERY, Variant.SIFT_QUERY));
        }
        if (r.status != 200) {
            String reason = Json.at(r.json(), "error.reason");
            notes.add("sift retriever not measured: the node answered " + r.status + " (" + reason + ")");
            log("skipping the retriever: " + r.status + " " + reason);
        }
    }

    // ------------------------------------------------------------------------------------ requests

    String request(Variant variant, Config config, int query) {
        String vector = queryJson.get(Math.floorMod(query, queryJson.size()));
        String knn = "{\"field\":\"emb\",\"query_vector\":" + vector + ",\"k\":" + config.window() + ",\"num_candidates\":"
            + config.numCandidates() + "}";
        StringBuilder sb = new StringBuilder(vector.length() * 2 + 300);
        sb.append("{\"size\":").append(config.size()).append(",\"_source\":false,\"track_total_hits\":false,");
        if (variant == Variant.RETRIEVER) {
            sb.append("\"retriever\":{\"sift\":{\"retriever\":{\"knn\":").append(knn).append("},\"field\":\"emb\",\"query_vector\":")
                .append(vector).append(",\"rank_window_size\":").append(config.window()).append(",\"size\":").append(config.size())
                .append(",\"lambda\":").append(lambda).append("}}}");
            return sb.toString();
        }
        if (variant == Variant.DIVERSIFY) {
            sb.append("\"retriever\":{\"diversify\":{\"type\":\"mmr\",\"retriever\":{\"knn\":").append(knn)
                .append("},\"field\":\"emb\",\"query_vector\":").append(vector).append(",\"rank_window_size\":").append(config.window())
                .append(",\"size\":").append(config.size()).append(",\"lambda\":0.5}}}");
            return sb.toString();
        }
        if (variant.queryForm()) {
            sb.append("\"query\":{\"knn\":").append(knn).append('}');
        } else {
            sb.append("\"knn\":").append(knn);
        }
        String method = variant.method();
        if (method != null) {
            sb.append(",\"rescore\":{\"window_size\":").append(config.window()).append(",\"sift\":{\"field\":\"emb\",\"query_vector\":")
                .append(vector).append(",\"lambda\":").append(lambda).append(",\"size\":").append(config.size())
                .append(",\"keep_unselected\":").append(variant != Variant.SIFT_SELECTED_ONLY).append(",\"method\":\"").append(method)
                .append("\"}}");
        }
        return sb.append('}').toString();
    }

    private void measureWindow(int window, int rounds) {
        int warmup = Math.max(3, (int) Math.round(rounds * warmupFraction));
        log(String.format(Locale.ROOT, "window %d: %d warm-up + %d measured rounds of %d requests", window, warmup, rounds,
            sizes.length * variants.size()));
        Random shuffle = new Random(window);
        long start = System.nanoTime();
        for (int round = -warmup; round < rounds; round++) {
            List<Runnable> requests = new ArrayList<>();
            for (int size : sizes) {
                Config config = new Config(window, size);
                for (Variant v : variants) {
                    int query = round;
                    requests.add(() -> measure(config, v, query, query >= 0));
                }
            }
            Collections.shuffle(requests, shuffle);
            requests.forEach(Runnable::run);
            if (round > 0 && round % Math.max(1, rounds / 5) == 0) {
                log(String.format(Locale.ROOT, "  window %d: round %d/%d (%.0f s)", window, round, rounds, NodeOps.seconds(start)));
            }
        }
    }

    private void measure(Config config, Variant variant, int query, boolean record) {
        String body = request(variant, config, query);
        long start = System.nanoTime();
        EsClient.Response r = client.post("/" + index + "/_search", body);
        double wallMs = (System.nanoTime() - start) / 1e6;
        Cell cell = cells.get(config).get(variant);
        Number failedShards = r.status == 200 ? r.at("_shards.failed") : null;
        if (r.status != 200 || failedShards == null || failedShards.intValue() != 0 || Boolean.TRUE.equals(r.at("timed_out"))) {
            cell.errors++;
            if (cell.firstError == null) cell.firstError = r.status + " " + r.body.substring(0, Math.min(500, r.body.length()));
            return;
        }
        if (record == false) return;
        cell.took.add(((Number) r.at("took")).doubleValue());
        cell.wall.add(wallMs);
        List<Map<String, Object>> hits = r.at("hits.hits");
        Set<Integer> seen = new HashSet<>();
        for (Map<String, Object> hit : hits) {
            int group = corpus.groupOf(Integer.parseInt((String) hit.get("_id")));
            if (group >= 0 && seen.add(group) == false) cell.redundantHits++;
        }
    }

    // ------------------------------------------------------------------------------------ report

    private void report(Map<String, Object> environment) throws IOException {
        Path outDir = Path.of(args.getOrDefault("out", "target/bench-node"));
        Files.createDirectories(outDir);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Corpus: %,d docs × %d dims (%s, cosine, %d shard(s), force-merged), %d planted groups of %d; "
            + "lambda %s; seed %d.%n%n", corpus.docs, corpus.dims, indexType, shards, corpus.groups, corpus.groupSize, lambda, corpus.seed));
        md.append("| window | select | request | n | took p50 | took p99 | wall p50 | wall p99 | wall p50 / kNN | took mean / kNN | redundant hits |\n");
        md.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder csv = new StringBuilder(
            "window,select,variant,n,errors,took_p50_ms,took_p99_ms,took_mean_ms,wall_p50_ms,wall_p99_ms,took_ratio,took_mean_ratio,wall_ratio,redundant_per_request\n"
        );
        for (Map.Entry<Config, Map<Variant, Cell>> e : cells.entrySet()) {
            Config c = e.getKey();
            for (Map.Entry<Variant, Cell> ve : e.getValue().entrySet()) {
                Cell cell = ve.getValue();
                Cell knn = e.getValue().get(ve.getKey().baseline == null ? ve.getKey() : ve.getKey().baseline);
                double tookRatio = cell.took.median() / knn.took.median();
                double tookMeanRatio = cell.took.mean() / knn.took.mean();
                double wallRatio = cell.wall.median() / knn.wall.median();
                double redundant = cell.took.count() == 0 ? Double.NaN : (double) cell.redundantHits / cell.took.count();
                md.append(String.format(Locale.ROOT, "| %d | %d | %s | %d | %s | %s | %s | %s | %s | %s | %.1f |%n", c.window(), c.size(),
                    ve.getKey().label, cell.took.count(), ms(cell.took.median()), ms(cell.took.p99()), ms(cell.wall.median()),
                    ms(cell.wall.p99()), ratio(ve.getKey(), wallRatio), ratio(ve.getKey(), tookMeanRatio), redundant));
                csv.append(String.format(Locale.ROOT, "%d,%d,%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f,%.3f%n", c.window(), c.size(),
                    ve.getKey().name().toLowerCase(Locale.ROOT), cell.took.count(), cell.errors, cell.took.median(), cell.took.p99(),
                    cell.took.mean(), cell.wall.median(), cell.wall.p99(), tookRatio, tookMeanRatio, wallRatio, redundant));
                if (cell.errors > 0) {
                    notes.add(cell.errors + " failed requests for " + ve.getKey().label + " at window " + c.window() + " / select "
                        + c.size() + ", first: " + cell.firstError);
                }
            }
        }
        md.append('\n');
        md.append("took: the server's own figure, whole milliseconds (truncated), so small windows compare better by wall time or by"
            + " the mean of took; wall: the client's time for the HTTP exchange on 127.0.0.1. Ratios are against kNN alone of the"
            + " same form and selection size, measured interleaved in the same run. With fewer than 100 samples the p99 is the"
            + " maximum. Redundant hits: hits per response that repeat a planted near-duplicate group already in the response.\n\n");
        for (Map.Entry<String, Object> e : environment.entrySet()) {
            md.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        for (String note : notes) {
            md.append("- NOTE: ").append(note).append('\n');
        }
        Files.writeString(outDir.resolve("results.md"), md, StandardCharsets.UTF_8);
        Files.writeString(outDir.resolve("results.csv"), csv, StandardCharsets.UTF_8);
        Path plotDir = Path.of(args.getOrDefault("plot-dir", outDir.toString()));
        Files.createDirectories(plotDir);
        LatencyPlot.write(cells, variants, sizes, windows, plotDir.resolve("latency.png"), plotDir.resolve("latency-ratio.png"));
        out.println();
        out.print(md);
        log("wrote " + outDir.resolve("results.md") + ", " + outDir.resolve("results.csv") + ", " + plotDir.resolve("latency.png")
            + " and " + plotDir.resolve("latency-ratio.png"));
        long errors = cells.values().stream().flatMap(m -> m.values().stream()).mapToLong(c -> c.errors).sum();
        if (errors > 0) {
            throw new IllegalStateException(errors + " requests failed; see the notes above");
        }
    }

    private static String ms(double v) {
        if (Double.isNaN(v)) return "–";
        return v < 10 ? String.format(Locale.ROOT, "%.2f ms", v) : String.format(Locale.ROOT, "%.0f ms", v);
    }

    private static String ratio(Variant v, double r) {
        if (v.baseline == null) return "1";
        return Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%.2f", r);
    }

    // ------------------------------------------------------------------------------------ arguments

    private void log(String line) {
        out.println("[bench] " + line);
        out.flush();
    }

    private String required(String name) {
        String v = args.get(name);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    private int intArg(String name, int defaultValue) {
        return args.containsKey(name) ? Integer.parseInt(args.get(name).replace("_", "")) : defaultValue;
    }

    private static int[] ints(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i].trim().replace("_", ""));
        return out;
    }
}

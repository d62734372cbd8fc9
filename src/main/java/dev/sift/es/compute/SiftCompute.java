package dev.sift.es.compute;

import dev.sift.engine.backend.SelectionBackend;
import dev.sift.engine.backend.SelectionListener;
import dev.sift.engine.kernels.KernelOpsProvider;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.logging.LogManager;
import org.elasticsearch.logging.Logger;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * A node's compute: the backend chosen once at start-up ({@link BackendChoice}), the CPU kernels under it
 * ({@link KernelOpsProvider}), and counters of the selections each backend ran and of those that fell back to the
 * CPU, which {@code GET _sift/stats} reports (the backends tell them, as its {@link SelectionListener}).
 * Thread-safe; recording a selection costs three {@link LongAdder} increments.
 *
 * <p><b>How it reaches the code that selects.</b> {@code SiftPlugin#createComponents} builds it, so the stats
 * transport action gets it injected. The rescore clause and the retriever have no injection point: a
 * {@code RescorerBuilder} is made by a parser, by a {@code StreamInput} reader or by a Java client, and
 * {@code innerBuildContext} sees only the {@code SearchExecutionContext}, which carries no plugin components. So
 * the plugin also installs the node's instance in a JVM-wide holder, {@link #current()}. Elasticsearch runs one
 * node per JVM, so in production the holder is exactly that node's. A test JVM that starts several nodes
 * shares the holder: the last node started holds it and counts every node's selections (and each node still
 * runs on the same CPU kernels, which are JVM-wide anyway). Code running outside a node (library use, unit
 * tests) gets a stand-alone instance with the default {@code auto} choice.
 */
public final class SiftCompute implements AutoCloseable {

    private static final Logger logger = LogManager.getLogger(SiftCompute.class);

    private static volatile SiftCompute installed;

    private final BackendChoice choice;
    private final KernelOpsProvider kernels;
    private final Usage usage;
    /** The node's {@code sift} circuit breaker, for selections that run where no request breaker is at hand. */
    @Nullable
    private final CircuitBreaker breaker;
    /** The node's request circuit breaker, for the rescore clause's per-shard selections. */
    @Nullable
    private final CircuitBreaker requestBreaker;
    /** The node's {@code search_coordination} pool, where the retriever's selections run; null outside a node. */
    @Nullable
    private final Executor coordinationExecutor;

    private SiftCompute(
        BackendChoice choice,
        KernelOpsProvider kernels,
        Usage usage,
        @Nullable CircuitBreaker breaker,
        @Nullable CircuitBreaker requestBreaker,
        @Nullable Executor coordinationExecutor
    ) {
        this.choice = choice;
        this.kernels = kernels;
        this.usage = usage;
        this.breaker = breaker;
        this.requestBreaker = requestBreaker;
        this.coordinationExecutor = coordinationExecutor;
    }

    /** Chooses the backend for these node settings (see {@link BackendChoice#choose}) over the JVM's kernels. */
    public static SiftCompute forNode(Settings nodeSettings) {
        return forNode(nodeSettings, null, null, null);
    }

    /** As {@link #forNode(Settings)}, with the node's {@code sift} and request circuit breakers and its coordination pool. */
    public static SiftCompute forNode(
        Settings nodeSettings,
        @Nullable CircuitBreaker breaker,
        @Nullable CircuitBreaker requestBreaker,
        @Nullable Executor coordinationExecutor
    ) {
        KernelOpsProvider kernels = KernelOpsProvider.get();
        Usage usage = new Usage();
        BackendChoice choice = BackendChoice.choose(
            nodeSettings,
            kernels.ops(),
            usage,
            r -> new Thread(r, "elasticsearch[sift][opencl]"),
            logger::warn
        );
        return new SiftCompute(choice, kernels, usage, breaker, requestBreaker, coordinationExecutor);
    }

    /**
     * Where the retriever's selection runs once its inner search has answered: the node's {@code search_coordination}
     * pool, so that a long selection never holds a network thread; outside a node, the calling thread.
     */
    public Executor coordinationExecutor() {
        return coordinationExecutor != null ? coordinationExecutor : Runnable::run;
    }

    /**
     * The node's {@code sift} breaker (see {@code SiftPlugin#getCircuitBreaker}); null outside a node. The
     * retriever's coordinator accounts its global window here, since Elasticsearch hands rank-feature
     * coordinator contexts no request breaker.
     */
    @Nullable
    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * The node's request breaker; null outside a node. The rescore clause accounts its window here (the search
     * context's own breaker is not public in every Elasticsearch version this plugin supports).
     */
    @Nullable
    public CircuitBreaker requestBreaker() {
        return requestBreaker;
    }

    /** The node's instance; see the class comment for why a holder. */
    public static SiftCompute current() {
        SiftCompute c = installed;
        return c != null ? c : Standalone.INSTANCE;
    }

    /** Makes this the instance {@link #current()} returns; called by the plugin once the node's choice is made. */
    public static synchronized void install(SiftCompute compute) {
        installed = compute;
    }

    /** Forgets this instance if it is still the installed one (a node closing). */
    public static synchronized void uninstall(SiftCompute compute) {
        if (installed == compute) {
            installed = null;
        }
    }

    private static final class Standalone {
        static final SiftCompute INSTANCE = forNode(Settings.EMPTY);
    }

    public BackendChoice choice() {
        return choice;
    }

    /** The backend every selection on this node goes through. */
    public SelectionBackend backend() {
        return choice.backend();
    }

    /** What the node's backends tell of each selection they run or hand to the CPU: the counters of the stats. */
    public SelectionListener listener() {
        return usage;
    }

    /** A snapshot for {@code GET _sift/stats}; the chosen backend is listed even before it ran anything. */
    public ComputeStats stats() {
        Map<String, BackendUsage> byBackend = new TreeMap<>();
        byBackend.put(backend().name(), BackendUsage.NONE);
        usage.counters.forEach(
            (name, c) -> byBackend.put(name, new BackendUsage(c.selections.sum(), c.candidates.sum(), c.nanos.sum(), c.fallbacks.sum()))
        );
        return new ComputeStats(
            choice.requested().settingValue(),
            backend().name(),
            choice.reason(),
            kernels.ops().name(),
            kernels.reason(),
            choice.gpu() == null ? null : GpuStats.of(choice.gpu()),
            byBackend
        );
    }

    /** Releases the device, if the node uses one. */
    @Override
    public void close() {
        choice.close();
    }

    /** The counters per backend, told by the backends. */
    private static final class Usage implements SelectionListener {
        final ConcurrentMap<String, Counters> counters = new ConcurrentHashMap<>();

        @Override
        public void selected(String backend, int candidates, long nanos) {
            Counters c = counters.computeIfAbsent(backend, k -> new Counters());
            c.selections.increment();
            c.candidates.add(candidates);
            c.nanos.add(nanos);
        }

        @Override
        public void fellBack(String backend, String reason) {
            counters.computeIfAbsent(backend, k -> new Counters()).fallbacks.increment();
        }
    }

    private static final class Counters {
        final LongAdder selections = new LongAdder();
        final LongAdder candidates = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final LongAdder fallbacks = new LongAdder();
    }
}

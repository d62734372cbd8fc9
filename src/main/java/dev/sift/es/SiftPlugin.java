package dev.sift.es;

import dev.sift.engine.kernels.KernelOpsProvider;
import dev.sift.es.compat.StatsActionPlugin;
import dev.sift.es.compute.BackendChoice;
import dev.sift.es.compute.SiftCompute;
import dev.sift.es.rescore.ShardHitsLimit;
import dev.sift.es.rescore.SiftRescorerBuilder;
import dev.sift.es.retriever.SiftRankDoc;
import dev.sift.es.retriever.SiftRetrieverBuilder;
import dev.sift.es.retriever.SiftSearchTaskFilter;
import dev.sift.es.retriever.SiftShardVectorFetchSubPhase;
import dev.sift.es.retriever.SiftWindowExt;
import dev.sift.es.stats.RestSiftStatsAction;
import org.elasticsearch.action.support.ActionFilter;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexModule;
import org.elasticsearch.indices.breaker.BreakerSettings;
import org.elasticsearch.logging.LogManager;
import org.elasticsearch.logging.Logger;
import org.elasticsearch.plugins.CircuitBreakerPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.search.fetch.FetchSubPhase;
import org.elasticsearch.search.rank.RankDoc;
import org.elasticsearch.threadpool.ThreadPool;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Registers the {@code sift} rescore clause, the {@code sift} retriever, the {@code sift.backend} node setting and
 * {@code GET _sift/stats}, and makes the node's compute choice once at start-up. The plugin class only registers; each
 * concern has its own home.
 */
public final class SiftPlugin extends Plugin implements SearchPlugin, StatsActionPlugin, CircuitBreakerPlugin {

    private static final Logger logger = LogManager.getLogger(SiftPlugin.class);

    /** Limit of the {@code sift} breaker, which accounts selections made on the coordinating node (the retriever). */
    public static final Setting<ByteSizeValue> BREAKER_LIMIT_SETTING = Setting.memorySizeSetting(
        "sift.breaker.limit",
        "40%",
        Setting.Property.NodeScope
    );

    /** The node's {@code sift} breaker; Elasticsearch sets it before {@link #createComponents}. */
    private CircuitBreaker breaker;

    @Override
    public BreakerSettings getCircuitBreaker(Settings settings) {
        return new BreakerSettings(
            "sift",
            BREAKER_LIMIT_SETTING.get(settings).getBytes(),
            1.0,
            CircuitBreaker.Type.MEMORY,
            CircuitBreaker.Durability.TRANSIENT
        );
    }

    @Override
    public void setCircuitBreaker(CircuitBreaker circuitBreaker) {
        this.breaker = circuitBreaker;
    }

    /** Set by {@link #createComponents}; null in a plugin instance that no node started (parser-only tests). */
    private SiftCompute compute;

    @Override
    public List<Setting<?>> getSettings() {
        List<Setting<?>> settings = new java.util.ArrayList<>(BackendChoice.SETTINGS);
        settings.add(BREAKER_LIMIT_SETTING);
        return settings;
    }

    /** Chooses the backend from {@code sift.backend}; a choice this build cannot honour stops the node here. */
    @Override
    public Collection<?> createComponents(PluginServices services) {
        compute = SiftCompute.forNode(
            services.environment().settings(),
            breaker,
            services.indicesService().getCircuitBreakerService().getBreaker(CircuitBreaker.REQUEST),
            services.threadPool().executor(ThreadPool.Names.SEARCH_COORDINATION)
        );
        KernelOpsProvider kernels = KernelOpsProvider.get();
        logger.info(
            "sift runs selections on the [{}] backend: {}; CPU kernels [{}]: {}",
            compute.backend().name(),
            compute.choice().reason(),
            kernels.ops().name(),
            kernels.reason()
        );
        SiftCompute.install(compute);
        return List.of(compute);
    }

    @Override
    public List<RescorerSpec<?>> getRescorers() {
        return List.of(new RescorerSpec<>(SiftRescorerBuilder.NAME, SiftRescorerBuilder::new, SiftRescorerBuilder::fromXContent));
    }

    /** The {@code sift} retriever: one selection over the global window (see {@link SiftRetrieverBuilder}). */
    @Override
    public List<RetrieverSpec<?>> getRetrievers() {
        return List.of(new RetrieverSpec<>(SiftRetrieverBuilder.NAME, SiftRetrieverBuilder::fromXContent));
    }

    /** The retriever's inner search reads the window's vectors on each shard in this sub-phase. */
    @Override
    public List<FetchSubPhase> getFetchSubPhases(FetchPhaseConstructionContext context) {
        return List.of(new SiftShardVectorFetchSubPhase());
    }

    /** The retriever's result docs travel between nodes (the outer search sends them to the shards). */
    @Override
    public List<NamedWriteableRegistry.Entry> getNamedWriteables() {
        return List.of(new NamedWriteableRegistry.Entry(RankDoc.class, SiftRankDoc.NAME, SiftRankDoc::new));
    }

    /** The retriever's inner search asks the shards for the window's vectors in this section (refused in requests). */
    @Override
    public List<SearchExtSpec<?>> getSearchExts() {
        return List.of(new SearchExtSpec<>(SiftWindowExt.NAME, SiftWindowExt::new, SiftWindowExt::fromXContent));
    }

    /** Lets a {@code sift} rescore that ends its search's rescorers return only the hits the search can use. */
    @Override
    public void onIndexModule(IndexModule indexModule) {
        indexModule.addSearchOperationListener(new ShardHitsLimit());
    }

    /** Lets a {@code sift} retriever's selection see its searches' tasks, to stop when they are cancelled. */
    @Override
    public Collection<ActionFilter> getActionFilters() {
        return List.of(new SiftSearchTaskFilter());
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RestSiftStatsAction());
    }

    @Override
    public void close() {
        if (compute != null) {
            SiftCompute.uninstall(compute);
            compute.close();
        }
    }
}

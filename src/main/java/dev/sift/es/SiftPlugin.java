package dev.sift.es;

import dev.sift.engine.compute.KernelOpsProvider;
import dev.sift.es.rescore.SiftRescorerBuilder;
import org.elasticsearch.logging.LogManager;
import org.elasticsearch.logging.Logger;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;

import java.util.List;

/** Registers the {@code sift} rescore clause. The plugin class only registers; each concern has its own home. */
public final class SiftPlugin extends Plugin implements SearchPlugin {

    private static final Logger logger = LogManager.getLogger(SiftPlugin.class);

    public SiftPlugin() {
        KernelOpsProvider provider = KernelOpsProvider.get();
        logger.info("sift uses [{}] kernels: {}", provider.ops().name(), provider.reason());
    }

    @Override
    public List<RescorerSpec<?>> getRescorers() {
        return List.of(new RescorerSpec<>(SiftRescorerBuilder.NAME, SiftRescorerBuilder::new, SiftRescorerBuilder::fromXContent));
    }
}

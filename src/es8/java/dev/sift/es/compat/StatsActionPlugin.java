package dev.sift.es.compat;

import dev.sift.es.stats.TransportSiftStatsAction;
import org.elasticsearch.action.ActionRequest;
import org.elasticsearch.action.ActionResponse;
import org.elasticsearch.plugins.ActionPlugin;

import java.util.Collection;
import java.util.List;

/** Registers the {@code _sift/stats} transport action. Elasticsearch 8.19: {@code ActionHandler} is generic. */
public interface StatsActionPlugin extends ActionPlugin {

    @Override
    default Collection<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
        return List.of(new ActionHandler<>(TransportSiftStatsAction.TYPE, TransportSiftStatsAction.class));
    }
}

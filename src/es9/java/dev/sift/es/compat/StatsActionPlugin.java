package dev.sift.es.compat;

import dev.sift.es.stats.TransportSiftStatsAction;
import org.elasticsearch.plugins.ActionPlugin;

import java.util.Collection;
import java.util.List;

/** Registers the {@code _sift/stats} transport action. Elasticsearch 9.3: {@code ActionHandler} is not generic. */
public interface StatsActionPlugin extends ActionPlugin {

    @Override
    default Collection<ActionHandler> getActions() {
        return List.of(new ActionHandler(TransportSiftStatsAction.TYPE, TransportSiftStatsAction.class));
    }
}

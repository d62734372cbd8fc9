package dev.sift.es.stats;

import org.elasticsearch.action.support.nodes.BaseNodesRequest;

/** {@code GET _sift/stats}: the compute stats of the given nodes, or of every node when none is given. */
public final class SiftStatsRequest extends BaseNodesRequest<SiftStatsRequest> {

    public SiftStatsRequest(String... nodesIds) {
        super(nodesIds);
    }
}

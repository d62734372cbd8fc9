package dev.sift.es.compat;

import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.core.TimeValue;

/**
 * {@code GET _sift/stats}: the compute stats of the given nodes, or of every node when none is given.
 * Elasticsearch 8.19: {@code BaseNodesRequest} is generic in its subclass and its timeout setter is {@code timeout}.
 */
public final class SiftStatsRequest extends BaseNodesRequest<SiftStatsRequest> {

    public SiftStatsRequest(String... nodesIds) {
        super(nodesIds);
    }

    public void setRequestTimeout(TimeValue timeout) {
        timeout(timeout);
    }
}

package dev.sift.es.compat;

import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.core.TimeValue;

/**
 * {@code GET _sift/stats}: the compute stats of the given nodes, or of every node when none is given.
 * Elasticsearch 9.3: {@code BaseNodesRequest} is not generic and its timeout setter is {@code setTimeout}.
 */
public final class SiftStatsRequest extends BaseNodesRequest {

    public SiftStatsRequest(String... nodesIds) {
        super(nodesIds);
    }

    public void setRequestTimeout(TimeValue timeout) {
        setTimeout(timeout);
    }
}

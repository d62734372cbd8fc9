package dev.sift.es.stats;

import dev.sift.es.compat.SiftStatsRequest;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestActions;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.GET;
import static org.elasticsearch.rest.RestUtils.getTimeout;

/**
 * {@code GET _sift/stats} and {@code GET _sift/stats/{node_id}}: per node, the compute backend and why, the CPU
 * kernels and why, the GPU (null when none), and the selections each backend ran. See docs/design.md.
 */
public final class RestSiftStatsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "sift_stats_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/_sift/stats"), new Route(GET, "/_sift/stats/{node_id}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        SiftStatsRequest statsRequest = new SiftStatsRequest(Strings.splitStringByCommaToArray(request.param("node_id")));
        statsRequest.setRequestTimeout(getTimeout(request));
        return channel -> client.execute(TransportSiftStatsAction.TYPE, statsRequest, new RestActions.NodesResponseRestListener<>(channel));
    }

    @Override
    public boolean canTripCircuitBreaker() {
        return false;
    }
}

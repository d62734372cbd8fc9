package dev.sift.es.stats;

import dev.sift.es.compat.EmptyNodeRequest;
import dev.sift.es.compat.SiftStatsRequest;
import dev.sift.es.compute.SiftCompute;
import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;

import java.io.IOException;
import java.util.List;

/**
 * Fans {@code GET _sift/stats} out to the nodes; each answers from its own {@link SiftCompute} (injected: the
 * plugin returns it from {@code createComponents}). Reading the counters is cheap, so it runs on the
 * management pool like the node usage and stats actions.
 */
public final class TransportSiftStatsAction extends TransportNodesAction<
    SiftStatsRequest,
    SiftStatsResponse,
    EmptyNodeRequest,
    SiftNodeStats,
    Void> {

    /** Under {@code cluster:monitor/}, so the built-in {@code monitor} privilege covers it. */
    public static final ActionType<SiftStatsResponse> TYPE = new ActionType<>("cluster:monitor/sift/stats");

    private final SiftCompute compute;

    @Inject
    public TransportSiftStatsAction(
        ThreadPool threadPool,
        ClusterService clusterService,
        TransportService transportService,
        ActionFilters actionFilters,
        SiftCompute compute
    ) {
        super(TYPE.name(), clusterService, transportService, actionFilters, EmptyNodeRequest::new, threadPool.executor(ThreadPool.Names.MANAGEMENT));
        this.compute = compute;
    }

    @Override
    protected SiftStatsResponse newResponse(SiftStatsRequest request, List<SiftNodeStats> responses, List<FailedNodeException> failures) {
        return new SiftStatsResponse(clusterService.getClusterName(), responses, failures);
    }

    @Override
    protected EmptyNodeRequest newNodeRequest(SiftStatsRequest request) {
        return new EmptyNodeRequest(); // each node is sent nothing but the ask
    }

    @Override
    protected SiftNodeStats newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new SiftNodeStats(in, node);
    }

    @Override
    protected SiftNodeStats nodeOperation(EmptyNodeRequest request, Task task) {
        return new SiftNodeStats(clusterService.localNode(), compute.stats());
    }
}

package dev.sift.es.stats;

import dev.sift.es.compute.ComputeStats;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.xcontent.ToXContentFragment;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;

/** One node's answer to {@code GET _sift/stats}. */
public final class SiftNodeStats extends BaseNodeResponse implements ToXContentFragment {

    private final ComputeStats compute;

    public SiftNodeStats(DiscoveryNode node, ComputeStats compute) {
        super(node);
        this.compute = compute;
    }

    SiftNodeStats(StreamInput in, DiscoveryNode node) throws IOException {
        super(in, node);
        this.compute = new ComputeStats(in);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        compute.writeTo(out);
    }

    public ComputeStats compute() {
        return compute;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field("name", getNode().getName());
        return compute.toXContent(builder, params);
    }
}

package dev.sift.es.compat;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.transport.TransportRequest;

import java.io.IOException;

/** A per-node request that carries nothing but the ask. Elasticsearch 8.19: {@code TransportRequest} is a class. */
public final class EmptyNodeRequest extends TransportRequest {

    public EmptyNodeRequest() {}

    public EmptyNodeRequest(StreamInput in) throws IOException {
        super(in);
    }
}

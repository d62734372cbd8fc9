package dev.sift.es.compat;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.transport.AbstractTransportRequest;

import java.io.IOException;

/**
 * A per-node request that carries nothing but the ask. Elasticsearch 9.3: {@code TransportRequest} is an
 * interface, implemented by {@code AbstractTransportRequest}.
 */
public final class EmptyNodeRequest extends AbstractTransportRequest {

    public EmptyNodeRequest() {}

    public EmptyNodeRequest(StreamInput in) throws IOException {
        super(in);
    }
}

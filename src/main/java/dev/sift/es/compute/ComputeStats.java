package dev.sift.es.compute;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.core.Nullable;
import org.elasticsearch.xcontent.ToXContentFragment;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node's compute, as {@code GET _sift/stats} reports it: the backend {@code sift.backend} asked for, the one
 * chosen and why, the CPU kernels and why, the OpenCL device, and the selections run per backend.
 *
 * @param gpu the OpenCL device the backend uses, or null when none is
 */
public record ComputeStats(
    String requestedBackend,
    String backend,
    String reason,
    String kernels,
    String kernelsReason,
    @Nullable GpuStats gpu,
    Map<String, BackendUsage> usage
) implements Writeable, ToXContentFragment {

    public ComputeStats {
        usage = Collections.unmodifiableSortedMap(new TreeMap<>(usage));
    }

    public ComputeStats(StreamInput in) throws IOException {
        this(
            in.readString(),
            in.readString(),
            in.readString(),
            in.readString(),
            in.readString(),
            in.readOptionalWriteable(GpuStats::new),
            in.readMap(BackendUsage::new)
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(requestedBackend);
        out.writeString(backend);
        out.writeString(reason);
        out.writeString(kernels);
        out.writeString(kernelsReason);
        out.writeOptionalWriteable(gpu);
        out.writeMap(usage, StreamOutput::writeWriteable);
    }

    /** The selections the given backend ran, zero if none. */
    public BackendUsage usageOf(String backendName) {
        return usage.getOrDefault(backendName, BackendUsage.NONE);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field("requested_backend", requestedBackend);
        builder.field("backend", backend);
        builder.field("reason", reason);
        builder.startObject("vectorization").field("kernels", kernels).field("reason", kernelsReason).endObject();
        if (gpu == null) {
            builder.nullField("gpu");
        } else {
            builder.field("gpu", gpu);
        }
        builder.startObject("selections");
        for (Map.Entry<String, BackendUsage> e : usage.entrySet()) {
            builder.field(e.getKey(), e.getValue());
        }
        return builder.endObject();
    }
}

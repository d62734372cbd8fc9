package dev.sift.es.compute;

import dev.sift.engine.backend.opencl.OpenClDevice;
import dev.sift.engine.backend.opencl.OpenClSelectionBackend;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;

/**
 * The OpenCL device a node's selections run on, as {@code GET _sift/stats} shows it: what it is, the limits the node
 * set for it, and how its batches went.
 */
public record GpuStats(
    String platform,
    String name,
    String vendor,
    String type,
    String openClVersion,
    String driverVersion,
    long memoryBytes,
    long memoryBudgetBytes,
    long minWindowElements,
    long batches,
    long batchedSelections
) implements Writeable, ToXContentObject {

    static GpuStats of(OpenClSelectionBackend gpu) {
        OpenClDevice.Info info = gpu.openClDevice().info();
        return new GpuStats(
            info.platform(),
            info.name(),
            info.vendor(),
            info.type(),
            info.openClVersion(),
            info.driverVersion(),
            info.globalMemoryBytes(),
            gpu.memoryBudget(),
            gpu.minElements(),
            gpu.batches(),
            gpu.batchedSelections()
        );
    }

    public GpuStats(StreamInput in) throws IOException {
        this(
            in.readString(),
            in.readString(),
            in.readString(),
            in.readString(),
            in.readString(),
            in.readString(),
            in.readVLong(),
            in.readVLong(),
            in.readVLong(),
            in.readVLong(),
            in.readVLong()
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(platform);
        out.writeString(name);
        out.writeString(vendor);
        out.writeString(type);
        out.writeString(openClVersion);
        out.writeString(driverVersion);
        out.writeVLong(memoryBytes);
        out.writeVLong(memoryBudgetBytes);
        out.writeVLong(minWindowElements);
        out.writeVLong(batches);
        out.writeVLong(batchedSelections);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field("platform", platform)
            .field("name", name)
            .field("vendor", vendor)
            .field("type", type)
            .field("opencl_version", openClVersion)
            .field("driver_version", driverVersion)
            .field("memory_in_bytes", memoryBytes)
            .field("memory_budget_in_bytes", memoryBudgetBytes)
            .field("min_window_elements", minWindowElements)
            .field("batches", batches)
            .field("batched_selections", batchedSelections)
            .endObject();
    }
}

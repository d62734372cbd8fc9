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
public record GpuStats(OpenClDevice.Info device, long memoryBudgetBytes, long minWindowElements, long batches, long batchedSelections)
    implements
        Writeable,
        ToXContentObject {

    static GpuStats of(OpenClSelectionBackend gpu) {
        return new GpuStats(gpu.openClDevice().info(), gpu.memoryBudget(), gpu.minElements(), gpu.batches(), gpu.batchedSelections());
    }

    public GpuStats(StreamInput in) throws IOException {
        this(
            new OpenClDevice.Info(
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readVLong(),
                in.readVLong()
            ),
            in.readVLong(),
            in.readVLong(),
            in.readVLong(),
            in.readVLong()
        );
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(device.platform());
        out.writeString(device.name());
        out.writeString(device.vendor());
        out.writeString(device.type());
        out.writeString(device.openClVersion());
        out.writeString(device.driverVersion());
        out.writeVLong(device.globalMemoryBytes());
        out.writeVLong(device.maxAllocationBytes());
        out.writeVLong(memoryBudgetBytes);
        out.writeVLong(minWindowElements);
        out.writeVLong(batches);
        out.writeVLong(batchedSelections);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject()
            .field("platform", device.platform())
            .field("name", device.name())
            .field("vendor", device.vendor())
            .field("type", device.type())
            .field("opencl_version", device.openClVersion())
            .field("driver_version", device.driverVersion())
            .field("memory_in_bytes", device.globalMemoryBytes())
            .field("max_allocation_in_bytes", device.maxAllocationBytes())
            .field("memory_budget_in_bytes", memoryBudgetBytes)
            .field("min_window_elements", minWindowElements)
            .field("batches", batches)
            .field("batched_selections", batchedSelections)
            .endObject();
    }
}

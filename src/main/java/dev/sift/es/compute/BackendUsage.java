package dev.sift.es.compute;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The selections one backend ran on a node since it started: how many, over how many candidates in all, the
 * time spent in the backend (the selection itself, not reading the vectors), and how many selections meant for it
 * ran on the CPU instead (a device error, a window too large for the device's memory budget).
 */
public record BackendUsage(long selections, long candidates, long nanos, long fallbacks) implements Writeable, ToXContentObject {

    public static final BackendUsage NONE = new BackendUsage(0, 0, 0, 0);

    public BackendUsage(StreamInput in) throws IOException {
        this(in.readVLong(), in.readVLong(), in.readVLong(), in.readVLong());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeVLong(selections);
        out.writeVLong(candidates);
        out.writeVLong(nanos);
        out.writeVLong(fallbacks);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("selections", selections);
        builder.field("candidates", candidates);
        builder.field("time_in_nanos", nanos);
        builder.field("time_in_millis", TimeUnit.NANOSECONDS.toMillis(nanos));
        builder.field("fallbacks", fallbacks);
        return builder.endObject();
    }
}
